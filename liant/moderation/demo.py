"""Demo moderation for Maison Lumière: a charter in French and English, a dozen rules, and a
queue of realistic messages (insults, a spam wave, an off-topic ad, a phone number) judged by
the real engine. A heated but fair complaint is among them and must stay untouched.

The messages arrive by the support mailbox, a channel where no network lets Liant delete
anything: the rules that would delete show, in the queue, why they could not.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from liant.channels.models import Channel, Event
from liant.demo.loader import DemoContext, step
from liant.moderation import queue
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Charter, Item, Rule, Severity

CHARTER_FR = """Bienvenue dans la communauté Maison Lumière.
En participant, vous acceptez ces règles.

## 1. Respect
Pas d'insultes, de menaces, de propos haineux ni d'attaques personnelles. La critique est la
bienvenue, même vive : on critique des produits et des services, pas des personnes.

## 2. Lisibilité
Écrivez pour être lu : pas de messages entièrement en majuscules, pas de messages répétés.

## 3. Pas de publicité
Pas de spam, de liens raccourcis, d'offres commerciales ni de promotion d'autres marques.

## 4. Vie privée
Ne publiez pas les coordonnées d'autrui (téléphone, adresse, e-mail).
"""

CHARTER_EN = """Welcome to the Maison Lumière community. By taking part you accept these rules.

## 1. Respect
No insults, threats, hate or personal attacks. Criticism is welcome, even heated: criticise
products and services, not people.

## 2. Readability
Write to be read: no messages entirely in capitals, no repeated messages.

## 3. No advertising
No spam, shortened links, commercial offers or promotion of other brands.

