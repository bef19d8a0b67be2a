"""Demo data: Maison Lumière's Discord server, its #annonces and #le-comptoir channels.

Pure data (no database): the demo step stores these events on a disconnected channel. The
ids are fixed snowflakes, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Discord)"
GUILD = "1180000000000000001"
ANNONCES = "1180000000000000010"
COMPTOIR = "1180000000000000011"
WORKSHOP_THREAD = "1180000000000001200"  # a thread started from the workshop post
BOT = "1180000000000000099"
SETTINGS = {
    "guild_id": GUILD,
    "guild_name": "Maison Lumière",
    "channels": [ANNONCES, COMPTOIR],
    "announcement_channels": [ANNONCES],
    "publish_channel": ANNONCES,
    "bot_id": BOT,
    "application_id": BOT,
}


def _member(user_id: str, username: str, name: str) -> Author:
    return Author(
        remote_id=user_id,
        handle=username,
        name=name,
        url=f"https://discord.com/users/{user_id}",
    )


TEAM = _member(BOT, "maisonlumiere", "Maison Lumière")  # the bot speaks for the brand
JULES = _member("1180000000000000101", "jules_espresso", "Jules")
NINA = _member("1180000000000000102", "nina.v60", "Nina")
MARC = _member("1180000000000000103", "marc_lyon", "Marc")
EMMA = _member("1180000000000000104", "emma_brews", "Emma")
LEO = _member("1180000000000000105", "leo.grind", "Léo")
RUDE = _member("1180000000000000106", "nope_nope", "nope")
OWEN = _member("1180000000000000107", "owen.coffee", "Owen")

# (days ago, channel, message id, author, text, answered message id, language)
MESSAGES = [
    (
        26,
        ANNONCES,
        "1180000000000001100",
        TEAM,
        "☕ Arrivage : Colombie Huila, notes de panela et de cerise. En boutique et en ligne.",
        "",
        "fr",
    ),
    (
        25,
        COMPTOIR,
        "1180000000000001101",
        JULES,
        "Quelqu'un l'a essayé en espresso ? Je cherche le bon ratio.",
        "",
        "fr",
    ),
    (
        25,
        COMPTOIR,
        "1180000000000001102",
        NINA,
        "1:2 en 28 s chez moi, c'est très rond.",
        "1180000000000001101",
        "fr",
    ),
    (
        24,
        COMPTOIR,
        "1180000000000001103",
        OWEN,
        "Tried it as a flat white this morning, lovely chocolate finish.",
        "",
        "en",
    ),
    (
        19,
        ANNONCES,
        WORKSHOP_THREAD,
        TEAM,
        "📣 Atelier dégustation le 12 : cupping de trois origines, 12 places. "
        "Inscriptions dans le fil !",
        "",
        "fr",
    ),
    (19, WORKSHOP_THREAD, "1180000000000001201", MARC, "Je m'inscris, avec ma sœur 🙌", "", "fr"),
    (18, WORKSHOP_THREAD, "1180000000000001202", EMMA, "Il faut apporter son matériel ?", "", "fr"),
    (
        18,
        WORKSHOP_THREAD,
        "1180000000000001203",
        TEAM,
        "Non, on fournit tout : cuillères, tasses et le café bien sûr !",
        "1180000000000001202",
        "fr",
    ),
    (
        17,
        WORKSHOP_THREAD,
        "1180000000000001204",
        OWEN,
        "Will it be in French only? Happy to try anyway.",
        "",
        "en",
    ),
    (
        12,
        COMPTOIR,
        "1180000000000001301",
        LEO,
        "Moulin conseillé pour débuter en filtre, budget 100 € ?",
        "",
        "fr",
    ),
    (
        12,
        COMPTOIR,
        "1180000000000001302",
        NINA,
        "Le Timemore C2, increvable.",
        "1180000000000001301",
        "fr",
    ),
    (
        11,
        COMPTOIR,
        "1180000000000001303",
        JULES,
        "Ma commande de la semaine dernière n'est toujours pas arrivée, c'est normal ?",
        "",
        "fr",
    ),
    (
        11,
        COMPTOIR,
        "1180000000000001304",
        TEAM,
        "Désolés Jules, le transporteur a du retard cette semaine. On vous écrit en privé.",
        "1180000000000001303",
        "fr",
    ),
    (
        9,
        COMPTOIR,
        "1180000000000001305",
        RUDE,
        "votre café c'est de la m***e, arrêtez de spammer",
        "",
        "fr",
    ),
    (
        6,
        ANNONCES,
        "1180000000000001400",
        TEAM,
        "Nouveau : l'abonnement mensuel, un café différent chaque mois, livraison offerte.",
        "",
        "fr",
    ),
    (
        6,
        COMPTOIR,
        "1180000000000001401",
        MARC,
        "L'abonnement, on peut choisir la mouture ?",
        "",
        "fr",
    ),
    (
        5,
        COMPTOIR,
        "1180000000000001402",
        EMMA,
        "Reçu le Huila, merci pour le petit mot manuscrit 💛",
        "",
        "fr",
    ),
    (
        4,
        COMPTOIR,
        "1180000000000001403",
        LEO,
        "Trois semaines pour un remboursement, franchement c'est long.",
        "",
        "fr",
    ),
    (
        2,
        COMPTOIR,
        "1180000000000001404",
        OWEN,
        "Do you ship to Geneva? Asking for a friend.",
        "",
        "en",
    ),
]


def _id(channel: str, message_id: str, author: Author) -> str:
    # Members' messages carry their author's id; the bot's own ones do not (see connector).
    if author is TEAM:
        return f"{channel}:{message_id}"
    return f"{channel}:{message_id}:{author.remote_id}"


def events(now: datetime) -> list[Event]:
    ids = {m[2]: _id(m[1], m[2], m[3]) for m in MESSAGES}
    thread_root = ids[WORKSHOP_THREAD]
    found = []
    for days, channel, message_id, author, text, answered, language in MESSAGES:
        in_thread = channel == WORKSHOP_THREAD
        parent = ids[answered] if answered else (thread_root if in_thread else "")
        kind = EventKind.COMMENT if parent else EventKind.POST
        found.append(
            Event(
                kind=kind,
                remote_id=ids[message_id],
                author=author,
                occurred_at=now - timedelta(days=days, hours=3),
                text=text,
                url=f"https://discord.com/channels/{GUILD}/{channel}/{message_id}",
                parent_remote_id=parent,
                thread_remote_id=thread_root if in_thread else "",
                language=language,
            )
        )
    return found
