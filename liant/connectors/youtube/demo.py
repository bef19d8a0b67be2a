"""Demo data: the comments on Maison Lumière's YouTube videos.

Pure data (no database): the demo step stores these events on a disconnected channel. The ids
are fixed, so loading the demo again adds nothing. YouTube has no community posts through its
API, so there are comments and replies only, as the connector reads them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (YouTube)"
CHANNEL = "UCm4iS0nLumiere0000000aA"
SETTINGS = {"account_id": CHANNEL, "title": "Maison Lumière", "custom_url": "@maisonlumiere"}


def _viewer(channel_id: str, handle: str) -> Author:
    return Author(
        remote_id=channel_id,
        handle=handle,
        name=handle,
        url=f"http://www.youtube.com/{handle}",
        avatar_url=f"https://yt3.ggpht.com/{handle.lstrip('@')}=s48-c-k",
    )


CLAIRE = _viewer("UCclaire0000000000000aF", "@clairedumas")
KARIM = _viewer("UCkarim00000000000000aB", "@karimbenali")
SOPHIE = _viewer("UCsophie0000000000000aG", "@sophiemartin")
TOM = _viewer("UCtom0000000000000000aC", "@tomwright")
LUCIE = _viewer("UClucie00000000000000aH", "@luciefabre")
ANNA = _viewer("UCanna00000000000000aJ", "@annaschmidt")
RUDE = _viewer("UCtroll00000000000000aE", "@troll_lyon")

# Videos: id → days since it went out.
VIDEOS = {"dQw4Lumiere": 21, "Xy9Lumiere2": 12, "Pq7Lumiere3": 4}

# (video, hours after it went out, thread id, reply suffix or "", author, text, held)
COMMENTS = [
    ("dQw4Lumiere", 5, "UgzML01", "", KARIM, "Quelle mouture pour une Aeropress ?", False),
    ("dQw4Lumiere", 6, "UgzML01", "01", CLAIRE, "Je suis à 18 clics sur Comandante.", False),
    ("dQw4Lumiere", 9, "UgzML01", "02", KARIM, "Merci, testé ce matin, parfait !", False),
    ("dQw4Lumiere", 20, "UgzML02", "", TOM, "Do you ship to Belgium?", False),
    ("dQw4Lumiere", 50, "UgzML03", "", LUCIE, "Vidéo très claire, merci pour les conseils.", False),
    (
        "dQw4Lumiere",
        80,
        "UgzML04",
        "",
        SOPHIE,
        "Le Guji est-il encore disponible en 1 kg ?",
        False,
    ),
    ("Xy9Lumiere2", 3, "UgzML05", "", CLAIRE, "L'atelier dégustation affiche complet ?", False),
    ("Xy9Lumiere2", 4, "UgzML05", "01", ANNA, "I'd love an English session too!", False),
    (
        "Xy9Lumiere2",
        30,
        "UgzML06",
        "",
        SOPHIE,
        "Ma commande du 20 novembre n'est toujours pas arrivée…",
        False,
    ),
    ("Xy9Lumiere2", 31, "UgzML06", "01", LUCIE, "Pareil, colis bloqué depuis une semaine.", False),
    (
        "Xy9Lumiere2",
        60,
        "UgzML07",
        "",
        RUDE,
        "Arnaque totale, bande d'incapables !!! http://spam.example",
        True,
    ),
    ("Pq7Lumiere3", 2, "UgzML08", "", KARIM, "Le moulin de la vidéo, c'est lequel ?", False),
    ("Pq7Lumiere3", 8, "UgzML09", "", TOM, "Best latte art tutorial I've seen.", False),
    ("Pq7Lumiere3", 20, "UgzML10", "", CLAIRE, "Vous faites des coffrets cadeaux ?", False),
    ("Pq7Lumiere3", 26, "UgzML10", "01", SOPHIE, "Oui, vus en boutique, très jolis !", False),
    ("Pq7Lumiere3", 40, "UgzML11", "", LUCIE, "Le décaféiné est-il fait à l'eau ?", False),
]


def events(now: datetime) -> list[Event]:
    found = []
    for video, hours, thread, suffix, author, text, held in COMMENTS:
        posted = (now - timedelta(days=VIDEOS[video])).replace(minute=0, second=0, microsecond=0)
        comment_id = f"{thread}.Lm{suffix}" if suffix else thread
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=comment_id,
                author=author,
                occurred_at=min(posted + timedelta(hours=hours), now - timedelta(minutes=5)),
                text=text,
                url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}",
                parent_remote_id=thread if suffix else "",
                thread_remote_id=thread,
                raw={
                    "id": comment_id,
                    "videoId": video,
                    "parentId": thread if suffix else "",
                    "moderationStatus": "heldForReview" if held else "published",
                },
            )
        )
    return found
