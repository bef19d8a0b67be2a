"""The editorial calendar: which posts fall on which day, in the workspace's time zone, and
moving a post to another moment.

A post sits on the calendar at the moment of its earliest variant: when it went out for a
published one, when it is planned for the others. Days are the workspace's days, not the
server's: a post at 00:30 in Paris is on the Paris day even though it is the day before in UTC.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.core.models import Workspace
from liant.publishing.models import Post, Variant, move
from liant.publishing.states import State

VIEWS = ("month", "week", "list")
# Variants whose moment can still change: waiting, overdue and held, or not yet scheduled.
MOVABLE_VARIANTS = (State.SCHEDULED, State.HELD, State.DRAFT)


@dataclass
class Filters:
    channel: int | None = None
    pillar: str = ""
    campaign: str = ""
    state: str = ""

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        channel = query.get("channel", "")
        state = query.get("state", "")
        return cls(
            channel=int(channel) if str(channel).isdigit() else None,
            pillar=str(query.get("pillar", ""))[:100],
            campaign=str(query.get("campaign", ""))[:100],
            state=state if state in State.values else "",
        )

    def apply(self, posts: QuerySet[Post]) -> QuerySet[Post]:
        if self.channel:
            posts = posts.filter(variants__channel_id=self.channel)
        if self.pillar:
            posts = posts.filter(pillar=self.pillar)
        if self.campaign:
            posts = posts.filter(campaign=self.campaign)
        if self.state:
            posts = posts.filter(state=self.state)
        return posts.distinct()

    def as_query(self) -> str:
        values = {
            "channel": self.channel or "",
            "pillar": self.pillar,
            "campaign": self.campaign,
            "state": self.state,
        }
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class Entry:
    post: Post
    at: datetime  # in the workspace's time zone
    variants: list[Variant]

    @property
    def movable(self) -> bool:
        return self.post.state not in (State.PUBLISHED, State.CANCELLED) and any(
            v.state in MOVABLE_VARIANTS for v in self.variants
        )


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    in_month: bool = True
    today: bool = False


def moment_of(variant: Variant) -> datetime | None:
    if variant.state == State.PUBLISHED and variant.published_at:
        return variant.published_at
    return variant.scheduled_at


def entries(
    workspace: Workspace, start: date, end: date, filters: Filters | None = None
) -> list[Entry]:
    """Posts with a moment in [start, end) (days of the workspace), earliest first."""
    zone = ZoneInfo(workspace.timezone)
    low = datetime.combine(start, time.min, tzinfo=zone)
    high = datetime.combine(end, time.min, tzinfo=zone)
    in_range = Q(variants__scheduled_at__gte=low, variants__scheduled_at__lt=high) | Q(
        variants__published_at__gte=low, variants__published_at__lt=high
    )
    posts = Post.objects.filter(workspace=workspace).filter(in_range)
    posts = (filters or Filters()).apply(posts).distinct()
    posts = posts.prefetch_related("variants__channel")
    found = []
    for post in posts:
        variants = list(post.variants.all())
        moments = [m for m in (moment_of(v) for v in variants) if m is not None]
        if not moments:
            continue
        at = min(moments).astimezone(zone)
        if start <= at.date() < end:
            found.append(Entry(post, at, variants))
    return sorted(found, key=lambda e: (e.at, e.post.pk))


def by_day(found: list[Entry]) -> dict[date, list[Entry]]:
    days: dict[date, list[Entry]] = defaultdict(list)
    for entry in found:
        days[entry.at.date()].append(entry)
    return days


def month_grid(
    workspace: Workspace, year: int, month: int, filters: Filters, today: date
) -> list[list[Day]]:
    """Whole weeks, Monday first (the French and ISO habit), covering the month."""
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
    days = by_day(entries(workspace, start, end, filters))
    return [
        [Day(d, days.get(d, []), in_month=d.month == month, today=d == today) for d in week]
        for week in weeks
    ]


def week_days(workspace: Workspace, monday: date, filters: Filters, today: date) -> list[Day]:
    days = by_day(entries(workspace, monday, monday + timedelta(days=7), filters))
    return [
        Day(monday + timedelta(days=n), days.get(monday + timedelta(days=n), [])) for n in range(7)
    ]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- Moving a post ---------------------------------------------------------------------------


def reschedule(post: Post, at: datetime, actor: Any) -> list[str]:
    """Move every variant of the post that has not gone out to `at`. Returns the problems.

    A scheduled variant keeps its state and gets a new due time, by a conditional update: a
    worker that claimed it meanwhile wins, and the person is told it is already going out. A
    held variant (overdue after downtime) was waiting for exactly this decision: it is
    scheduled again. A draft only gets the planned moment."""
    if post.state in (State.PUBLISHED, State.CANCELLED):
        return [_("This post is done; it cannot be moved.")]
    moved = 0
    with transaction.atomic():
        for variant in post.variants.filter(state__in=MOVABLE_VARIANTS):
            if variant.state == State.SCHEDULED:
                note = _("Moved to %(at)s.") % {"at": at.isoformat(timespec="minutes")}
                # state → the same state is not a move; the history is written by hand.
                changed = Variant.objects.filter(pk=variant.pk, state=State.SCHEDULED).update(
                    scheduled_at=at, due_at=at
                )
                if changed:
                    variant.history.create(
                        post=post,
                        actor=actor if getattr(actor, "is_authenticated", False) else None,
                        from_state=State.SCHEDULED,
                        to_state=State.SCHEDULED,
                        note=note,
                    )
                moved += changed
            elif variant.state == State.HELD:
                moved += int(
                    move(
                        variant,
                        State.SCHEDULED,
                        actor=actor,
                        scheduled_at=at,
                        due_at=at,
                        last_error="",
                        last_error_detail={},
                        last_error_kind="",
                    )
                )
            else:
                variant.scheduled_at = at
                variant.save(update_fields=["scheduled_at"])
                moved += 1
    if not moved:
        return [_("Nothing to move: every variant of this post is out or going out.")]
    return []


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def today_in(workspace: Workspace) -> date:
    return timezone.now().astimezone(ZoneInfo(workspace.timezone)).date()
