"""Demo newsletters for Maison Lumière: the monthly letter, fed by the members who agreed to
receive it; its history (September's letter, with opens and clicks measured and a subject
test decided by unique clicks; the autumn letter three weeks ago), and next month's letter
scheduled. The figures come from send and click rows written as history: nothing is sent
while the demo loads, and the test's winner is computed from those rows (abtest.best).

Sending goes through the demo support mailbox's SMTP server (the e-mail channel), which shows
how a workspace reuses a channel instead of typing its relay twice.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from liant.channels.models import Channel
from liant.demo.loader import DemoContext, step
from liant.members.models import Consent, Segment
from liant.newsletters import abtest, rendering, subscriptions, tracking
from liant.newsletters.models import (
    Campaign,
    CampaignState,
    Click,
    MailingList,
    Send,
    SendingSettings,
    SendState,
    Subscriber,
    SubscriberState,
)

LIST_NAME = "La lettre de Maison Lumière"
SEGMENT_NAME = "Lettre mensuelle (consentement)"
SENT_NAME = "Lettre d'automne"
TESTED_NAME = "Lettre de la rentrée"
DRAFT_NAME = "Lettre de décembre"
CONSENT = "Je souhaite recevoir la lettre de Maison Lumière (une par mois)."

AUTUMN_FR = """# L'automne est dans la tasse

Bonjour,

Les premiers lots de la récolte **Huila (Colombie)** sont arrivés à l'atelier : notes de
pomme cuite, de cacao et de noisette. Nous les torréfions chaque mardi.

## Au programme du mois

- Atelier *latte art* à Lyon, samedi 14 h ;
- dégustation à l'aveugle de trois origines, en boutique ;
- les résultats du concours photo « Ma tasse du matin ».

