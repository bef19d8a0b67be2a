"""A campaign's figures broken down by members segment, and its clicks per link and segment.

Counted from the stored rows only (Send, Click): nothing is estimated. A segment is a saved
filter (liant/members/segments.py), evaluated *now*: a member who joined a segment after the
campaign counts in it. Segments overlap, so their rows do not add up to the total; the
first row is every recipient.

Opens and clicks exist only for a campaign whose author switched measuring on (tracking.py);
the page and the CSV say so rather than showing zeros as if nobody had clicked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from liant.members.models import Segment
from liant.members.segments import members_of
from liant.newsletters.models import Campaign, Click, Send, SendState

MAX_SEGMENTS = 50  # one aggregate query each; a page with more would be unreadable anyway


@dataclass
class SegmentFigures:
    segment: Segment | None  # None: every recipient
    recipients: int
    sent: int
    opened: int
    clicked: int
    unsubscribed: int
    bounced: int
    links: list[tuple[str, int, int]]  # (url, clicks, people who clicked)

    @property
    def name(self) -> str:
        return self.segment.name if self.segment else ""


def _figures(sends: QuerySet[Send], clicks: QuerySet[Click]) -> dict:
    counts = sends.aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(state=SendState.SENT)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
    )
    counts["links"] = [
        (row["url"], row["clicks"], row["people"])
        for row in clicks.values("url")
        .annotate(clicks=Count("pk"), people=Count("send", distinct=True))
        .order_by("-clicks", "url")
    ]
    return counts


def of(campaign: Campaign) -> list[SegmentFigures]:
    """Every recipient first, then each segment of the campaign's workspace (by name)."""
    sends = Send.objects.filter(campaign=campaign)
    clicks = Click.objects.filter(send__campaign=campaign)
    out = [SegmentFigures(None, **_figures(sends, clicks))]
    for segment in Segment.objects.filter(workspace_id=campaign.workspace_id)[:MAX_SEGMENTS]:
        inside = members_of(segment).values("pk")
        out.append(
            SegmentFigures(
                segment,
                **_figures(
                    sends.filter(subscriber__member__in=inside),
                    clicks.filter(send__subscriber__member__in=inside),
                ),
            )
        )
    return out


def _cell(value: object) -> str:
    # A segment name or a link starting with = would run as a formula in a spreadsheet.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


HEADER = [
    "segment", "link", "recipients", "sent", "opened", "clicked", "unsubscribed", "bounced",
    "clicks",
]  # fmt: skip


def as_csv(campaign: Campaign, rows: list[SegmentFigures]) -> str:
    """One line per segment (link empty), then one per link clicked in that segment.

    Opens and clicks are left empty, not 0, for a campaign that did not measure them.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    measured = campaign.track
    for row in rows:
        name = row.name or "*"
        writer.writerow(
            [_cell(name), "", row.recipients, row.sent]
            + ([row.opened, row.clicked] if measured else ["", ""])
            + [row.unsubscribed, row.bounced, ""]
        )
        for url, clicks, people in row.links if measured else []:
            writer.writerow([_cell(name), _cell(url), "", "", "", people, "", "", clicks])
    return out.getvalue()
