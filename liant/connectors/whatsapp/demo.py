"""Demo data: the WhatsApp Business number of Maison Lumière's shop in Lyon.

Pure data (no database): the demo step stores these events on a disconnected channel. The
message ids are fixed, so loading the demo again adds nothing. WhatsApp is one-to-one: these
are members writing to the shop, their reactions, and the statuses Meta pushed for the
shop's template messages (authorless events hung on the message sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (WhatsApp Business)"
PHONE_NUMBER_ID = "106540352242922"
SETTINGS = {
    "account_id": PHONE_NUMBER_ID,
    "waba_id": "102290129340398",
    "display_phone_number": "33478000000",
    "verified_name": "Maison Lumière",
    "quality_rating": "GREEN",
}


def _member(number: str, name: str) -> Author:
    return Author(remote_id=number, handle=f"+{number}", name=name)


CLAIRE = _member("33612000001", "Claire")
HUGO = _member("33612000002", "Hugo")
SARAH = _member("33612000003", "Sarah")
PAUL = _member("33612000004", "Paul")
ANNA = _member("447700900005", "Anna")
RUDE = _member("33612000006", "X")


def _id(n: int) -> str:
    return f"wamid.HBgLMzM2MTIwMDAwMDAVAgASGBQzRUIwQzk1RDlFRjAwMDAw{n:04d}AA=="


# The shop's template messages: their name and who they went to.
SHOP_TEMPLATES = {
    9001: ("atelier_rappel", SARAH),
    9002: ("commande_expediee", PAUL),
    9003: ("arrivage", CLAIRE),
}

# (days ago, hours, id, author or None for a status, text, kind, parent id)
ROWS: list[tuple[int, int, int, Author | None, str, EventKind, int]] = [
    (24, 10, 1, CLAIRE, "Bonjour, vous livrez à Villeurbanne ?", EventKind.DIRECT_MESSAGE, 0),
    (24, 11, 2, CLAIRE, "Super, merci !", EventKind.DIRECT_MESSAGE, 0),
    (21, 9, 3, HUGO, "Quelle mouture pour une cafetière italienne ?", EventKind.DIRECT_MESSAGE, 0),
    (21, 10, 4, HUGO, "👍", EventKind.REACTION, 0),
    (
        19,
        15,
        5,
        SARAH,
        "Il reste des places à l'atelier dégustation ?",
        EventKind.DIRECT_MESSAGE,
        0,
    ),
    (18, 8, 9001, None, "", EventKind.REACTION, 9001),  # delivered
    (18, 9, 9001, None, "", EventKind.REACTION, 9001),  # read
    (18, 10, 6, SARAH, "Parfait, à samedi !", EventKind.DIRECT_MESSAGE, 9001),
    (
        15,
        14,
        7,
        PAUL,
        "Ma commande n°4533 est annoncée livrée mais je n'ai rien reçu.",
        EventKind.DIRECT_MESSAGE,
        0,
    ),
    (15, 16, 8, PAUL, "Toujours rien… c'est la deuxième fois.", EventKind.DIRECT_MESSAGE, 0),
    (13, 9, 9002, None, "", EventKind.REACTION, 9002),  # delivered
    (13, 11, 9, PAUL, "Reçue, merci pour le geste.", EventKind.DIRECT_MESSAGE, 9002),
    (
        10,
        12,
        10,
        ANNA,
        "Hi! Do you sell the Ethiopia Guji as whole beans?",
        EventKind.DIRECT_MESSAGE,
        0,
    ),
    (10, 13, 11, ANNA, "Lovely, I'll come by the shop.", EventKind.DIRECT_MESSAGE, 0),
    (7, 18, 12, RUDE, "Arrêtez de m'écrire, bande d'escrocs !!!", EventKind.DIRECT_MESSAGE, 0),
    (5, 10, 9003, None, "", EventKind.REACTION, 9003),  # delivered
    (5, 11, 13, CLAIRE, "Le Kenya est dispo en 1 kg ?", EventKind.DIRECT_MESSAGE, 9003),
    (3, 9, 14, HUGO, "Le moulin Comandante, vous l'avez en stock ?", EventKind.DIRECT_MESSAGE, 0),
    (1, 17, 15, SARAH, "Merci pour l'atelier, c'était top ☕", EventKind.DIRECT_MESSAGE, 0),
]


def events(now: datetime) -> list[Event]:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    seen_status: dict[int, int] = {}
    for days, hours, number, author, text, kind, parent in ROWS:
        moment = midnight - timedelta(days=days) + timedelta(hours=hours)
        if author is None:
            seen_status[number] = seen_status.get(number, 0) + 1
            status = "delivered" if seen_status[number] == 1 else "read"
            found.append(
                Event(
                    kind=EventKind.REACTION,
                    remote_id=f"{_id(number)}:{status}",
                    author=None,
                    occurred_at=moment,
                    parent_remote_id=_id(number),
                    raw={
                        "id": _id(number),
                        "status": status,
                        "recipient_id": SHOP_TEMPLATES[number][1].remote_id,
                        "liant_template": SHOP_TEMPLATES[number][0],
                    },
                )
            )
            continue
        found.append(
            Event(
                kind=kind,
                remote_id=_id(number),
                author=author,
                occurred_at=moment,
                text=text,
                parent_remote_id=_id(parent) if parent else "",
                language="en" if author is ANNA else "fr",
                raw={"from": author.remote_id, "id": _id(number), "type": "text"},
            )
        )
    return found