[Découvrir la récolte](https://maison-lumiere.example/huila)

À très vite,
Camille, pour toute l'équipe
"""

AUTUMN_EN = """# Autumn in a cup

Hello,

The first lots of the **Huila (Colombia)** harvest have reached the roastery: baked apple,
cocoa and hazelnut. We roast them every Tuesday.

## This month

- *Latte art* workshop in Lyon, Saturday 2 pm;
- a blind tasting of three origins, in the shop;
- the results of the "My morning cup" photo contest.

[Discover the harvest](https://maison-lumiere.example/huila)

See you soon,
Camille, for the whole team
"""

SEPTEMBER_FR = """# C'est la rentrée à l'atelier

Bonjour,

Après l'été, la torréfaction reprend son rythme : deux nouveaux cafés d'Éthiopie,
**Guji** et **Sidamo**, rejoignent la carte.

[Goûter les nouveautés](https://maison-lumiere.example/ethiopie)

Et pour reprendre les bonnes habitudes : [nos conseils pour l'extraction douce](https://maison-lumiere.example/conseils)
"""

SEPTEMBER_EN = """# Back to the roastery

Hello,

After the summer the roaster is back to its rhythm: two new Ethiopian coffees,
**Guji** and **Sidamo**, join the menu.

[Taste the new coffees](https://maison-lumiere.example/ethiopia)

And to get back into good habits: [our tips for a gentle extraction](https://maison-lumiere.example/tips)
"""

DECEMBER_FR = """# Des cafés pour les fêtes

Bonjour,

Notre coffret de fin d'année réunit trois cafés de saison et un guide de dégustation.
Commandez avant le **15 décembre** pour une livraison avant Noël.

[Voir le coffret](https://maison-lumiere.example/coffret)
"""

DECEMBER_EN = """# Coffee for the holidays

Hello,

Our end-of-year box brings together three seasonal coffees and a tasting guide.
Order before **15 December** for delivery before Christmas.

[See the box](https://maison-lumiere.example/box)
"""


def _sent_campaign(mailing_list: MailingList, rng: random.Random) -> None:
    workspace = mailing_list.workspace
    if Campaign.objects.filter(workspace=workspace, name=SENT_NAME).exists():
        return
    now = timezone.now()
    started = (now - timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    campaign = Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name=SENT_NAME,
        sender_name="Maison Lumière",
        sender_address="lettre@maison-lumiere.example",
        subject_fr="L'automne est dans la tasse",
        preheader_fr="La récolte Huila est arrivée, et trois rendez-vous ce mois-ci.",
        body_fr=AUTUMN_FR,
        subject_en="Autumn in a cup",
        preheader_en="The Huila harvest is here, and three dates this month.",
        body_en=AUTUMN_EN,
        state=CampaignState.SENT,
        started_at=started,
        finished_at=started + timedelta(minutes=4),
        created_at=started - timedelta(days=2),
    )
    subscribers = list(
        Subscriber.objects.filter(
            mailing_list=mailing_list, state=SubscriberState.SUBSCRIBED
        ).select_related("member")
    )
    rows = []
    for n, subscriber in enumerate(subscribers):
        at = started + timedelta(seconds=n // 10)
        roll = rng.random()
        row = Send(
            campaign=campaign,
            subscriber=subscriber,
            email=subscriber.email,
            language="en" if (subscriber.member.language or "fr").startswith("en") else "fr",
            state=SendState.SENT,
            attempts=1,
            claimed_at=at,
            sent_at=at,
            next_attempt_at=at,
            message_id=f"<demo{n}.nl{campaign.pk}@maison-lumiere.example>",
        )
        if roll < 0.01:
            row.state, row.sent_at, row.message_id = SendState.FAILED, None, ""
            row.error = f"550 5.1.1 <{subscriber.email}>: Recipient address rejected"
        elif roll < 0.035:
            row.bounced_at, row.bounce_status = at + timedelta(minutes=3), "5.1.1"
        elif roll < 0.06:
            row.unsubscribed_at = at + timedelta(hours=rng.randint(1, 72))
        rows.append(row)
    _write(rows)


def _write(rows: list[Send]) -> None:
    Send.objects.bulk_create(rows)
    # What the figures say happened, happened to the people too: bounced addresses are
    # suppressed and the unsubscribes are recorded withdrawals of consent.
    bounced = [
        r.subscriber_id
        for r in rows
        if r.subscriber_id is not None and (r.bounced_at or r.state == SendState.FAILED)
    ]
    Subscriber.objects.filter(pk__in=bounced).update(state=SubscriberState.BOUNCED)
    for row in rows:
        if row.unsubscribed_at and row.subscriber is not None:
            Subscriber.objects.filter(pk=row.subscriber.pk).update(
                state=SubscriberState.UNSUBSCRIBED, unsubscribed_at=row.unsubscribed_at
            )
            Consent.objects.create(
                member=row.subscriber.member,
                purpose=Consent.Purpose.NEWSLETTER,
                granted=False,
                text=f"Unsubscribed from {LIST_NAME}",
                source="one-click unsubscribe (mail client)",
                at=row.unsubscribed_at,
            )


def _tested_campaign(mailing_list: MailingList, rng: random.Random) -> None:
    """September: two subjects tested on 30 % of the list, opens and clicks measured; the
    winner, chosen by unique clicks from the rows below, went to the others four hours on."""
    workspace = mailing_list.workspace
    if Campaign.objects.filter(workspace=workspace, name=TESTED_NAME).exists():
        return
    now = timezone.now()
    started = (now - timedelta(days=70)).replace(hour=9, minute=0, second=0, microsecond=0)
    campaign = Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name=TESTED_NAME,
        sender_name="Maison Lumière",
        sender_address="lettre@maison-lumiere.example",
        subject_fr="C'est la rentrée à l'atelier",
        preheader_fr="Deux cafés d'Éthiopie rejoignent la carte.",
        body_fr=SEPTEMBER_FR,
        subject_en="Back to the roastery",
        preheader_en="Two Ethiopian coffees join the menu.",
        body_en=SEPTEMBER_EN,
        track=True,
        subject_variants=[
            {"fr": "Guji et Sidamo : deux nouveaux cafés", "en": "Guji and Sidamo: two new coffees"}
        ],
        ab_share=30,
        ab_wait=timedelta(hours=4),
        state=CampaignState.SENT,
        started_at=started,
        created_at=started - timedelta(days=3),
    )
    campaign.tracked_links = {
        lang: tracking.links(rendering.render(campaign, lang, rendering.PLACEHOLDER).html)
        for lang in ("fr", "en")
    }
    subscribers = list(
        Subscriber.objects.filter(
            mailing_list=mailing_list, state=SubscriberState.SUBSCRIBED
        ).select_related("member")
    )
    rng.shuffle(subscribers)
    sample = max(2, round(len(subscribers) * campaign.ab_share / 100))
    decided_at = started + campaign.ab_wait
    rows: list[Send] = []
    clicks: list[tuple[Send, str, datetime]] = []
    for n, subscriber in enumerate(subscribers):
        variant = n % 2 if n < sample else None
        at = (started if variant is not None else decided_at) + timedelta(seconds=n // 10)
        language = "en" if (subscriber.member.language or "fr").startswith("en") else "fr"
        row = Send(
            campaign=campaign,
            subscriber=subscriber,
            email=subscriber.email,
            language=language,
            state=SendState.SENT,
            attempts=1,
            claimed_at=at,
            sent_at=at,
            next_attempt_at=at,
            message_id=f"<demo-ab{n}.nl{campaign.pk}@maison-lumiere.example>",
            variant=variant,
        )
        # The second subject names the coffees: more people open and click it.
        opens, clicks_p = (0.55, 0.28) if variant == 1 else (0.42, 0.12)
        roll = rng.random()
        if roll < 0.02:
            row.bounced_at, row.bounce_status = at + timedelta(minutes=2), "5.1.1"
        elif roll < opens:
            row.opened_at = at + timedelta(minutes=rng.randint(5, 600))
            if rng.random() < clicks_p / opens:
                clicked = row.opened_at + timedelta(seconds=rng.randint(5, 120))
                row.clicked_at = clicked
                links = campaign.tracked_links.get(language) or []
                for k in range(rng.randint(1, 2)):
                    url = links[rng.randrange(len(links))]
                    clicks.append((row, url, clicked + timedelta(minutes=k)))
        if roll > 0.97:
            row.unsubscribed_at = at + timedelta(hours=rng.randint(1, 48))
        rows.append(row)
    _write(rows)
    Click.objects.bulk_create(Click(send=row, url=url, at=at) for row, url, at in clicks)
    # Decided as the tick decides: by the figures of the sample's rows.
    campaign.ab_winner = abtest.best(campaign)
    campaign.ab_decided_at = decided_at
    campaign.finished_at = decided_at + timedelta(minutes=6)
    campaign.save(update_fields=["tracked_links", "ab_winner", "ab_decided_at", "finished_at"])


def _scheduled_draft(mailing_list: MailingList) -> None:
    workspace = mailing_list.workspace
    if Campaign.objects.filter(workspace=workspace, name=DRAFT_NAME).exists():
        return
    next_week = (timezone.now() + timedelta(days=7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name=DRAFT_NAME,
        sender_name="Maison Lumière",
        sender_address="lettre@maison-lumiere.example",
        subject_fr="Des cafés pour les fêtes",
        preheader_fr="Le coffret de fin d'année, à commander avant le 15.",
        body_fr=DECEMBER_FR,
        subject_en="Coffee for the holidays",
        preheader_en="The end-of-year box, to order before the 15th.",
        body_en=DECEMBER_EN,
        state=CampaignState.SCHEDULED,
        scheduled_at=next_week,
    )


@step(170)  # after members (145), which records who agreed to the newsletter
def newsletters(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    segment, _created = Segment.objects.get_or_create(
        workspace=workspace, name=SEGMENT_NAME, defaults={"filters": {"consent": "newsletter"}}
    )
    mailing_list, _created = MailingList.objects.get_or_create(
        workspace=workspace,
        name=LIST_NAME,
        defaults={
            "segment": segment,
            "consent_text": CONSENT,
            "description": "Une lettre par mois : récoltes, ateliers, la vie de la communauté.",
        },
    )
    settings = SendingSettings.of(workspace.pk)
    if settings.channel_id is None and not settings.smtp_host:
        channel = Channel.objects.filter(workspace=workspace, kind="email").first()
        if channel is not None:
            settings.channel = channel
            settings.per_minute = 300
            settings.save(update_fields=["channel", "per_minute"])
    subscriptions.sync_segment(mailing_list)
    _tested_campaign(mailing_list, random.Random(169))
    _sent_campaign(mailing_list, random.Random(170))
    _scheduled_draft(mailing_list)
    context.notes.append(
        f"Newsletters: {Subscriber.objects.filter(mailing_list=mailing_list).count()} "
        f"subscribers; sign-up form at /newsletters/join/{mailing_list.token}/"
    )
