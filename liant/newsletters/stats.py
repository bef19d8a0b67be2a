"""Figures of a campaign, counted from its Send rows (the only record of what happened).

Opens and clicks are counted only for a campaign whose author switched them on (off by
default, see tracking.py); they are approximate and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from liant.newsletters.models import Campaign, Click, Send, SendState


@dataclass
class Stats:
    recipients: int
    queued: int
    sending: int
    sent: int
    failed: int
    unknown: int
    skipped: int
    bounced: int
    unsubscribed: int
    opened: int
    clicked: int

    @property
    def delivered(self) -> int:
        return max(0, self.sent - self.bounced)


def of(campaign: Campaign) -> Stats:
    figures = Send.objects.filter(campaign=campaign).aggregate(
        recipients=Count("pk"),
        queued=Count("pk", filter=Q(state__in=[SendState.QUEUED, SendState.HELD])),
        sending=Count("pk", filter=Q(state=SendState.SENDING)),
        sent=Count("pk", filter=Q(state=SendState.SENT)),
        failed=Count("pk", filter=Q(state=SendState.FAILED)),
        unknown=Count("pk", filter=Q(state=SendState.UNKNOWN)),
        skipped=Count("pk", filter=Q(state=SendState.SKIPPED)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    return Stats(**figures)


def clicks_per_link(campaign: Campaign) -> list[tuple[str, int, int]]:
    """(link, clicks, people who clicked), most clicked first."""
    return [
        (row["url"], row["clicks"], row["people"])
        for row in Click.objects.filter(send__campaign=campaign)
        .values("url")
        .annotate(clicks=Count("pk"), people=Count("send", distinct=True))
        .order_by("-clicks", "url")
    ]
