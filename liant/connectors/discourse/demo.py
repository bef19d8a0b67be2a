"""Demo data: the Maison Lumière community forum, as the connector would have read it.

Pure data, no database: the demo loader makes a disconnected channel of it and stores these
events. Ids are fixed, so loading the demo again adds nothing.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from html import escape

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Discourse)"
FORUM = "https://forum.maisonlumiere.example"
SETTINGS = {
    "forum_url": FORUM,
    "api_username": "maisonlumiere",
    "user_id": 2,
    "categories": [5, 6, 7],
    "default_category": 5,
}
CATEGORIES = {5: "Café & torréfaction", 6: "Livraisons", 7: "Ateliers"}

PEOPLE = {
    "maisonlumiere": (2, "Maison Lumière"),
    "camille_b": (57, "Camille Bernard"),
    "jules.r": (63, "Jules Roche"),
    "thomas_k": (71, "Thomas K."),
    "grosbill": (88, ""),
    "ana_lyon": (94, "Ana"),
    "sophie.m": (102, "Sophie Martin"),
    "marc_espresso": (117, "Marc"),
}

# (post id, hours ago, username, kind, topic id, post number, reply to, category, title, text)
POSTS: list[tuple[int, float, str, EventKind, int, int, int | None, int | None, str, str]] = [
    (
        3101,
        24 * 20,
        "maisonlumiere",
        EventKind.POST,
        401,
        1,
        None,
        5,
        "Nouveau café du mois : Éthiopie Guji",
        "Notre café du mois arrive : un Guji lavé, notes de pêche blanche et de jasmin. "
        "Dites-nous comment vous l'infusez !",
    ),
    (
        3104,
        24 * 19.5,
        "camille_b",
        EventKind.COMMENT,
        401,
        2,
        1,
        5,
        "Nouveau café du mois : Éthiopie Guji",
        "Goûté en V60 ce matin, 15 g pour 250 ml : superbe, très floral. Bravo !",
    ),
    (
        3107,
        24 * 19,
        "marc_espresso",
        EventKind.COMMENT,
        401,
        3,
        1,
        5,
        "Nouveau café du mois : Éthiopie Guji",
        "En espresso il est un peu acide pour moi, vous conseillez quelle mouture ?",
    ),
    (
        3112,
        24 * 18,
        "thomas_k",
        EventKind.POST,
        402,
        1,
        None,
        5,
        "Quel moulin pour l'espresso ?",
        "Je cherche un moulin pour débuter l'espresso à la maison, budget 300 €. Des conseils ?",
    ),
    (
        3115,
        24 * 17.8,
        "sophie.m",
        EventKind.COMMENT,
        402,
        2,
        1,
        5,
        "Quel moulin pour l'espresso ?",
        "Un moulin conique d'entrée de gamme suffit largement, l'important est le réglage fin.",
    ),
    (
        3118,
        24 * 17.5,
        "grosbill",
        EventKind.COMMENT,
        402,
        3,
        1,
        5,
        "Quel moulin pour l'espresso ?",
        "Franchement vos grains c'est de l'arnaque, bande d'escrocs. Allez tous vous faire voir.",
    ),
    (
        3121,
        24 * 15,
        "maisonlumiere",
        EventKind.POST,
        403,
        1,
        None,
        7,
        "Atelier dégustation du 12 décembre",
        "Nous organisons un atelier dégustation le 12 décembre à la brûlerie, 12 places par "
        "session. Inscriptions dans ce sujet.",
    ),
    (
        3125,
        24 * 14.5,
        "camille_b",
        EventKind.MENTION,
        403,
        2,
        1,
        7,
        "Atelier dégustation du 12 décembre",
        "@maisonlumiere est-ce qu'il reste des places pour l'atelier ? On viendrait à deux.",
    ),
    (
        3129,
        24 * 14,
        "ana_lyon",
        EventKind.COMMENT,
        403,
        3,
        1,
        7,
        "Atelier dégustation du 12 décembre",
        "Is the workshop in French only? My partner does not speak French yet.",
    ),
    (
        3133,
        24 * 12,
        "jules.r",
        EventKind.POST,
        404,
        1,
        None,
        6,
        "Retard de livraison commande #4521",
        "Bonjour, ma commande #4521 passée le 20 novembre n'est toujours pas arrivée. "
        "Le suivi ne bouge plus depuis 5 jours, que se passe-t-il ?",
    ),
    (
        3136,
        24 * 11.5,
        "sophie.m",
        EventKind.COMMENT,
        404,
        2,
        1,
        6,
        "Retard de livraison commande #4521",
        "Même chose pour moi avec le transporteur, ça semble bloqué à la plateforme de Lyon.",
    ),
    (
        3140,
        24 * 10,
        "jules.r",
        EventKind.COMMENT,
        404,
        3,
        2,
        6,
        "Retard de livraison commande #4521",
        "Toujours rien aujourd'hui. Un peu déçu, c'était un cadeau d'anniversaire.",
    ),
    (
        3146,
        24 * 8,
        "marc_espresso",
        EventKind.POST,
        405,
        1,
        None,
        5,
        "Décaféiné à l'eau : vous en proposerez ?",
        "Est-ce que vous prévoyez un décaféiné procédé à l'eau (Swiss Water) ? "
        "Je bois mon dernier café de la journée à 17 h.",
    ),
    (
        3150,
        24 * 7.5,
        "thomas_k",
        EventKind.COMMENT,
        405,
        2,
        1,
        5,
        "Décaféiné à l'eau : vous en proposerez ?",
        "+1, un bon déca serait génial pour le soir.",
    ),
    (
        3155,
        24 * 5,
        "sophie.m",
        EventKind.POST,
        406,
        1,
        None,
        5,
        "Merci pour le Brésil Cerrado",
        "Je voulais juste dire merci : le Brésil Cerrado est devenu notre café du quotidien, "
        "chocolat et noisette, parfait en cafetière italienne.",
    ),
    (
        3159,
        24 * 4,
        "thomas_k",
        EventKind.MENTION,
        402,
        4,
        2,
        5,
        "Quel moulin pour l'espresso ?",
        "Merci @maisonlumiere et Sophie, j'ai commandé le moulin conique recommandé !",
    ),
    (
        3163,
        24 * 2,
        "ana_lyon",
        EventKind.POST,
        407,
        1,
        None,
        6,
        "Delivery to Villeurbanne",
        "Hi! Do you deliver to Villeurbanne by bike like in Lyon, or only by post?",
    ),
]
# (post id, hours ago, username, topic id, post number, title, text)
MESSAGES: list[tuple[int, float, str, int, int, str, str]] = [
    (
        3170,
        24 * 9,
        "ana_lyon",
        420,
        1,
        "Question sur ma commande",
        "Bonjour, puis-je modifier l'adresse de livraison de ma commande #4519 ?",
    ),
    (
        3171,
        24 * 8.9,
        "ana_lyon",
        420,
        2,
        "Question sur ma commande",
        "Petite précision : c'est pour une livraison au bureau, 12 rue Mercière.",
    ),
    (
        3175,
        24 * 6,
        "thomas_k",
        421,
        1,
        "Partenariat café",
        "Hello, I run a small coworking space in Lyon: could we stock your beans?",
    ),
    (
        3180,
        24 * 3,
        "jules.r",
        422,
        1,
        "Remboursement ?",
        "Si la commande #4521 n'arrive pas d'ici vendredi, est-ce que je peux être remboursé ?",
    ),
]


def _author(username: str) -> Author:
    user_id, name = PEOPLE[username]
    return Author(
        remote_id=str(user_id),
        handle=username,
        name=name,
        url=f"{FORUM}/u/{username}",
        avatar_url=f"{FORUM}/user_avatar/forum.maisonlumiere.example/{username}/96/{user_id}_2.png",
    )


def _html(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _slug(title: str) -> str:
    """As Discourse makes them: ascii, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_title.lower()).split())


