"""What a module dashboard shows besides its KPIs: stacked areas, heat maps and funnels.

A module declares them in its own `dashboards.py` (imported when Django starts, like
`kpis.py`), so analytics never imports a module's models:

- `Stack`: layers that add up, day by day, read from the daily roll-ups (no new query);
  every SUM KPI with a breakdown (`part_labels`) gets one without declaring anything.
- `Grid`: a number per weekday × hour of the workspace's time zone over the period (when
  messages come in, when posts get engagement), computed from the rows.
- `Funnel`: ordered stages and how many reached each (leads by stage), computed from the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec

from django.utils.functional import Promise

from liant.analytics.registry import Measure
from liant.core.models import Workspace

# {kpi key: one measure per day} -> [(layer label, one number per day)]
Layers = Callable[[dict[str, list[Measure]]], list[tuple[str, list[float]]]]


@dataclass(frozen=True)
class Stack:
    key: str
    module: str
    title: Promise
    unit: Promise
    needs: tuple[str, ...]  # the KPI keys whose daily measures `layers` reads
    layers: Layers
    explanation: Promise


@dataclass(frozen=True)
class Grid:
    key: str
    module: str
    title: Promise
    unit: Promise
    # {(ISO weekday 1–7, hour 0–23): number} over [start, end), in the workspace's zone
    compute: Callable[[Workspace, datetime, datetime], dict[tuple[int, int], float]]
    explanation: Promise
    decimals: int = 0


@dataclass(frozen=True)
class Funnel:
    key: str
    module: str
    title: Promise
    unit: Promise
    # [(stage label, how many reached it)], first stage first; `others` are off the funnel
    # (lost leads) and shown in the table only.
    compute: Callable[[Workspace, datetime, datetime], tuple[list[tuple[str, int]], list]]
    explanation: Promise


STACKS: dict[str, Stack] = {}
GRIDS: dict[str, Grid] = {}
FUNNELS: dict[str, Funnel] = {}


def register(item: Stack | Grid | Funnel) -> Stack | Grid | Funnel:
    table: dict = (
        STACKS if isinstance(item, Stack) else GRIDS if isinstance(item, Grid) else FUNNELS
    )
    table[item.key] = item
    return item


def discover() -> None:
    """Import `dashboards.py` of every installed Liant app that has one."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("liant.") and find_spec(f"{config.name}.dashboards"):
            import_module(f"{config.name}.dashboards")


def modules_with_charts() -> set[str]:
    return {i.module for t in (STACKS, GRIDS, FUNNELS) for i in t.values()}


def of_module(table: dict, module: str) -> list:
    return [i for i in table.values() if i.module == module]


def top_layers(
    series: dict[str, list[float]], labels: dict[str, str], keep: int, other: str
) -> list[tuple[str, list[float]]]:
    """The `keep` biggest layers over the period, the rest added up as `other`: a stack of
    twelve thin bands is not read."""
    ranked = sorted(series.items(), key=lambda kv: -sum(kv[1]))
    layers = [(labels.get(k, k), v) for k, v in ranked[:keep]]
    rest = ranked[keep:]
    if rest:
        days = len(rest[0][1])
        layers.append((other, [sum(v[n] for _, v in rest) for n in range(days)]))
    return layers


def parts_by_day(measures: Iterable[Measure]) -> dict[str, list[float]]:
    """{part key: one number per day} from the days' breakdowns (0 where a day lacks it)."""
    days = list(measures)
    keys = sorted({k for m in days for k in m.parts})
    return {k: [float(m.parts.get(k, 0)) for m in days] for k in keys}
