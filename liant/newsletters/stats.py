"""Figures of a campaign, counted from its Send rows (the only record of what happened).

Opens and clicks are not tracked: a tracking pixel and rewritten links tell the sender when
and where each person reads, which the people on a list did not agree to. The feature is off
by design in this version, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from liant.newsletters.models import Campaign, Send, SendState


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

    @property
    def delivered(self) -> int:
        return max(0, self.sent - self.bounced)


def of(campaign: Campaign) -> Stats:
    figures = Send.objects.filter(campaign=campaign).aggregate(
        recipients=Count("pk"),
        queued=Count("pk", filter=Q(state=SendState.QUEUED)),
        sending=Count("pk", filter=Q(state=SendState.SENDING)),
        sent=Count("pk", filter=Q(state=SendState.SENT)),
        failed=Count("pk", filter=Q(state=SendState.FAILED)),
        unknown=Count("pk", filter=Q(state=SendState.UNKNOWN)),
        skipped=Count("pk", filter=Q(state=SendState.SKIPPED)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    return Stats(**figures)