def events(now: datetime) -> list[Event]:
    found = []
    for post_id, hours, username, kind, topic, number, reply_to, category, title, text in POSTS:
        found.append(
            Event(
                kind=kind,
                remote_id=str(post_id),
                author=_author(username),
                occurred_at=now - timedelta(hours=hours),
                text=text,
                html=_html(text),
                url=f"{FORUM}/t/{_slug(title)}/{topic}/{number}",
                thread_remote_id=str(topic),
                raw={
                    "topic_id": topic,
                    "post_number": number,
                    "reply_to_post_number": reply_to,
                    "category_id": category,
                    "topic_title": title,
                    "topic_slug": _slug(title),
                    "private": False,
                },
            )
        )
    for post_id, hours, username, topic, number, title, text in MESSAGES:
        found.append(
            Event(
                kind=EventKind.DIRECT_MESSAGE,
                remote_id=str(post_id),
                author=_author(username),
                occurred_at=now - timedelta(hours=hours),
                text=text,
                html=_html(text),
                url=f"{FORUM}/t/{_slug(title)}/{topic}/{number}",
                thread_remote_id=str(topic),
                raw={
                    "topic_id": topic,
                    "post_number": number,
                    "reply_to_post_number": 1 if number > 1 else None,
                    "category_id": None,
                    "topic_title": title,
                    "topic_slug": _slug(title),
                    "private": True,
                },
            )
        )
    return found
