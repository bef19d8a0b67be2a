"""The listening dashboard's figures, computed from the daily roll-ups (volumes, sentiment,
share of voice, e-reputation) and from a bounded sample of stored mentions (rising terms, top
authors), so a year of data costs a few hundred rows, not a year of mentions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q, Sum

from liant.core.models import Workspace
from liant.listening.models import Mention, Query, QueryKind, Rollup
from liant.text.keywords import rising_terms

TERM_SAMPLE = 3000  # mentions per period read for rising terms
OURS = (QueryKind.BRAND, QueryKind.PRODUCT, QueryKind.PERSON)


def reputation_index(positive: int, negative: int, total: int) -> float | None:
    """50 + 50 × (positive − negative) ÷ all mentions: 0 when everything is negative, 50 when
    the balance is even (or all neutral), 100 when everything is positive."""
    if not total:
        return None
    return round(50 + 50 * (positive - negative) / total, 1)


@dataclass
class Series:
    days: list[date]
    by_query: dict[int, list[int]]  # mentions per day
    positive: list[int]
    neutral: list[int]
    negative: list[int]
    reputation: list[float | None]


def daily(workspace: Workspace, start: date, end: date, queries: list[Query]) -> Series:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    index = {d: n for n, d in enumerate(days)}
    by_query = {q.pk: [0] * len(days) for q in queries}
    pos, neu, neg = [0] * len(days), [0] * len(days), [0] * len(days)
    ours = {q.pk for q in queries if q.kind in OURS}
    rows = Rollup.objects.filter(
        query__in=queries, period=Rollup.DAY, start__date__gte=start, start__date__lte=end
    ).values_list("query_id", "start", "mentions", "positive", "neutral", "negative")
    for query_id, when, mentions, p, u, n in rows:
        i = index.get(when.date())
        if i is None:
            continue
        by_query[query_id][i] += mentions
        if query_id in ours:  # the brand's reputation, not its competitors'
            pos[i] += p
            neu[i] += u
            neg[i] += n
    reputation = [reputation_index(p, n, p + u + n) for p, u, n in zip(pos, neu, neg, strict=True)]
    return Series(days, by_query, pos, neu, neg, reputation)


def share_of_voice(queries: list[Query], series: Series) -> list[tuple[Query, int, float]]:
    totals = [(q, sum(series.by_query[q.pk])) for q in queries]
    grand = sum(t for _, t in totals) or 1
    return sorted(((q, t, round(100 * t / grand, 1)) for q, t in totals), key=lambda r: -r[1])


def _texts(workspace: Workspace, start: datetime, end: datetime) -> list[str]:
    return list(
        Mention.objects.filter(
            workspace=workspace,
            occurred_at__gte=start,
            occurred_at__lt=end,
            irrelevant=False,
            duplicate_of=None,
        )
        .order_by("-occurred_at")
        .values_list("text", flat=True)[:TERM_SAMPLE]
    )


def rising(workspace: Workspace, start: datetime, end: datetime, top: int = 15):
    """Terms whose share grew from the previous period of the same length, most surprising
    first (z-score of the log-odds, not raw counts)."""
    before = _texts(workspace, start - (end - start), start)
    now = _texts(workspace, start, end)
    return rising_terms(now, before)[:top]


def top_authors(workspace: Workspace, start: datetime, end: datetime, top: int = 10):
    return list(
        Mention.objects.filter(
            workspace=workspace, occurred_at__gte=start, occurred_at__lt=end, irrelevant=False
        )
        .exclude(author_handle="")
        .values("author_handle")
        .annotate(
            mentions=Count("id"),
            followers=Max("author_followers"),
            negative=Count("id", filter=Q(sentiment="negative")),
        )
        .order_by("-followers", "-mentions")[:top]
    )


def totals(workspace: Workspace, queries: list[Query], start: date, end: date) -> dict[str, int]:
    sums = Rollup.objects.filter(
        query__in=[q for q in queries if q.kind in OURS],
        period=Rollup.DAY,
        start__date__gte=start,
        start__date__lte=end,
    ).aggregate(
        mentions=Sum("mentions"),
        positive=Sum("positive"),
        negative=Sum("negative"),
        neutral=Sum("neutral"),
        reach=Sum("reach"),
    )
    return {k: v or 0 for k, v in sums.items()}
