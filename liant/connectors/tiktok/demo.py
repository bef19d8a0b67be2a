"""Demo data: Maison Lumière's TikTok videos.

Only the account's own videos: TikTok's API gives an app no comments to read, so a TikTok
channel brings no conversation into Liant, and the demo shows none either. Pure data (no
database); the ids are fixed, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (TikTok)"
OPEN_ID = "afd97af1-b87b-48b9-ac98-410aghda5344"
SETTINGS = {"account_id": OPEN_ID, "display_name": "Maison Lumière", "privacy_level": "SELF_ONLY"}
BRAND = Author(
    remote_id=OPEN_ID,
    handle="@maisonlumiere",
    name="Maison Lumière",
    url="https://www.tiktok.com/@maisonlumiere",
)

# (days ago, hour, caption)
VIDEOS = [
    (27, 18, "Un sac de 60 kg d'Éthiopie Guji arrive à la Croix-Rousse 📦 #cafe #lyon"),
    (25, 12, "Premier essai de torréfaction du Guji : on goûte à chaque minute du développement."),
    (23, 17, "V60 en 60 secondes : 15 g, 250 ml, eau à 94 °C. #filtre #coffeetok"),
    (21, 9, "Pourquoi on ne vend pas de café moulu d'avance (ou presque) 👇"),
    (19, 18, "Latte art : un cœur, une tulipe, un cygne. Le cygne n'est pas encore ça 😅"),
    (17, 12, "Moulin manuel ou électrique ? Notre barista Léa compare en vrai."),
    (15, 17, "Les coulisses d'une commande : de la balance au carton, en 40 secondes."),
    (13, 9, "Atelier dégustation du 6 décembre : ce qu'on va goûter, sans trop en dire."),
    (11, 18, "Espresso trop amer ? Trois réglages à essayer avant de changer de café."),
    (9, 12, "Our Guji, roasted in Lyon: peach, jasmine, bergamot. Subtitles in English!"),
    (7, 17, "Livraisons en retard cette semaine : on vous explique, et on vous dit quoi faire."),
    (5, 9, "Le décaféiné à l'eau, comment ça marche ? Démonstration en cuisine."),
    (4, 18, "Le Comandante est de retour : on le règle avec vous en boutique."),
    (2, 12, "Cold brew en décembre ? Oui, et voici pourquoi."),
    (1, 17, "Préparation de l'atelier : 12 tasses, 3 origines, 1 bouilloire qui siffle."),
]
BASE = 7230000000000000100


def events(now: datetime) -> list[Event]:
    result = []
    for index, (days, hour, caption) in enumerate(VIDEOS):
        when = (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        video_id = str(BASE + index)
        result.append(
            Event(
                kind=EventKind.POST,
                remote_id=video_id,
                author=BRAND,
                occurred_at=min(when, now - timedelta(minutes=5)),
                text=caption,
                url=f"https://www.tiktok.com/@maisonlumiere/video/{video_id}",
                language="en" if caption.startswith("Our ") else "fr",
                raw={"id": video_id, "demo": True},
            )
        )
    return result
