"""Demo data: r/MaisonLumiereCafe, the subreddit Maison Lumière moderates, as Liant would
have read it (posts, comments, mentions elsewhere on Reddit, modmail).

Pure data (no database): the demo step stores these events on a disconnected channel. The
ids are fixed fullnames, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Reddit)"
SUBREDDIT = "MaisonLumiereCafe"
USERNAME = "maison_lumiere"
SETTINGS = {
    "account_id": "t5_7ml1yn",
    "subreddit": SUBREDDIT,
    "username": USERNAME,
    "moderator": True,
    "post_to": [SUBREDDIT],
}
WWW = "https://www.reddit.com"


def _user(name: str) -> Author:
    return Author(remote_id=name, handle=name, name=name, url=f"{WWW}/user/{name}/")


TEAM = _user(USERNAME)
# (hours ago, kind, fullname, author, text, parent fullname, post fullname, subreddit)
ITEMS: list[tuple[float, EventKind, str, Author, str, str, str, str]] = [
    (
        24 * 24,
        EventKind.POST,
        "t3_1gq2a1b",
        TEAM,
        "Arrivage : Colombie Huila\n\nNotes de panela et de cerise. En boutique et en ligne.",
        "",
        "t3_1gq2a1b",
        SUBREDDIT,
    ),
    (
        24 * 23.5,
        EventKind.COMMENT,
        "t1_lx1a001",
        _user("jules_espresso"),
        "Quelqu'un l'a essayé en espresso ? Je cherche le bon ratio.",
        "t3_1gq2a1b",
        "t3_1gq2a1b",
        SUBREDDIT,
    ),
    (
        24 * 23,
        EventKind.COMMENT,
        "t1_lx1a0b2",
        _user("nina_v60"),
        "1:2 en 28 s chez moi, c'est très rond.",
        "t1_lx1a001",
        "t3_1gq2a1b",
        SUBREDDIT,
    ),
    (
        24 * 21,
        EventKind.POST,
        "t3_1gr7c2d",
        _user("marc_lyon"),
        "Moulin pour débuter : Comandante ou 1Zpresso ?\n\nBudget 250 €, surtout pour la V60.",
        "",
        "t3_1gr7c2d",
        SUBREDDIT,
    ),
    (
        24 * 20.8,
        EventKind.COMMENT,
        "t1_lx3b114",
        _user("leo_grind"),
        "Le 1Zpresso K-Ultra, sans hésiter pour la V60.",
        "t3_1gr7c2d",
        "t3_1gr7c2d",
        SUBREDDIT,
    ),
    (
        24 * 20.5,
        EventKind.COMMENT,
        "t1_lx3b2c8",
        _user("emma_brews"),
        "Any advice for a grinder under 150 € that still does espresso?",
        "t3_1gr7c2d",
        "t3_1gr7c2d",
        SUBREDDIT,
    ),
    (
        24 * 18,
        EventKind.MENTION,
        "t1_lx5k9p0",
        _user("camille_b"),
        "Pour du bon café à Lyon, u/maison_lumiere sans hésiter, leur Guji est incroyable.",
        "t1_lx5k8z2",
        "t3_1gt0z7a",
        "lyon",
    ),
    (
        24 * 16,
        EventKind.POST,
        "t3_1gv4e5f",
        TEAM,
        "Atelier dégustation samedi 14 h\n\nHuit places, trois origines, une heure et demie. "
        "Inscriptions en boutique ou en message.",
        "",
        "t3_1gv4e5f",
        SUBREDDIT,
    ),
    (
        24 * 15.7,
        EventKind.COMMENT,
        "t1_lx8d003",
        _user("sophie_m"),
        "Il reste des places ? On serait deux.",
        "t3_1gv4e5f",
        "t3_1gv4e5f",
        SUBREDDIT,
    ),
    (
        24 * 15.5,
        EventKind.COMMENT,
        "t1_lx8d0q1",
        _user("owen_coffee"),
        "Is the workshop held in English too? I'm visiting Lyon that weekend.",
        "t3_1gv4e5f",
        "t3_1gv4e5f",
        SUBREDDIT,
    ),
    (
        24 * 14,
        EventKind.DIRECT_MESSAGE,
        "modmail:vk2q1:1c1a0f",
        _user("marc_lyon"),
        "Commande 4512 pas reçue\n\nMa commande passée il y a dix jours n'est toujours pas "
        "arrivée. Pouvez-vous vérifier ?",
        "",
        "modmail:vk2q1",
        SUBREDDIT,
    ),
    (
        24 * 12,
        EventKind.COMMENT,
        "t1_lxb1r70",
        _user("marc_lyon"),
        "Toujours rien reçu, et personne ne répond au téléphone. Très déçu.",
        "t3_1gv4e5f",
        "t3_1gv4e5f",
        SUBREDDIT,
    ),
    (
        24 * 11,
        EventKind.COMMENT,
        "t1_lxc2s19",
        _user("nope_nope42"),
        "Vos cafés c'est de l'arnaque, bande de voleurs, allez vous faire voir.",
        "t3_1gv4e5f",
        "t3_1gv4e5f",
        SUBREDDIT,
    ),
    (
        24 * 9,
        EventKind.POST,
        "t3_1h0a9b8",
        _user("nina_v60"),
        "Retour sur l'atelier de samedi\n\nTrès bien expliqué, on a goûté un Kenya "
        "incroyable. Merci à l'équipe !",
        "",
        "t3_1h0a9b8",
        SUBREDDIT,
    ),
    (
        24 * 8.8,
        EventKind.COMMENT,
        "t1_lxf4u22",
        _user("jules_espresso"),
        "Pareil, super moment. Vous en referez un en janvier ?",
        "t3_1h0a9b8",
        "t3_1h0a9b8",
        SUBREDDIT,
    ),
    (
        24 * 6,
        EventKind.DIRECT_MESSAGE,
        "t4_2s8k1d0",
        _user("camille_b"),
        "Carte cadeau\n\nBonjour, vendez-vous des cartes cadeaux pour Noël ?",
        "",
        "t4_2s8k1d0",
        "",
    ),
    (
        24 * 4,
        EventKind.COMMENT,
        "t1_lxj7w41",
        _user("leo_grind"),
        "Les délais de livraison sont plus longs en ce moment ? Commande passée lundi.",
        "t3_1h0a9b8",
        "t3_1h0a9b8",
        SUBREDDIT,
    ),
    (
        24 * 2,
        EventKind.MENTION,
        "t1_lxm2y08",
        _user("emma_brews"),
        "Best beans I've had this year came from u/maison_lumiere, the Ethiopia Guji.",
        "t3_1h2q1w0",
        "t3_1h2q1w0",
        "Coffee",
    ),
    (
        20,
        EventKind.COMMENT,
        "t1_lxn9z15",
        _user("sophie_m"),
        "Quel grain pour une cafetière italienne ? Le Brésil ou le Colombie ?",
        "t3_1gq2a1b",
        "t3_1gq2a1b",
        SUBREDDIT,
    ),
]


def _url(fullname: str, post: str, subreddit: str) -> str:
    if fullname.startswith("modmail:"):
        return "https://mod.reddit.com/mail/all/" + fullname.split(":")[1]
    if fullname.startswith("t4_"):
        return f"{WWW}/message/messages/{fullname[3:]}"
    base = f"{WWW}/r/{subreddit}/comments/{post[3:]}/_/"
    return base if fullname == post else f"{base}{fullname[3:]}/"


def events(now: datetime) -> list[Event]:
    return [
        Event(
            kind=kind,
            remote_id=fullname,
            author=author,
            occurred_at=now - timedelta(hours=hours),
            text=text,
            url=_url(fullname, post, subreddit),
            parent_remote_id=parent,
            thread_remote_id=post,
            language="en" if text.startswith(("Any ", "Is ", "Best ")) else "fr",
            raw={"subreddit": subreddit, "name": fullname},
        )
        for hours, kind, fullname, author, text, parent, post, subreddit in ITEMS
    ]
