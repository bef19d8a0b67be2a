"""Demo data: Maison Lumière's X account, its posts and what people said to and about it.

Pure data (no database): the demo step stores these events on a disconnected channel. The
ids are fixed, so loading the demo again adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (X)"
ACCOUNT = "1491005551001419778"
SETTINGS = {"account_id": ACCOUNT, "username": "maisonlumiere"}


def _person(user_id: str, name: str, username: str) -> Author:
    return Author(
        remote_id=user_id, handle=f"@{username}", name=name, url=f"https://x.com/{username}"
    )


BRAND = _person(ACCOUNT, "Maison Lumière", "maisonlumiere")
CLAIRE = _person("2244994945", "Claire Dumas", "claire_dms")
KARIM = _person("6253282", "Karim Benali", "karimb")
TOM = _person("783214", "Tom Wright", "tomwright")
LUCIE = _person("1354021776", "Lucie Fabre", "luciefab")
JULIEN = _person("1112223334", "Julien Morel", "jmorel_lyon")
ANNA = _person("1609887766", "Anna Schmidt", "anna_s")
RUDE = _person("1777000111", "troll lyonnais", "troll_lyon")

BASE = 1860000000000000000
# (key, days ago, hours, author, kind, text, key of the post it answers, conversation key)
ITEMS: list[tuple[int, int, int, Author, EventKind, str, int, int]] = [
    (
        1,
        24,
        9,
        BRAND,
        EventKind.POST,
        "Nouvelle récolte : Éthiopie Guji, lavé. Pêche blanche, jasmin, bergamote. "
        "Torréfié ce matin à la Croix-Rousse ☕ maison-lumiere.fr/guji",
        0,
        1,
    ),
    (
        2,
        24,
        11,
        CLAIRE,
        EventKind.COMMENT,
        "@maisonlumiere Il arrive quand en 250 g ? Le 1 kg c'est beaucoup pour nous deux 😅",
        1,
        1,
    ),
    (
        3,
        24,
        12,
        BRAND,
        EventKind.POST,
        "@claire_dms Dès jeudi en 250 g, en grains ou moulu pour filtre !",
        2,
        1,
    ),
    (
        4,
        23,
        8,
        KARIM,
        EventKind.COMMENT,
        "@maisonlumiere Goûté ce matin en V60, 15 g pour 250 ml : incroyable, très floral.",
        1,
        1,
    ),
    (
        5,
        21,
        16,
        TOM,
        EventKind.MENTION,
        "Best flat white in Lyon is at @maisonlumiere, no contest. The Guji as filter is a treat.",
        0,
        5,
    ),
    (
        6,
        19,
        10,
        BRAND,
        EventKind.POST,
        "Quel moulin pour débuter ? Notre fil sur les moulins manuels à moins de 100 € 👇",
        0,
        6,
    ),
    (
        7,
        19,
        10,
        BRAND,
        EventKind.POST,
        "1/ Pour le filtre, une mouture régulière compte plus que tout : meules coniques "
        "plutôt que lames.",
        6,
        6,
    ),
    (
        8,
        19,
        13,
        LUCIE,
        EventKind.COMMENT,
        "@maisonlumiere Et pour l'espresso, un manuel suffit ou il faut un électrique ?",
        7,
        6,
    ),
    (
        9,
        19,
        15,
        BRAND,
        EventKind.POST,
        "@luciefab Un bon manuel fait l'espresso, mais il faut de la patience : 40 s de "
        "mouture par tasse.",
        8,
        6,
    ),
    (
        10,
        16,
        9,
        JULIEN,
        EventKind.MENTION,
        "@maisonlumiere commande passée il y a 8 jours, toujours pas reçue. Le suivi ne "
        "bouge plus depuis lundi. Un souci ?",
        0,
        10,
    ),
    (
        11,
        16,
        10,
        BRAND,
        EventKind.POST,
        "@jmorel_lyon Désolés Julien ! Envoyez-nous votre n° de commande en message, on "
        "relance le transporteur aujourd'hui.",
        10,
        10,
    ),
    (
        12,
        15,
        18,
        JULIEN,
        EventKind.COMMENT,
        "@maisonlumiere Reçu ce soir, merci pour la relance et le petit échantillon en plus 🙏",
        11,
        10,
    ),
    (
        13,
        12,
        9,
        BRAND,
        EventKind.POST,
        "Atelier dégustation samedi 6 décembre, 10 h, à la boutique : 12 places, trois "
        "origines, une méthode douce. Inscriptions : maison-lumiere.fr/atelier",
        0,
        13,
    ),
    (
        14,
        12,
        10,
        CLAIRE,
        EventKind.COMMENT,
        "@maisonlumiere Il reste des places pour l'atelier ? On serait deux.",
        13,
        13,
    ),
    (
        15,
        12,
        11,
        BRAND,
        EventKind.POST,
        "@claire_dms Oui, encore 5 ! Le lien d'inscription est dans le post 😊",
        14,
        13,
    ),
    (
        16,
        11,
        14,
        ANNA,
        EventKind.COMMENT,
        "@maisonlumiere Is the workshop in English too? I'm visiting Lyon that weekend.",
        13,
        13,
    ),
    (
        17,
        11,
        16,
        BRAND,
        EventKind.POST,
        "@anna_s Mostly in French, but our barista Léa will happily translate. Welcome!",
        16,
        13,
    ),
    (
        18,
        9,
        20,
        RUDE,
        EventKind.COMMENT,
        "@maisonlumiere 9 € les 250 g pour du jus de chaussette, vous vous moquez du monde, "
        "bande d'escrocs",
        13,
        13,
    ),
    (
        19,
        7,
        8,
        KARIM,
        EventKind.MENTION,
        "Le décaféiné de @maisonlumiere est le premier que je bois sans regret. Procédé à "
        "l'eau, ça se sent.",
        0,
        19,
    ),
    (
        20,
        5,
        9,
        BRAND,
        EventKind.POST,
        "Retards de livraison cette semaine : grève chez notre transporteur. Vos commandes "
        "partent, avec 2 à 3 jours de plus. Merci de votre patience.",
        0,
        20,
    ),
    (
        21,
        5,
        12,
        LUCIE,
        EventKind.COMMENT,
        "@maisonlumiere Merci de prévenir, c'est rare ! Je passerai en boutique du coup.",
        20,
        20,
    ),
    (
        22,
        4,
        17,
        TOM,
        EventKind.COMMENT,
        "@maisonlumiere Mine is 5 days late and nobody answers the email. Not great.",
        20,
        20,
    ),
    (
        23,
        2,
        10,
        BRAND,
        EventKind.POST,
        "Le moulin Comandante est de retour en boutique, en noir et en noyer.",
        0,
        23,
    ),
    (
        24,
        1,
        15,
        JULIEN,
        EventKind.COMMENT,
        "@maisonlumiere Vous le réglez pour nous en boutique si on l'achète chez vous ?",
        23,
        23,
    ),
]


def events(now: datetime) -> list[Event]:
    result = []
    for key, days, hour, author, kind, text, parent, conversation in ITEMS:
        day = (now - timedelta(days=days)).replace(hour=hour, minute=5, second=0, microsecond=0)
        remote_id = str(BASE + key)
        result.append(
            Event(
                kind=kind,
                remote_id=remote_id,
                author=author,
                occurred_at=min(day, now - timedelta(minutes=5)),
                text=text,
                url=f"https://x.com/{author.handle.lstrip('@')}/status/{remote_id}",
                parent_remote_id=str(BASE + parent) if parent else "",
                thread_remote_id=str(BASE + conversation),
                language="en" if author in (TOM, ANNA) else "fr",
                raw={"id": remote_id, "conversation_id": str(BASE + conversation), "demo": True},
            )
        )
    return result
