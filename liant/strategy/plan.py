"""Where the plan falls short of the strategy: channels below their weekly rhythm, pillars
left aside. Read by the calendar; counts only what is planned or out, never what was cancelled
or failed, since that will not be seen."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from liant.core.models import Workspace
from liant.publishing.models import Post, Variant
from liant.strategy.models import Pillar, Rhythm

# Variant states that put something in front of the audience (or will).
COUNTED = ("draft", "scheduled", "publishing", "published", "held", "unconfirmed")


@dataclass
class Shortfall:
    channel: str
    week: date  # its Monday
    planned: int
    target: int

    @property
    def missing(self) -> int:
        return self.target - self.planned


@dataclass
class PillarGap:
    pillar: str
    posts: int
    share: float  # of the period's posts, 0..1
    target: float | None  # 0..1, when the pillar has one

    @property
    def share_percent(self) -> int:
        return round(self.share * 100)

    @property
    def target_percent(self) -> int | None:
        return None if self.target is None else round(self.target * 100)


def bounds(workspace: Workspace, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(workspace.timezone)
    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(
        end, time.min, tzinfo=zone
    )


def rhythm_shortfalls(workspace: Workspace, start: date, end: date) -> list[Shortfall]:
    """For each whole week (Monday first) in [start, end) and each channel with a rhythm."""
    zone = ZoneInfo(workspace.timezone)
    monday = start - timedelta(days=start.weekday())
    low, high = bounds(workspace, monday, end + timedelta(days=7))
    rhythms = list(Rhythm.objects.filter(channel__workspace=workspace).select_related("channel"))
    if not rhythms:
        return []
    counts: Counter[tuple[int, date]] = Counter()
    rows = Variant.objects.filter(
        channel__workspace=workspace,
        state__in=COUNTED,
        scheduled_at__gte=low,
        scheduled_at__lt=high,
    ).values_list("channel_id", "scheduled_at")
    for channel_id, at in rows:
        if at is None:
            continue
        local = at.astimezone(zone).date()
        counts[(channel_id, local - timedelta(days=local.weekday()))] += 1
    found = []
    week = monday
    while week < end:
        for rhythm in rhythms:
            planned = counts[(rhythm.channel_id, week)]
            if planned < rhythm.posts_per_week:
                found.append(Shortfall(rhythm.channel.name, week, planned, rhythm.posts_per_week))
        week += timedelta(days=7)
    return found


def neglected_pillars(workspace: Workspace, start: date, end: date) -> list[PillarGap]:
    """Pillars with no post in the period, or under half their target share."""
    low, high = bounds(workspace, start, end)
    pillars = list(Pillar.objects.filter(workspace=workspace))
    if not pillars:
        return []
    posts = (
        Post.objects.filter(
            workspace=workspace,
            variants__scheduled_at__gte=low,
            variants__scheduled_at__lt=high,
            variants__state__in=COUNTED,
        )
        .distinct()
        .values_list("pk", "pillar")
    )
    by_pillar = Counter(pillar.strip().lower() for _pk, pillar in posts)
    total = sum(by_pillar.values())
    gaps = []
    for pillar in pillars:
        count = by_pillar[pillar.name.strip().lower()]
        share = count / total if total else 0.0
        target = pillar.share / 100 if pillar.share else None
        if count == 0 or (target is not None and share < target / 2):
            gaps.append(PillarGap(pillar.name, count, share, target))
    return gaps