## 4. Privacy
Do not publish other people's contact details (phone, address, e-mail).
"""

RULES = [
    {
        "name": "Insultes et menaces",
        "article": 1,
        "severity": Severity.CRITICAL,
        "action": Action.DELETE,
        "words": "connard\nconnasse\nabruti\ncrétin\nta gueule\nva te faire foutre\n"
        "idiot\nmoron\nfuck you\nkill yourself",
    },
    {
        "name": "Insulte probable (classifieur)",
        "article": 1,
        "severity": Severity.HIGH,
        "action": Action.HOLD,
        "min_toxicity": 0.8,
    },
    {
        "name": "Propos haineux",
        "article": 1,
        "severity": Severity.CRITICAL,
        "action": Action.BAN,
        "words": "sale arabe\nsale juif\nsale noir\nbougnoule\nyoupin\nfaggot\nnigger",
    },
    {
        "name": "Spam probable (classifieur)",
        "article": 3,
        "severity": Severity.HIGH,
        "action": Action.DELETE,
        "min_spam": 0.85,
    },
    {
        "name": "Vague de messages identiques",
        "article": 2,
        "severity": Severity.HIGH,
        "action": Action.HOLD,
        "wave_size": 3,
    },
    {
        "name": "Liens raccourcis",
        "article": 3,
        "severity": Severity.MEDIUM,
        "action": Action.HOLD,
        "denied_domains": "bit.ly\ntinyurl.com\ncutt.ly\nt.co",
    },
    {
        "name": "Nouveau membre avec un lien",
        "article": 3,
        "severity": Severity.MEDIUM,
        "action": Action.HOLD,
        "new_member_days": 1,
        "max_previous_messages": 0,
        "min_links": 1,
    },
    {
        "name": "Avalanche de mentions",
        "article": 3,
        "severity": Severity.MEDIUM,
        "action": Action.HOLD,
        "min_mentions": 5,
    },
    {
        "name": "Tout en majuscules",
        "article": 2,
        "severity": Severity.LOW,
        "action": Action.WARN,
        "all_caps": True,
        "warning": "Merci d'éviter les messages en majuscules (article {article}).",
    },
    {
        "name": "Numéro de téléphone",
        "article": 4,
        "severity": Severity.MEDIUM,
        "action": Action.HOLD,
        "pattern": r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d\d){4}(?!\d)",
    },
    {
        "name": "Publicité hors sujet",
        "article": 3,
        "severity": Severity.LOW,
        "action": Action.LABEL,
        "label": "publicité",
        "words": "promo\ncode promo\nsoldes\ndiscount\n% off\nlivraison gratuite",
    },
    {
        # Rate limits that escalate with the level: a newcomer's first day is tighter than an
        # observer's, and contributors and ambassadors have none.
        "name": "Premier jour : 3 messages en 10 minutes au plus",
        "article": 3,
        "severity": Severity.LOW,
        "action": Action.HOLD,
        "new_member_days": 1,
        "rate_messages": 3,
        "rate_minutes": 10,
    },
    {
        "name": "Observateurs : 10 messages en 10 minutes au plus",
        "article": 3,
        "severity": Severity.LOW,
        "action": Action.HOLD,
        "up_to_level": "observer",
        "rate_messages": 10,
        "rate_minutes": 10,
    },
    {
        "name": "Nos propres liens",
        "severity": Severity.LOW,
        "action": Action.ALLOW,
        "denied_domains": "maison-lumiere.example",
    },
]

# (minutes ago, author, text)
MESSAGES = [
    (300, "julie.m@example.org", "Bonjour, la boutique de Lyon ouvre-t-elle le dimanche ?"),
    (280, "marc.b@example.org",
     "Trois semaines que j'attends ma commande et personne ne répond. Votre service client est "
     "une catastrophe, c'est du foutage de gueule. Je veux un remboursement."),
    (260, "troll42@example.net", "Ta gueule, espèce de connard de community manager"),
    (250, "sam@example.com", "You people are morons, fuck you and your burnt beans"),
    (240, "promo-bot-1@example.net",
     "Gagnez un iPhone 16 ! Cliquez sur https://bit.ly/cadeau-lumiere, offre limitée"),
    (239, "promo-bot-2@example.net",
     "Gagnez un iPhone 16 !! Cliquez sur https://bit.ly/cadeau-lumiere, offre limitée"),
    (238, "promo-bot-3@example.net",
     "gagnez un iphone 16, cliquez sur https://bit.ly/cadeau-lumiere offre limitée"),
    (237, "promo-bot-4@example.net",
     "GAGNEZ UN IPHONE 16 !!! https://bit.ly/cadeau-lumiere OFFRE LIMITÉE"),
    (200, "lea.t@example.org",
     "Petite promo chez mon salon de thé ce week-end, -20% sur les scones, venez nombreux !"),
    (180, "kevin.d@example.org", "POURQUOI LE CAFÉ A ENCORE AUGMENTÉ ??? C'EST INADMISSIBLE"),
    (170, "nadia@example.org",
     "Le livreur a laissé mon colis chez Mme Durand, appelez-la au 06 12 34 56 78"),
    (150, "chris@example.com",
     "Honestly the new roast is a disappointment: bitter, flat, and more expensive. Bring "
     "back the old one, this is not what I pay for."),
    (120, "amelie@example.org", "Merci pour l'atelier latte art, super ambiance ! 🙌"),
    (100, "bob.j@example.com", "@ana @luc @eva @tom @zoe regardez ma chaîne, abonnez-vous"),
    (90, "camille.r@example.org", "La recette du cold brew est sur https://maison-lumiere.example/recettes"),
]  # fmt: skip

HEATED = 1  # the index of the fair complaint in MESSAGES: it must not be removed


@step(140)
def moderation(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    camille, malik = context.users["camille"], context.users["malik"]
    if not Charter.objects.filter(workspace=workspace).exists():
        Charter.objects.create(
            workspace=workspace, version=1, body_fr=CHARTER_FR, body_en=CHARTER_EN,
            created_by=camille,
        )  # fmt: skip
    for fields in RULES:
        Rule.objects.get_or_create(
            workspace=workspace,
            name=fields["name"],
            defaults={**fields, "active": True, "created_by": camille},
        )
    channel = Channel.objects.filter(workspace=workspace, kind="email").first()
    if channel is None:
        return
    now = timezone.now()
    for n, (minutes, author, text) in enumerate(MESSAGES):
        Event.objects.get_or_create(
            channel=channel,
            kind="direct_message",
            remote_id=f"<demo-moderation-{n}@maison-lumiere.example>",
            defaults={
                "workspace": workspace,
                "author_remote_id": author,
                "author_handle": author,
                "text": text,
                "occurred_at": now - timedelta(minutes=minutes),
            },
        )
    moderate_new_events(workspace)
    # Léa's teammate reports the ad; Malik has already dealt with one item from the queue.
    ad = Item.objects.filter(workspace=workspace, event__author_remote_id="lea.t@example.org")
    for item in ad:
        if not item.reports.exists():
            queue.report(item, f"user:{camille.pk}", "Pub pour un autre commerce")
    context.notes.append(
        "Moderation: a charter (FR/EN, public at /charter/maison-lumiere/), 14 rules (two are "
        "rate limits by level), and a "
        f"review queue of {Item.objects.filter(workspace=workspace, state='queued').count()} "
        f"messages for {malik.name}"
    )
