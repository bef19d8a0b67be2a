"""A/B test of the subject line: a sample of the list gets the subjects under test, split
evenly; after the wait, a worker picks the winner and the rest of the list gets it.

Which figure picks the winner: **unique clicks** (people who clicked at least once), ties
broken by unique opens, then by the order of the subjects. Opens would be the natural
figure for a subject line, but they are not trustworthy: Apple Mail Privacy Protection
fetches every image of every message on delivery (an "open" for about half of many lists,
whatever the subject), and other clients block images (no open at all). A click needs a
person. So a test needs the campaign's click measurement switched on (tracking.py; off by
default), and the form refuses a test without it.

Every recipient still gets exactly one message: the test only decides *which subject* a
Send row carries. Sample rows are queued with their variant; the others wait in "held" and
are queued, all at once, by the worker that wins the claim on the decision
(`UPDATE campaign SET ab_winner=… WHERE ab_winner IS NULL`): two workers deciding at the same
moment may compute different winners from figures that moved in between, only one writes
it, and the held rows are released in the same transaction. The per-row claim of
sending.py then applies unchanged.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from liant.newsletters.models import Campaign, CampaignState, Send, SendState

CHUNK = 500  # ids per UPDATE … WHERE id IN (…): well under every database's parameter limit


def label(variant: int) -> str:
    return string.ascii_uppercase[variant] if variant < 26 else str(variant + 1)


def split(campaign: Campaign) -> int:
    """Draw the test sample among the queued rows and hold the others. Returns its size.

    Called once, when the campaign moves to "sending" (sending.start).
    """
    variants = 1 + len(campaign.subject_variants)
    ids = list(
        Send.objects.filter(campaign=campaign, state=SendState.QUEUED).values_list("pk", flat=True)
    )
    random.shuffle(ids)
    size = min(len(ids), max(variants, round(len(ids) * campaign.ab_share / 100)))
    sample = ids[:size]
    for variant in range(variants):
        mine = sample[variant::variants]  # evenly: sizes differ by one at most
        for start in range(0, len(mine), CHUNK):
            Send.objects.filter(pk__in=mine[start : start + CHUNK]).update(variant=variant)
    Send.objects.filter(campaign=campaign, state=SendState.QUEUED, variant__isnull=True).update(
        state=SendState.HELD
    )
    return size


@dataclass
class VariantFigures:
    variant: int
    subject_fr: str
    subject_en: str
    recipients: int
    sent: int
    opened: int
    clicked: int
    winner: bool

    @property
    def label(self) -> str:
        return label(self.variant)


def figures(campaign: Campaign) -> list[VariantFigures]:
    """Each variant's figures, counted on its own sample only."""
    rows = {
        row["variant"]: row
        for row in Send.objects.filter(campaign=campaign, variant__isnull=False)
        .values("variant")
        .annotate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(state=SendState.SENT)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
    }
    out = []
    for variant in range(1 + len(campaign.subject_variants)):
        row: dict = dict(rows.get(variant) or {})
        out.append(
            VariantFigures(
                variant,
                campaign.variant_subject(variant, "fr") if campaign.body_fr.strip() else "",
                campaign.variant_subject(variant, "en") if campaign.body_en.strip() else "",
                row.get("recipients", 0),
                row.get("sent", 0),
                row.get("opened", 0),
                row.get("clicked", 0),
                campaign.ab_winner == variant,
            )
        )
    return out


def best(campaign: Campaign) -> int:
    """Most people clicking, then most opens, then the first subject."""
    ranked = sorted(figures(campaign), key=lambda f: (-f.clicked, -f.opened, f.variant))
    return ranked[0].variant


def decide(campaign: Campaign, now: datetime | None = None) -> int | None:
    """Pick the winner and release the held rows, once. Returns the winner, or None when
    another worker decided first (or the campaign is no longer sending)."""
    now = now or timezone.now()
    winner = best(campaign)
    with transaction.atomic():
        won = Campaign.objects.filter(
            pk=campaign.pk, state=CampaignState.SENDING, ab_winner__isnull=True
        ).update(ab_winner=winner, ab_decided_at=now)
        if not won:
            return None
        Send.objects.filter(campaign=campaign, state=SendState.HELD).update(
            state=SendState.QUEUED, next_attempt_at=timezone.now()
        )
    campaign.ab_winner, campaign.ab_decided_at = winner, now
    return winner


def decide_due(now: datetime | None = None) -> list[int]:
    """Campaigns whose test has waited long enough; run by the minute tick."""
    now = now or timezone.now()
    decided = []
    for campaign in Campaign.objects.filter(
        state=CampaignState.SENDING, ab_winner__isnull=True, started_at__isnull=False
    ).exclude(subject_variants=[]):
        started, wait = campaign.started_at, campaign.ab_wait
        due = campaign.ab_testing and started is not None and started + wait <= now
        if due and decide(campaign, now) is not None:
            decided.append(campaign.pk)
    return decided
