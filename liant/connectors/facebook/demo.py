"""Demo data: Maison Lumière's Facebook Page, its posts, the comments under them and a few
Messenger conversations. Pure data (no database); fixed ids, so loading the demo again adds
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from liant.connectors.base import Author, Event, EventKind

NAME = "Maison Lumière (Facebook)"
PAGE = "104523697823456"
SETTINGS = {"account_id": PAGE, "page_name": "Maison Lumière", "category": "Coffee Shop"}

BRAND = Author(remote_id=PAGE, name="Maison Lumière", url=f"https://www.facebook.com/{PAGE}")


def _person(number: int, name: str) -> Author:
    return Author(remote_id=f"63123456789{number:05d}", name=name)


CLAIRE = _person(1, "Claire Dumas")
KARIM = _person(2, "Karim Benali")
SOPHIE = _person(3, "Sophie Martin")
TOM = _person(4, "Tom Wright")
LUCIE = _person(5, "Lucie Fabre")
RUDE = _person(6, "Troll Lyonnais")
ANNA = _person(7, "Anna Schmidt")
HUGO = _person(8, "Hugo Perrin")

# (days ago, post number, text)
POSTS = [
    (26, 1, "Nouvelle récolte : Éthiopie Guji, lavé, notes de pêche blanche et jasmin ☕"),
    (
        18,
        2,
        "Atelier dégustation le samedi 6 décembre à la Croix-Rousse : 12 places, inscrivez-vous !",
    ),
    (9, 3, "Quel moulin pour débuter ? Nos conseils pour l'espresso et le filtre."),
    (
        3,
        4,
        "Retards de livraison cette semaine : le transporteur rattrape, merci de votre patience 🙏",
    ),
]
# (days ago, comment number, post number, author, text, answered comment number or 0)
COMMENTS = [
    (25, 11, 1, CLAIRE, "Le Guji est-il dispo en grains de 1 kg ?", 0),
    (25, 12, 1, HUGO, "Goûté ce matin en V60, sublime.", 0),
    (17, 13, 2, SOPHIE, "Est-ce que l'atelier convient aux débutants ?", 0),
    (17, 14, 2, TOM, "Is the workshop in English too? I'd love to join.", 0),
    (16, 15, 2, LUCIE, "Inscrite ! Hâte d'y être.", 0),
    (8, 16, 3, KARIM, "Un Comandante C40 ou un Timemore, lequel pour l'espresso ?", 0),
    (8, 17, 3, ANNA, "Great guide, thanks! The burr comparison helped a lot.", 0),
    (2, 18, 4, KARIM, "Ma commande n'est toujours pas arrivée, 10 jours d'attente...", 0),
    (2, 19, 4, CLAIRE, "Reçu hier, le café était parfait malgré le retard.", 0),
    (1, 20, 4, RUDE, "Arnaque totale, bande d'incapables, votre café c'est de la flotte.", 0),
    (1, 21, 4, HUGO, "Toujours pas de numéro de suivi pour la commande 4821 ?", 18),
]
# (days ago, hours, message number, author, text)
MESSAGES = [
    (12, 2, 31, SOPHIE, "Bonjour, l'atelier du 6 décembre est-il complet ?"),
    (12, 1, 32, SOPHIE, "Et peut-on venir à deux ?"),
    (6, 5, 33, TOM, "Hi! Do you ship to London? Your Guji looks amazing."),
    (4, 3, 34, ANNA, "Vous faites des cartes cadeaux pour Noël ?"),
    (1, 6, 35, KARIM, "Je n'ai aucune nouvelle de ma commande 4821, pouvez-vous vérifier ?"),
]


def _post_id(number: int) -> str:
    return f"{PAGE}_87000000000{number:04d}"


def events(now: datetime) -> list[Event]:
    found = []
    for days, number, text in POSTS:
        found.append(
            Event(
                kind=EventKind.POST,
                remote_id=_post_id(number),
                author=BRAND,
                occurred_at=now - timedelta(days=days),
                text=text,
                url=f"https://www.facebook.com/{_post_id(number)}",
            )
        )
    for days, number, post, author, text, answered in COMMENTS:
        post_id = _post_id(post)
        comment_id = f"87000000000{post:04d}_55{number:02d}"
        parent = f"87000000000{post:04d}_55{answered:02d}" if answered else post_id
        found.append(
            Event(
                kind=EventKind.COMMENT,
                remote_id=comment_id,
                author=author,
                occurred_at=now - timedelta(days=days, hours=number % 5),
                text=text,
                url=f"https://www.facebook.com/{post_id}?comment_id={comment_id}",
                parent_remote_id=parent,
                thread_remote_id=post_id,
            )
        )
    for days, hours, number, author, text in MESSAGES:
        found.append(
            Event(
                kind=EventKind.DIRECT_MESSAGE,
                remote_id=f"m_demo_lumiere_{number}",
                author=author,
                occurred_at=now - timedelta(days=days, hours=hours),
                text=text,
                thread_remote_id=f"messenger:{author.remote_id}",
            )
        )
    return found
