"""The strategy's objectives against what is measured: target vs actual, and whether the
objective is on track.

The rule, shown in words on the page: progress is expected to be linear from the starting
value on the objective's first day to the target on its due date. A KPI is on track when its
actual value is at least where that line is today (at most, for a KPI where lower is
better), achieved when it has reached the target, at risk otherwise.

- Counts (posts, mentions, new members…) are added up from the objective's first day, from
  zero: the target is the total to reach by the due date.
- Rates, medians and levels are read over the last 30 days; the starting value is the one
  written in the strategy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from liant.analytics import rollup
from liant.analytics.models import ObjectiveLink
from liant.analytics.registry import REGISTRY, Kind, KpiDef, combine, value_of
from liant.core.models import Workspace
from liant.strategy.models import Kpi, Objective

RECENT_DAYS = 30


@dataclass
class Progress:
    kpi: Kpi
    measured_by: KpiDef | None
    actual: float | None = None
    expected: float | None = None
    since: date | None = None  # counts: added up from this day
    status: str = "unmeasured"  # unmeasured | no_data | achieved | on_track | at_risk

    @property
    def percent_of_target(self) -> float | None:
        if self.actual is None or not self.kpi.target:
            return None
        return round(100 * self.actual / float(self.kpi.target), 1)


def expected_on(
    day: date, start: date | None, due: date | None, baseline: float, target: float
) -> float | None:
    """Where a straight line from (start, baseline) to (due, target) is on `day`."""
    if start is None or due is None or due <= start:
        return None
    fraction = min(1.0, max(0.0, (day - start).days / (due - start).days))
    return baseline + (target - baseline) * fraction


def judge(kpi: Kpi, measured: KpiDef, actual: float | None, today: date) -> Progress:
    progress = Progress(kpi, measured, actual)
    objective = kpi.objective
    start, due = objective.starts_on, kpi.due_on or objective.ends_on
    target = float(kpi.target)
    if measured.kind == Kind.SUM:
        baseline: float | None = 0.0
        progress.since = start
    else:
        baseline = float(kpi.baseline) if kpi.baseline is not None else None
    if actual is None:
        progress.status = "no_data"
        return progress
    # The direction comes from the target itself when it can (a target under the starting
    # value means lower is better), else from the KPI's own direction.
    if baseline is not None and target != baseline:
        higher = target > baseline
    else:
        higher = measured.higher_is_better is not False
    reached = actual >= target if higher else actual <= target
    if baseline is not None:
        progress.expected = expected_on(today, start, due, baseline, target)
    if reached:
        progress.status = "achieved"
    elif progress.expected is not None and (
        actual >= progress.expected if higher else actual <= progress.expected
    ):
        progress.status = "on_track"
    else:
        progress.status = "at_risk"
    return progress


def progress_of(
    workspace: Workspace, today: date | None = None
) -> list[tuple[Objective, list[Progress]]]:
    """Each objective's KPIs as they stand on `today` (a report reads them on its last day)."""
    today = today or rollup.today(workspace)
    objectives = list(
        Objective.objects.filter(workspace=workspace).prefetch_related("kpis__objective")
    )
    links = dict(
        ObjectiveLink.objects.filter(kpi__objective__workspace=workspace).values_list(
            "kpi_id", "key"
        )
    )
    found = []
    for objective in objectives:
        rows = []
        for kpi in objective.kpis.all():
            measured = REGISTRY.get(links.get(kpi.pk, ""))
            if measured is None:
                rows.append(Progress(kpi, None))
                continue
            if measured.kind == Kind.SUM:
                first = objective.starts_on or today - timedelta(days=RECENT_DAYS - 1)
                first = min(first, today)
            else:
                first = today - timedelta(days=RECENT_DAYS - 1)
            measures = rollup.daily_measures(
                workspace, [measured], first, today + timedelta(days=1)
            )[measured.key]
            actual = value_of(measured, combine(measured, measures))
            rows.append(judge(kpi, measured, actual, today))
        found.append((objective, rows))
    return found


def as_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))
