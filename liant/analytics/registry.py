"""The KPI registry: what each module measures, how, and in which direction is better.

A KPI computes a `Measure` for one workspace over [start, end) (aware datetimes, the bounds
of whole days in the workspace's time zone). A measure keeps the parts a period is made of,
not only the final number, so the daily roll-ups of 90 days add up to exactly what computing
the 90 days at once would give:

- SUM: a count; the days add up.
- RATIO: numerator and denominator; the period's value is Σ numerators ÷ Σ denominators
  (× scale), never an average of daily ratios (which would weigh a quiet day like a busy one).
- MEDIAN: the distribution of whole minutes ({minutes: how many}); distributions merge, and
  the median of the merged one is the period's median.
- LEVEL: a state at the end of the day (ambassadors, active members over 30 days); the
  period's value is the last day's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.utils.functional import Promise

from liant.core.models import Workspace


class Kind(StrEnum):
    SUM = "sum"
    RATIO = "ratio"
    MEDIAN = "median"
    LEVEL = "level"


@dataclass
class Measure:
    value: float = 0.0  # SUM: the count; RATIO: the numerator; LEVEL: the level
    weight: float = 0.0  # RATIO: the denominator
    dist: dict[str, int] = field(default_factory=dict)  # MEDIAN: {"minutes": count}
    parts: dict[str, float] = field(default_factory=dict)  # SUM: a breakdown (by department…)


Compute = Callable[[Workspace, datetime, datetime], Measure]


@dataclass(frozen=True)
class KpiDef:
    key: str  # "<module>.<name>", stable: stored in every roll-up row
    label: Promise
    unit: Promise
    formula: Promise  # the definition in words, shown under the chart
    module: str  # a key of liant.core.navigation.MODULES
    higher_is_better: bool | None  # None: neither (a volume says nothing by itself)
    kind: Kind
    compute: Compute
    scale: float = 1.0  # RATIO: 100 for a percentage
    # Where the rows behind the number are: a URL name taking `ws`, and a query string.
    link: tuple[str, str] | None = None
    # SUM with parts: turns part keys into labels for the breakdown table.
    part_labels: Callable[[Workspace, Iterable[str]], dict[str, str]] | None = None
    decimals: int = 0


REGISTRY: dict[str, KpiDef] = {}


def register(kpi: KpiDef) -> KpiDef:
    if kpi.key in REGISTRY and REGISTRY[kpi.key].compute is not kpi.compute:
        raise ValueError(f"KPI {kpi.key!r} is registered twice")
    REGISTRY[kpi.key] = kpi
    return kpi


def discover() -> None:
    """Import `kpis.py` of every installed Liant app that has one."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("liant.") and find_spec(f"{config.name}.kpis"):
            import_module(f"{config.name}.kpis")


_shared: ContextVar[dict[Hashable, Any] | None] = ContextVar("kpi_shared", default=None)


@contextmanager
def one_pass() -> Iterator[None]:
    """A pass over many KPIs (a roll-up, a dashboard's live day) in which KPIs that read the
    same aggregate read it once: see `shared`. Outside a pass nothing is kept, so a KPI
    computed twice sees the rows stored in between."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key: Hashable, read: Callable[[], Any]) -> Any:
    """`read()`, or what it gave for the same key earlier in this pass (e.g. listening's
    three KPIs all count the same mentions of a day)."""
    memo = _shared.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def all_kpis() -> list[KpiDef]:
    from liant.core.navigation import MODULES

    order = {m.key: n for n, m in enumerate(MODULES)}
    # Stable sort: within a module, the order its kpis.py registers them in.
    return sorted(REGISTRY.values(), key=lambda k: order.get(k.module, 99))


def combine(kpi: KpiDef, measures: Iterable[Measure]) -> Measure:
    """The measure of a period from the measures of its days, in day order."""
    days = list(measures)
    total = Measure()
    if not days:
        return total
    if kpi.kind == Kind.LEVEL:
        total.value = days[-1].value  # the last day wins
    else:
        total.value = sum(m.value for m in days)
        total.weight = sum(m.weight for m in days)
    dist: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for m in days:
        # Most days of most KPIs have neither: skipping the empty ones halves the time of
        # the overview's 2 × 21 periods.
        if m.dist:
            dist.update(m.dist)
        if m.parts:
            parts.update(m.parts)
    total.dist = dict(dist)
    total.parts = dict(parts)
    return total


def median_minutes(dist: dict[str, int]) -> float | None:
    pairs = sorted((float(k), n) for k, n in dist.items() if n > 0)
    count = sum(n for _, n in pairs)
    if not count:
        return None
    # The two middle positions (the same one when the count is odd), 0-based.
    low_at, high_at = (count - 1) // 2, count // 2
    low = high = None
    seen = 0
    for minutes, n in pairs:
        if low is None and seen + n > low_at:
            low = minutes
        if seen + n > high_at:
            high = minutes
            break
        seen += n
    assert low is not None and high is not None
    return (low + high) / 2


def value_of(kpi: KpiDef, measure: Measure) -> float | None:
    """The number shown; None where it has no meaning (a ratio of nothing, no durations)."""
    if kpi.kind == Kind.RATIO:
        if not measure.weight:
            return None
        return round(kpi.scale * measure.value / measure.weight, 1)
    if kpi.kind == Kind.MEDIAN:
        return median_minutes(measure.dist)
    return measure.value


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes, rounded: the unit durations are stored in."""
    return max(0, round((end - start).total_seconds() / 60))


def distribution(durations: Iterable[tuple[Any, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for begin, finish in durations:
        if begin is not None and finish is not None:
            counts[str(minutes_between(begin, finish))] += 1
    return dict(counts)
