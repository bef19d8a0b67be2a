"""Engagement: activities -> a decayed score, a level, ambassadors and members slipping away.

The score of a member is the sum, over their activities of the last year, of the activity's
weight (per kind, overridable per network) times `monthly_decay` to the power of the activity's
age in whole months (30 days). Regularity is the number of distinct days with an activity in
the last 30 days. A level needs both its score and its active days; promotion is immediate,
demotion waits `grace_days` after the member first fell short.

Everything is computed from one grouped query (member × kind × network × day), so changing a
weight re-scores everyone from the same stored activities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from liant.core.bulkupdate import update_many
from liant.members.models import (
    LEVEL_ORDER,
    Activity,
    EngagementSettings,
    Identity,
    Kind,
    Level,
    Member,
    Task,
)
from liant.webhooks.events import emit_many

WINDOW_DAYS = 365
# What scoring writes on each member; `scored_at` last (a row whose other values did not
# change is not written again).
FIELDS = [
    "level",
    "level_since",
    "below_level_since",
    "score",
    "active_days_30",
    "activity_count",
    "helpful_replies",
    "reach",
    "scored_at",
]
TOP_QUARTER = 0.75
# A possible ambassador is a contributor who helps others or is heard.
HELPFUL_REPLIES = 5
REACH = 1000
SLIPPING_HORIZON_DAYS = 180  # silent longer than this: gone, not slipping
# A regular is someone with at least this many activities in their last 90 days, whatever the
# quartile says: in a quiet community the top quarter may start at two comments.
SLIPPING_MIN_ACTIVITIES = 5


@dataclass
class Figures:
    score: float = 0.0
    active_days: set[date] = field(default_factory=set)
    count: int = 0
    last_90: int = 0  # activities in the 90 days before their last one
    days: dict[date, int] = field(default_factory=dict)


def level_for(figures: Figures, s: EngagementSettings) -> str:
    days = len(figures.active_days)
    if figures.score >= s.ambassador_score and days >= s.ambassador_days:
        return Level.AMBASSADOR
    if figures.score >= s.contributor_score and days >= s.contributor_days:
        return Level.CONTRIBUTOR
    if figures.score >= s.participant_score and days >= s.participant_days:
        return Level.PARTICIPANT
    return Level.OBSERVER


def next_level(current: str, earned: str, below_since: datetime | None, now: datetime, s):
    """(level, below_since): up at once; down only after the grace period."""
    rank = LEVEL_ORDER.index
    if rank(earned) >= rank(current):
        return earned, None
    since = below_since or now
    if now - since >= timedelta(days=s.grace_days):
        return earned, None
    return current, since


def figures_of(workspace_id: int, now: datetime) -> dict[int, Figures]:
    s = EngagementSettings.of(workspace_id)
    start = now - timedelta(days=WINDOW_DAYS)
    rows = (
        Activity.objects.filter(
            workspace_id=workspace_id,
            occurred_at__gte=start,
            member__kind=Kind.PERSON,
            member__merged_into__isnull=True,
        )
        .annotate(day=TruncDate("occurred_at"))
        .values("member_id", "kind", "network", "day")
        .annotate(n=Count("pk"))
    )
    out: dict[int, Figures] = defaultdict(Figures)
    # The days TruncDate gives are in the current time zone: today must be too, or a member's
    # days count one off between midnight there and midnight UTC.
    today = timezone.localdate(now)
    recent = today - timedelta(days=30)
    for row in rows.iterator(chunk_size=5000):
        f = out[row["member_id"]]
        day = row["day"]
        months = (today - day).days // 30
        f.score += row["n"] * s.weight(row["kind"], row["network"]) * s.monthly_decay**months
        f.count += row["n"]
        f.days[day] = f.days.get(day, 0) + row["n"]
        if day > recent:
            f.active_days.add(day)
    for f in out.values():
        last = max(f.days)
        f.last_90 = sum(n for d, n in f.days.items() if d > last - timedelta(days=90))
    return out


def score_workspace(workspace_id: int, now: datetime | None = None) -> dict:
    """Re-score every member of the workspace; open tasks for ambassadors and slipping ones."""
    now = now or timezone.now()
    s = EngagementSettings.of(workspace_id)
    figures = figures_of(workspace_id, now)
    helpful = helpful_replies(workspace_id, now)
    reach = dict(
        Identity.objects.filter(workspace_id=workspace_id, followers__isnull=False)
        .values("member_id")
        .annotate(top=Max("followers"))
        .values_list("member_id", "top")
    )
    members = Member.objects.filter(
        workspace_id=workspace_id, merged_into__isnull=True, erased_at__isnull=True
    ).only("pk", "kind", *FIELDS)
    changed: list[tuple] = []
    moves: list[tuple[int, str, str]] = []  # (member, from, to), announced to webhooks
    promoted = seen = 0
    for member in members.iterator(chunk_size=2000):
        seen += 1
        before = tuple(getattr(member, name) for name in FIELDS[:-1])
        f = figures.get(member.pk, Figures())
        earned = level_for(f, s) if member.kind == Kind.PERSON else Level.OBSERVER
        level, below = next_level(member.level, earned, member.below_level_since, now, s)
        if level != member.level:
            member.level_since = now
            moves.append((member.pk, member.level, level))
            promoted += LEVEL_ORDER.index(level) > LEVEL_ORDER.index(member.level)
        member.level = level
        member.below_level_since = below
        member.score = round(f.score, 2)
        member.active_days_30 = len(f.active_days)
        member.activity_count = f.count
        member.helpful_replies = helpful.get(member.pk, 0)
        member.reach = reach.get(member.pk) or 0
        member.scored_at = now
        values = tuple(getattr(member, name) for name in FIELDS)
        if values[:-1] != before:  # most members do not change between two runs
            changed.append((*values, member.pk))
    with transaction.atomic():
        update_many(Member, FIELDS, changed)
        emit_many(
            workspace_id,
            "member.level_changed",
            [{"member": {"id": pk}, "from": old, "to": new} for pk, old, new in moves],
        )
    slipping = open_slipping_tasks(workspace_id, figures, s, now)
    ambassadors = open_ambassador_tasks(workspace_id)
    return {
        "members": seen,
        "changed": len(changed),
        "promoted": promoted,
        "slipping": slipping,
        "ambassadors": ambassadors,
    }


def helpful_replies(workspace_id: int, now: datetime) -> dict[int, int]:
    """Replies to another member's message in the last 90 days (answers to their questions
    count the same: the network does not tell us which reply solved it)."""
    return dict(
        Activity.objects.filter(
            workspace_id=workspace_id,
            replied_to__isnull=False,
            occurred_at__gte=now - timedelta(days=90),
        )
        .exclude(replied_to__member_id=F("member_id"))
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )


def top_quarter_threshold(figures: dict[int, Figures], now: datetime) -> float:
    """The 90-day activity count that puts a currently active member in the top quarter."""
    today = timezone.localdate(now)
    counts = sorted(
        sum(n for d, n in f.days.items() if d > today - timedelta(days=90))
        for f in figures.values()
    )
    counts = [c for c in counts if c > 0]
    if len(counts) < 4:
        return float("inf")  # too few active members to speak of a top quarter
    return counts[int(len(counts) * TOP_QUARTER)]


def slipping_away(workspace_id: int, figures: dict[int, Figures], s, now: datetime) -> dict:
    """Members who were in the top quarter of activity and have been silent `silent_days`."""
    threshold = top_quarter_threshold(figures, now)
    today = timezone.localdate(now)
    found = {}
    for member_id, f in figures.items():
        if not f.days:
            continue
        last = max(f.days)
        silent = (today - last).days
        regular = f.last_90 >= max(threshold, SLIPPING_MIN_ACTIVITIES)
        if s.silent_days <= silent <= SLIPPING_HORIZON_DAYS and regular:
            found[member_id] = {"silent_days": silent, "last_90": f.last_90, "top": threshold}
    return found


def open_slipping_tasks(workspace_id: int, figures, s, now: datetime) -> int:
    found = slipping_away(workspace_id, figures, s, now)
    already = set(
        Task.objects.filter(
            workspace_id=workspace_id, kind=Task.Kind.SLIPPING_AWAY, state=Task.State.OPEN
        ).values_list("member_id", flat=True)
    )
    # A member who came back closes their own alert.
    Task.objects.filter(
        workspace_id=workspace_id, kind=Task.Kind.SLIPPING_AWAY, state=Task.State.OPEN
    ).exclude(member_id__in=list(found)).update(state=Task.State.DONE, closed_at=now)
    new = [
        Task(
            workspace_id=workspace_id,
            member_id=member_id,
            kind=Task.Kind.SLIPPING_AWAY,
            reason=reason,
            created_at=now,
        )
        for member_id, reason in found.items()
        if member_id not in already
    ]
    Task.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def ambassador_candidates(workspace_id: int):
    """Contributors (not yet ambassadors) who help others or reach many people."""
    return Member.objects.filter(
        Q(helpful_replies__gte=HELPFUL_REPLIES) | Q(reach__gte=REACH),
        workspace_id=workspace_id,
        level=Level.CONTRIBUTOR,
        kind=Kind.PERSON,
        merged_into__isnull=True,
        erased_at__isnull=True,
    )


def open_ambassador_tasks(workspace_id: int) -> int:
    candidates = list(ambassador_candidates(workspace_id).values("pk", "helpful_replies", "reach"))
    decided = set(
        Task.objects.filter(workspace_id=workspace_id, kind=Task.Kind.AMBASSADOR).values_list(
            "member_id", flat=True
        )
    )
    new = [
        Task(
            workspace_id=workspace_id,
            member_id=c["pk"],
            kind=Task.Kind.AMBASSADOR,
            reason={"helpful_replies": c["helpful_replies"], "reach": c["reach"]},
        )
        for c in candidates
        if c["pk"] not in decided  # once dismissed, not suggested again
    ]
    Task.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
