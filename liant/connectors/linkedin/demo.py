"""Demo data: Maison Lumière's LinkedIn page, its posts and the comments on them.

Pure data (no database): the demo step stores these events on a disconnected channel. The ids
are fixed URNs, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (LinkedIn)"
ORGANIZATION = "urn:li:organization:90123456"
SETTINGS = {
    "account_id": ORGANIZATION,
    "name": "Maison Lumière",
    "vanity_name": "maison-lumiere-lyon",
}

BRAND = Author(
    remote_id=ORGANIZATION,
    handle="maison-lumiere-lyon",
    name="Maison Lumière",
    url="https://www.linkedin.com/company/maison-lumiere-lyon/",
)


def _member(person: str) -> Author:
    # LinkedIn's comments name their author by member URN only.
    return Author(remote_id=f"urn:li:person:{person}")


CLAIRE = _member("Zq3aB1cD2e")
KARIM = _member("Kb7Lm2Nn3o")
SOPHIE = _member("Sm4Pq5Rr6s")
TOM = _member("Yw8xK7pQ4r")
LUCIE = _member("Lf9Tt0Uu1v")
RUDE = _member("Xx6Ww5Vv4u")
CAFE = Author(
    remote_id="urn:li:organization:70222333",
    url="https://www.linkedin.com/company/70222333/",
)

# (days ago, share id, activity id, text)
POSTS = [
    (
        26,
        "7258000000000000001",
        "7258000000000000101",
        "Nouvelle récolte : Éthiopie Guji, lavé, notes de pêche blanche et jasmin. "
        "Torréfiée cette semaine dans notre atelier de la Croix-Rousse.",
    ),
    (
        18,
        "7261000000000000002",
        "7261000000000000102",
        "Nous recrutons un·e torréfacteur·rice à Lyon (CDI, 35 h). Curiosité et rigueur "
        "demandées, le reste s'apprend avec nous.",
    ),
    (
        10,
        "7264000000000000003",
        "7264000000000000103",
        "Atelier dégustation samedi 6 décembre : trois origines, trois méthodes douces. "
        "Douze places, inscription par message.",
    ),
    (
        3,
        "7266000000000000004",
        "7266000000000000104",
        "Livraisons de décembre : commandez avant le 15 pour recevoir vos cafés avant les "
        "fêtes. Merci de votre patience pendant le pic de commandes !",
    ),
]

# (post index, hours after the post, comment id, author, text); the page's own answers are
# not read back from LinkedIn, so there are none here either.
COMMENTS = [
    (0, 3, "7258100000000000001", CLAIRE, "Le Guji est une merveille en V60, bravo !"),
    (
        0,
        7,
        "7258100000000000002",
        KARIM,
        "Quelle mouture conseillez-vous pour une Aeropress ? J'ai un Comandante.",
    ),
    (0, 30, "7258100000000000004", TOM, "Great beans, ordered two bags for the office."),
    (1, 5, "7261100000000000001", LUCIE, "Partagé à mon réseau, belle équipe !"),
    (1, 26, "7261100000000000002", CAFE, "Bravo pour la croissance, à bientôt au salon."),
    (
        1,
        50,
        "7261100000000000003",
        SOPHIE,
        "Le poste est-il ouvert aux profils en reconversion ?",
    ),
    (2, 2, "7264100000000000001", CLAIRE, "L'atelier est-il accessible aux débutants ?"),
    (2, 6, "7264100000000000003", TOM, "Is the workshop held in English too?"),
    (2, 20, "7264100000000000004", KARIM, "Inscrit avec ma compagne, hâte d'y être."),
    (
        3,
        5,
        "7266100000000000001",
        SOPHIE,
        "Ma commande du 20 novembre n'est toujours pas arrivée, et aucune réponse au mail…",
    ),
    (
        3,
        8,
        "7266100000000000002",
        LUCIE,
        "Même chose ici, colis bloqué depuis une semaine. Un peu déçue.",
    ),
    (
        3,
        20,
        "7266100000000000003",
        RUDE,
        "Arnaque totale, vos cafés sont de la bouillie, bande d'incapables !!!",
    ),
    (3, 30, "7266100000000000004", CLAIRE, "Reçu hier, emballage impeccable, merci !"),
]


def _comment_urn(activity: str, comment_id: str) -> str:
    return f"urn:li:comment:(urn:li:activity:{activity},{comment_id})"


def events(now: datetime) -> list[Event]:
    found = []
    posted: list[tuple[datetime, str, str]] = []
    for days, share, activity, text in POSTS:
        when = (now - timedelta(days=days)).replace(minute=30, second=0, microsecond=0)
        urn = f"urn:li:share:{share}"
        posted.append((when, urn, activity))
        found.append(
            Event(
                kind=EventKind.POST,
                remote_id=urn,
                author=BRAND,
                occurred_at=when,
                text=text,
                url=f"https://www.linkedin.com/feed/update/{urn}/",
                thread_remote_id=urn,
                raw={"id": urn, "author": ORGANIZATION, "visibility": "PUBLIC"},
            )
        )
    for index, hours, comment_id, author, text in COMMENTS:
        when_post, urn, activity = posted[index]
        comment_urn = _comment_urn(activity, comment_id)
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=comment_urn,
                author=author,
                occurred_at=min(when_post + timedelta(hours=hours), now - timedelta(minutes=5)),
                text=text,
                url=f"https://www.linkedin.com/feed/update/{urn}/?commentUrn={comment_urn}",
                parent_remote_id=urn,
                thread_remote_id=urn,
                raw={
                    "id": comment_id,
                    "object": f"urn:li:activity:{activity}",
                    "post": urn,
                    "parentComment": "",
                    "actor": author.remote_id,
                },
            )
        )
    return found
