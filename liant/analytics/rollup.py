"""Computing KPIs per day and keeping them: the nightly roll-up, the backfill, and the reads
the dashboard makes (stored days, plus today computed live)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from liant.analytics.models import KpiValue
from liant.analytics.registry import KpiDef, Measure, all_kpis, one_pass
from liant.core.models import Workspace

# Late data: engagement metrics keep arriving for days after a post, a conversation is
# answered after the day it came in. The nightly run recomputes this many past days, so a
# stored day settles instead of freezing what was known at 00:05 the next morning.
RECOMPUTE_DAYS = 7


def zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def day_bounds(workspace: Workspace, day: date) -> tuple[datetime, datetime]:
    """[midnight, next midnight) in the workspace's zone. Each bound is made from its own
    date, so the day the clocks go back lasts 25 hours and the day they go forward 23."""
    tz = zone(workspace)
    return (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )


def today(workspace: Workspace) -> date:
    return timezone.now().astimezone(zone(workspace)).date()


def days_between(start: date, end: date) -> list[date]:
    """The days of [start, end)."""
    return [start + timedelta(days=n) for n in range((end - start).days)]


def compute_day(workspace: Workspace, kpi: KpiDef, day: date) -> Measure:
    begin, finish = day_bounds(workspace, day)
    return kpi.compute(workspace, begin, finish)


def store(workspace: Workspace, days: list[date], kpis: list[KpiDef] | None = None) -> int:
    """Compute and upsert every KPI for the given (whole, past) days; returns rows written."""
    kpis = kpis if kpis is not None else all_kpis()
    now = timezone.now()
    with one_pass():
        computed = [(day, kpi, compute_day(workspace, kpi, day)) for day in days for kpi in kpis]
    rows = [
        KpiValue(
            workspace=workspace,
            key=kpi.key,
            day=day,
            value=m.value,
            weight=m.weight,
            dist=m.dist,
            parts=m.parts,
            computed_at=now,
        )
        for day, kpi, m in computed
    ]
    with transaction.atomic():
        # One statement per batch, an INSERT … ON CONFLICT DO UPDATE on both databases: two
        # workers rolling up the same day both end with the one row.
        KpiValue.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["workspace", "key", "day"],
            update_fields=["value", "weight", "dist", "parts", "computed_at"],
        )
    return len(rows)


def nightly(workspace: Workspace) -> int:
    """Yesterday and the days before it that may still change (see RECOMPUTE_DAYS)."""
    end = today(workspace)
    return store(workspace, days_between(end - timedelta(days=RECOMPUTE_DAYS), end))


def backfill(workspace: Workspace, days: int) -> int:
    end = today(workspace)
    written = 0
    # By chunks of a month: a crash half-way keeps what was done, and memory stays flat.
    start = end - timedelta(days=days)
    while start < end:
        stop = min(start + timedelta(days=31), end)
        written += store(workspace, days_between(start, stop))
        start = stop
    return written


def forget(
    workspace_id: int, keys: Iterable[str], first: date | None = None, last: date | None = None
) -> int:
    """Drop stored days of these KPIs in [first, last] (every day without bounds), for an
    edit that makes them wrong further back than the nightly recompute reaches: the
    dashboard recomputes a missing past day the next time it reads it."""
    rows = KpiValue.objects.filter(workspace_id=workspace_id, key__in=list(keys))
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    return rows.delete()[0]


def fill_gaps(workspace: Workspace) -> int:
    """Store the past days some KPIs lack while others have them: a KPI added by an upgrade,
    or a module installed later, has no history until someone opens a dashboard, which then
    computes every missing day in the request (36 s for 15 new KPIs over 180 days of a
    million mentions). The worker does it here instead. Only days some KPI already has are
    filled, so a new workspace is not given a year of zeros. Returns rows written."""
    stored = KpiValue.objects.filter(workspace=workspace, day__lt=today(workspace))
    counts = dict(stored.values("key").annotate(n=Count("id")).values_list("key", "n"))
    rolled_days = set(stored.values_list("day", flat=True).distinct())
    lacking = [k for k in all_kpis() if counts.get(k.key, 0) < len(rolled_days)]
    written = 0
    for kpi in lacking:
        have = set(stored.filter(key=kpi.key).values_list("day", flat=True))
        missing = sorted(rolled_days - have)
        # By a month of days at a time, as the backfill: a crash keeps what was done.
        for first in range(0, len(missing), 31):
            written += store(workspace, missing[first : first + 31], [kpi])
    return written


def _json(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text and text != "{}" else {}


def _measures(stored: QuerySet[KpiValue]) -> Iterator[tuple[str, date, Measure]]:
    """(key, day, measure) of stored rows. `dist` and `parts` are read as text and decoded
    only when not empty: most KPIs have neither, and decoding two JSON values for each of a
    dashboard's thousands of rows was a third of the overview's time (bench/analytics.py)."""
    rows = stored.values_list(
        "key", "day", "value", "weight", Cast("dist", TextField()), Cast("parts", TextField())
    )
    for key, day, value, weight, dist, parts in rows:
        yield key, day, Measure(value, weight, _json(dist), _json(parts))


def daily_measures(
    workspace: Workspace, kpis: list[KpiDef], start: date, end: date
) -> dict[str, list[Measure]]:
    """Per KPI, one measure per day of [start, end): stored days read from the roll-ups, days
    missing from them computed once and stored, today (incomplete) computed live, never
    stored."""
    now_day = today(workspace)
    days = days_between(start, end)
    index = {d: n for n, d in enumerate(days)}
    found: dict[str, list[Measure | None]] = {k.key: [None] * len(days) for k in kpis}
    stored = KpiValue.objects.filter(
        workspace=workspace, key__in=list(found), day__gte=start, day__lt=end
    )
    for key, day, measure in _measures(stored):
        found[key][index[day]] = measure
    missing = sorted(
        {d for k in kpis for d, m in zip(days, found[k.key], strict=True) if m is None}
    )
    past_missing = [d for d in missing if d < now_day]
    if past_missing:
        store(workspace, past_missing, kpis)
        for key, day, measure in _measures(
            KpiValue.objects.filter(workspace=workspace, key__in=list(found), day__in=past_missing)
        ):
            found[key][index[day]] = measure
    with one_pass():
        for kpi in kpis:
            series = found[kpi.key]
            for n, day in enumerate(days):
                if series[n] is None:
                    # Today (or a day not over yet in this zone): computed, not kept.
                    series[n] = compute_day(workspace, kpi, day) if day <= now_day else Measure()
    return {key: [m or Measure() for m in series] for key, series in found.items()}
