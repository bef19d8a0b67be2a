"""Demo data: Maison Lumière's Slack workspace for its wholesale customers and regulars,
channels #annonces and #le-comptoir.

Pure data (no database): the demo step stores these events on a disconnected channel. The
ids are fixed (channel:ts), so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind
from liant.connectors.slack.connector import permalink, remote_id_of

NAME = "Maison Lumière (Slack)"
TEAM = "T06LUMIERE"
TEAM_URL = "https://maisonlumiere.slack.com/"
ANNONCES = "C06ANNONCES"
COMPTOIR = "C06COMPTOIR"
BOT = "U06LIANTBT"
BASE_TS = 1761955200  # 2025-11-01: the demo's ts are fixed, its dates follow `now`
SETTINGS = {
    "account_id": TEAM,
    "team_name": "Maison Lumière",
    "team_url": TEAM_URL,
    "bot_user_id": BOT,
    "bot_id": "B06LIANTBT",
    "channels": [ANNONCES, COMPTOIR],
    "channel_names": {ANNONCES: "annonces", COMPTOIR: "le-comptoir"},
    "publish_channel": ANNONCES,
}


def _person(user_id: str, handle: str, name: str) -> Author:
    return Author(remote_id=user_id, handle=handle, name=name, url=f"{TEAM_URL}team/{user_id}")


BRAND = _person(BOT, "liant", "Maison Lumière")
JULES = _person("U06JULES01", "jules", "Jules")
NINA = _person("U06NINA002", "nina", "Nina")
MARC = _person("U06MARC003", "marc", "Marc")
EMMA = _person("U06EMMA004", "emma", "Emma")
LEO = _person("U06LEO0005", "leo", "Léo")
RUDE = _person("U06NOPE006", "nope", "nope")
OWEN = _person("U06OWEN007", "owen", "Owen")

# (days ago, channel, ts suffix, author, text, thread root suffix or "")
MESSAGES = [
    (27, ANNONCES, "100", BRAND, "☕ Arrivage : Colombie Huila, notes de panela et de cerise.", ""),
    (26, ANNONCES, "110", JULES, "Trop hâte de le goûter en filtre !", "100"),
    (26, ANNONCES, "120", NINA, "Il existe en 250 g ?", "100"),
    (25, ANNONCES, "130", BRAND, "Oui Nina, en 250 g et en 1 kg.", "100"),
    (22, COMPTOIR, "200", MARC, "Quel moulin conseillez-vous pour l'espresso à la maison ?", ""),
    (22, COMPTOIR, "210", LEO, "Le Niche Zero, sans hésiter.", "200"),
    (21, COMPTOIR, "220", EMMA, "Sinon un Eureka Mignon, plus abordable.", "200"),
    (21, COMPTOIR, "230", MARC, "Merci, je regarde les deux !", "200"),
    (
        18,
        ANNONCES,
        "300",
        BRAND,
        "Atelier dégustation samedi 14 h à la brûlerie, 8 places. Inscriptions ici.",
        "",
    ),
    (18, ANNONCES, "310", EMMA, "Je m'inscris pour deux personnes 🙌", "300"),
    (17, ANNONCES, "320", OWEN, "Is the tasting workshop held in English too?", "300"),
    (17, ANNONCES, "330", BRAND, "Hi Owen, it is in French but the team speaks English.", "300"),
    (
        14,
        COMPTOIR,
        "400",
        NINA,
        "Ma commande n°4521 n'est toujours pas arrivée, ça fait dix jours…",
        "",
    ),
    (14, COMPTOIR, "410", BRAND, "Désolés Nina, on regarde avec le transporteur.", "400"),
    (13, COMPTOIR, "420", NINA, "Reçue ce matin, merci pour le suivi !", "400"),
    (10, COMPTOIR, "500", JULES, f"<@{BOT}> vous faites des dosettes compostables ?", ""),
    (9, COMPTOIR, "510", RUDE, "Votre café c'est de l'arnaque, bande de voleurs", ""),
    (7, COMPTOIR, "600", OWEN, "Best Ethiopian I've had in Lyon, thanks!", ""),
    (5, COMPTOIR, "700", LEO, "Le Kenya a un goût de cassis incroyable en V60.", ""),
    (5, COMPTOIR, "710", EMMA, "Même avis, surtout à 93 °C.", "700"),
    (3, ANNONCES, "800", BRAND, "Fermeture exceptionnelle lundi : inventaire annuel.", ""),
    (2, COMPTOIR, "900", MARC, "Le café du mois est-il encore dispo en grains ?", ""),
]


def events(now: datetime) -> list[Event]:
    """The workspace's last weeks. The ts are fixed (BASE_TS plus the row's place), whatever
    `now` is, so loading the demo again on another day adds nothing."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    roots: dict[str, str] = {}
    for days, channel, suffix, author, text, root in MESSAGES:
        moment = midnight - timedelta(days=days) + timedelta(hours=9, minutes=int(suffix) // 10)
        ts = f"{BASE_TS + int(suffix) * 60}.000{suffix}"
        roots[suffix] = ts
        thread = roots[root] if root else ""
        parent = remote_id_of(channel, thread) if thread else ""
        if f"<@{BOT}>" in text:
            kind = EventKind.MENTION
        elif parent:
            kind = EventKind.COMMENT
        else:
            kind = EventKind.POST
        found.append(
            Event(
                kind=kind,
                remote_id=remote_id_of(channel, ts),
                author=author,
                occurred_at=moment,
                text=text,
                url=permalink(TEAM_URL, channel, ts, thread),
                parent_remote_id=parent,
                thread_remote_id=parent,
                language="en" if text.startswith(("Is ", "Hi ", "Best ")) else "fr",
                raw={"type": "message", "channel": channel, "ts": ts, "user": author.remote_id},
            )
        )
    return found
