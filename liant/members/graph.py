"""The member graph: who replies to whom, with a strength that fades with time, and
introductions between members who share interests but have never talked.

An edge's strength is the sum over the replies between two members (either way) of
`monthly_decay` to the power of the reply's age in months: a conversation last year weighs
less than one this week. Interests are the member's tags and the hashtags they used in the
last 90 days.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liant.members.models import Activity, EngagementSettings, Kind, Member
from liant.text.normalise import fold, hashtags

WINDOW_DAYS = 365
INTEREST_DAYS = 90
INTRODUCTION_POOL = 300  # the most engaged members considered for introductions


@dataclass
class Edge:
    a: int
    b: int
    strength: float
    replies: int


def edges(workspace_id: int, now: datetime | None = None) -> list[Edge]:
    now = now or timezone.now()
    decay = EngagementSettings.of(workspace_id).monthly_decay
    rows = (
        Activity.objects.filter(
            workspace_id=workspace_id,
            replied_to__isnull=False,
            occurred_at__gte=now - timedelta(days=WINDOW_DAYS),
            member__merged_into__isnull=True,
        )
        .annotate(month=TruncMonth("occurred_at"))
        .values("member_id", "replied_to__member_id", "month")
        .annotate(n=Count("pk"))
    )
    found: dict[tuple[int, int], Edge] = {}
    for row in rows:
        a, b = row["member_id"], row["replied_to__member_id"]
        if a == b or b is None:
            continue
        pair = (min(a, b), max(a, b))
        edge = found.setdefault(pair, Edge(pair[0], pair[1], 0.0, 0))
        month = row["month"]
        month_date = month.date() if hasattr(month, "date") else month
        age = max(0, (now.date() - month_date).days // 30)
        edge.strength += row["n"] * decay**age
        edge.replies += row["n"]
    return sorted(found.values(), key=lambda e: -e.strength)


def interests(
    workspace_id: int, member_ids: list[int], now: datetime, shown: dict[str, str] | None = None
) -> dict[int, set[str]]:
    """Each member's interests, folded so "Décaféiné" and "#decafeine" meet; `shown` gets the
    first spelling met for each, to put on the page."""
    out: dict[int, set[str]] = defaultdict(set)
    shown = shown if shown is not None else {}
    for member_id, tag in Member.tags.through.objects.filter(member_id__in=member_ids).values_list(
        "member_id", "tag__name"
    ):
        out[member_id].add(fold(tag))
        shown.setdefault(fold(tag), tag)
    texts = Activity.objects.filter(
        member_id__in=member_ids,
        event__isnull=False,
        occurred_at__gte=now - timedelta(days=INTEREST_DAYS),
    ).values_list("member_id", "event__text")
    for member_id, text in texts.iterator(chunk_size=2000):
        for tag in hashtags(text or ""):
            out[member_id].add(fold(tag))
            shown.setdefault(fold(tag), f"#{tag.lstrip('#')}")
    return out


@dataclass
class Introduction:
    first: Member
    second: Member
    shared: list[str]
    score: float


def introductions(workspace_id: int, limit: int = 20) -> list[Introduction]:
    """Pairs of engaged members with the most interests in common who never replied to each
    other: the people a community manager could put in touch."""
    now = timezone.now()
    pool = list(
        Member.objects.filter(
            workspace_id=workspace_id,
            kind=Kind.PERSON,
            merged_into__isnull=True,
            erased_at__isnull=True,
            score__gt=0,
        ).order_by("-score")[:INTRODUCTION_POOL]
    )
    by_id = {m.pk: m for m in pool}
    shown: dict[str, str] = {}
    tastes = interests(workspace_id, list(by_id), now, shown)
    connected = {(e.a, e.b) for e in edges(workspace_id, now)}
    holders: dict[str, list[int]] = defaultdict(list)
    for member_id, items in tastes.items():
        for item in items:
            holders[item].append(member_id)
    shared: Counter[tuple[int, int]] = Counter()
    for members in holders.values():
        if len(members) > 40:
            continue  # everyone's interest is nobody's introduction
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(min(a, b), max(a, b))] += 1
    found = []
    for (a, b), count in shared.most_common():
        if count < 2 or (a, b) in connected:
            continue
        common = sorted(shown.get(t, t) for t in tastes[a] & tastes[b])
        union = len(tastes[a] | tastes[b]) or 1
        found.append(Introduction(by_id[a], by_id[b], common, round(count / union, 2)))
        if len(found) >= limit:
            break
    return found
