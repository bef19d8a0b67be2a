"""Demo data: Maison Lumière's Instagram account, its posts, the comments under them, the
posts it is tagged in, and direct messages. Pure data (no database); fixed ids, so loading
the demo again adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Instagram)"
ACCOUNT = "17841405822304914"
SETTINGS = {
    "account_id": ACCOUNT,
    "username": "maisonlumiere.cafe",
    "page_id": "104523697823456",
    "page_name": "Maison Lumière",
}

BRAND = Author(
    remote_id=ACCOUNT,
    handle="@maisonlumiere.cafe",
    name="maisonlumiere.cafe",
    url="https://www.instagram.com/maisonlumiere.cafe/",
)


def _person(number: int, username: str) -> Author:
    return Author(
        remote_id=f"178414000000{number:05d}",
        handle=f"@{username}",
        name=username,
        url=f"https://www.instagram.com/{username}/",
    )


CLAIRE = _person(1, "claire_dms")
KARIM = _person(2, "karimb")
LUCIE = _person(3, "luciefab")
TOM = _person(4, "tomwright")
ANNA = _person(5, "anna_s")
RUDE = _person(6, "troll_lyon")
INES = _person(7, "ines.brew")

# (days ago, post number, caption)
POSTS = [
    (22, 1, "Nouvelle récolte : Éthiopie Guji 🍑 notes de pêche blanche et jasmin."),
    (15, 2, "Dans les coulisses de la torréfaction, un mardi matin à la Croix-Rousse 🔥"),
    (7, 3, "Atelier dégustation samedi 6 décembre : plus que 4 places !"),
    (2, 4, "Le moulin du mois : Comandante C40, notre chouchou pour le filtre."),
]
# (days ago, hours, comment number, post number, author, text)
COMMENTS = [
    (21, 3, 11, 1, CLAIRE, "Trop hâte de goûter 😍"),
    (21, 1, 12, 1, INES, "Il sort bien en espresso ?"),
    (14, 4, 13, 2, TOM, "Love the roaster! Is it a Giesen?"),
    (14, 2, 14, 2, LUCIE, "Ça sent bon jusqu'ici 😄"),
    (6, 5, 15, 3, ANNA, "Is the tasting in English too?"),
    (6, 2, 16, 3, KARIM, "Et ma commande de la semaine dernière, elle arrive quand ?"),
    (5, 8, 17, 3, RUDE, "Café surcoté, prix de voleurs, honteux."),
    (1, 6, 18, 4, INES, "Le C40 pour l'espresso aussi, ou plutôt un électrique ?"),
    (1, 2, 19, 4, CLAIRE, "Je confirme, il est top !"),
]
# (days ago, media number, author, caption)
TAGS = [
    (10, 1, TOM, "Mon V60 du matin avec le Guji de @maisonlumiere.cafe ☕"),
    (3, 2, LUCIE, "Pause café parfaite grâce à @maisonlumiere.cafe"),
]
# (days ago, hours, message number, author, text)
MESSAGES = [
    (9, 3, 31, ANNA, "Bonjour ! Vous expédiez en Belgique ?"),
    (4, 2, 32, KARIM, "Toujours pas de colis, vous pouvez regarder la commande 4821 ?"),
    (1, 1, 33, INES, "Vous faites des coffrets cadeaux pour Noël ?"),
]


def events(now: datetime) -> list[Event]:
    found = []
    for days, number, caption in POSTS:
        found.append(
            Event(
                kind=EventKind.POST,
                remote_id=f"1792023842203{number:04d}",
                author=BRAND,
                occurred_at=now - timedelta(days=days),
                text=caption,
                url=f"https://www.instagram.com/p/DemoLumiere{number}/",
            )
        )
    for days, hours, number, post, author, text in COMMENTS:
        media = f"1792023842203{post:04d}"
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=f"178588932690{number:05d}",
                author=author,
                occurred_at=now - timedelta(days=days, hours=hours),
                text=text,
                url=f"https://www.instagram.com/p/DemoLumiere{post}/",
                parent_remote_id=media,
                thread_remote_id=media,
            )
        )
    for days, number, author, caption in TAGS:
        found.append(
            Event(
                kind=EventKind.MENTION,
                remote_id=f"1801234567890{number:04d}",
                author=author,
                occurred_at=now - timedelta(days=days),
                text=caption,
                url=f"https://www.instagram.com/p/DemoTag{number}/",
            )
        )
    for days, hours, number, author, text in MESSAGES:
        found.append(
            Event(
                kind=EventKind.DIRECT_MESSAGE,
                remote_id=f"aWdfZAG1demo{number}",
                author=author,
                occurred_at=now - timedelta(days=days, hours=hours),
                text=text,
                thread_remote_id=f"instagram:{author.remote_id}",
            )
        )
    return found
