"""Demo data: Maison Lumière's Telegram channel and the comments in its discussion group.

Pure data (no database): the demo step stores these events on a disconnected channel. The
ids are fixed, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Telegram)"
CHANNEL = -1001987654321
GROUP = -1001987654322
SETTINGS = {
    "chat": "@maisonlumiere",
    "chat_id": CHANNEL,
    "chat_type": "channel",
    "chat_title": "Maison Lumière — Torréfacteur",
    "chat_username": "maisonlumiere",
    "discussion_chat_id": GROUP,
    "bot_id": 7012345678,
    "bot_username": "maisonlumiere_bot",
}

BRAND = Author(
    remote_id=str(CHANNEL),
    handle="@maisonlumiere",
    name="Maison Lumière — Torréfacteur",
    url="https://t.me/maisonlumiere",
)


def _member(user_id: int, name: str, username: str = "") -> Author:
    return Author(
        remote_id=str(user_id),
        handle=f"@{username}" if username else "",
        name=name,
        url=f"https://t.me/{username}" if username else "",
    )


CLAIRE = _member(5120000001, "Claire Dumas", "claire_dms")
KARIM = _member(5120000002, "Karim Benali", "karimb")
SOPHIE = _member(5120000003, "Sophie Martin")
TOM = _member(5120000004, "Tom Wright", "tomwright")
LUCIE = _member(5120000005, "Lucie Fabre", "luciefab")
RUDE = _member(5120000006, "xX_troll_Xx", "troll_lyon")
ANNA = _member(5120000007, "Anna Schmidt", "anna_s")

# (days ago, message id, author or None for the brand's post, text, the post it answers)
POSTS = [
    (
        24,
        101,
        "Nouvelle récolte : Éthiopie Guji, lavé, notes de pêche blanche et jasmin. "
        "Torréfié ce matin à la Croix-Rousse ☕",
    ),
    (
        17,
        102,
        "Atelier dégustation samedi 14 h à la boutique : cupping de trois origines, "
        "12 places. Inscriptions en commentaire !",
    ),
    (
        10,
        103,
        "Retards de livraison cette semaine : notre transporteur est en grève. "
        "Vos colis partent, avec deux jours de plus. Merci de votre patience 🙏",
    ),
    (4, 104, "Quel moulin pour débuter l'espresso ? Nos conseils dans le fil 👇"),
]
COMMENTS = [
    (24, 11, CLAIRE, "Elle est magnifique celle-ci, je l'ai goûtée en filtre V60 😍", 101),
    (23, 12, KARIM, "Il reste du Guji en 1 kg ? Pour le bureau.", 101),
    (22, 13, TOM, "Any chance you ship to Brussels?", 101),
    (17, 21, LUCIE, "Je m'inscris pour samedi ! Deux places svp.", 102),
    (16, 22, SOPHIE, "Est-ce que l'atelier est accessible aux débutants ?", 102),
    (16, 23, ANNA, "Is the workshop in English too? I'd love to join.", 102),
    (15, 24, KARIM, "Inscrit aussi 👍", 102),
    (10, 31, SOPHIE, "Commande passée il y a 8 jours, toujours rien reçu… c'est long.", 103),
    (9, 32, CLAIRE, "Reçu hier, impeccable comme toujours, merci !", 103),
    (9, 33, RUDE, "Vos cafés c'est de l'arnaque, bande d'escrocs, allez vous faire voir", 103),
    (8, 34, KARIM, "Le suivi du colis ne bouge plus depuis lundi, normal ?", 103),
    (4, 41, LUCIE, "J'ai le Baratza Encore, ça suffit pour l'espresso ?", 104),
    (3, 42, TOM, "Niche Zero all the way. Worth every cent.", 104),
    (3, 43, SOPHIE, "Et pour un budget de 150 € ?", 104),
    (2, 44, CLAIRE, "Le Comandante en manuel, je ne regrette pas !", 104),
]
REPLIES = [  # the brand answering in the discussion group (its anonymous admin messages)
    (22, 14, "Oui, en 1 kg jusqu'à vendredi ! 😊", 12, KARIM),
    (16, 25, "Tout à fait, on commence par les bases de la dégustation.", 22, SOPHIE),
    (9, 35, "Désolés Sophie, on regarde votre commande tout de suite en privé.", 31, SOPHIE),
]


def events(now: datetime) -> list[Event]:
    found: list[Event] = []
    for days, message_id, text in POSTS:
        found.append(
            Event(
                kind=EventKind.POST,
                remote_id=f"{CHANNEL}:{message_id}",
                author=BRAND,
                occurred_at=now - timedelta(days=days, hours=2),
                text=text,
                url=f"https://t.me/maisonlumiere/{message_id}",
                language="fr",
            )
        )
    for days, message_id, author, text, post in COMMENTS:
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=f"{GROUP}:{message_id}:{author.remote_id}",
                author=author,
                occurred_at=now - timedelta(days=days, hours=1),
                text=text,
                url=f"https://t.me/c/{str(GROUP)[4:]}/{message_id}",
                parent_remote_id=f"{CHANNEL}:{post}",
                thread_remote_id=f"{CHANNEL}:{post}",
                language="en" if author in (TOM, ANNA) else "fr",
            )
        )
    comments = {c[1]: c for c in COMMENTS}
    for days, message_id, text, answered, member in REPLIES:
        post = comments[answered][4]
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=f"{GROUP}:{message_id}",
                author=BRAND,
                occurred_at=now - timedelta(days=days),
                text=text,
                url=f"https://t.me/c/{str(GROUP)[4:]}/{message_id}",
                parent_remote_id=f"{GROUP}:{answered}:{member.remote_id}",
                thread_remote_id=f"{CHANNEL}:{post}",
                language="fr",
            )
        )
    return found
