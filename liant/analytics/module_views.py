"""One dashboard per module: its KPIs with their charts and tables (the report's blocks),
and what the module declares besides in its `dashboards.py` (stacked areas, heat maps,
funnels), over the overview's periods and compared with the period before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from liant.analytics import breakdowns, charts_extra, reports, rollup
from liant.analytics.registry import REGISTRY, Kind, KpiDef, all_kpis
from liant.analytics.views import DEFAULT_PERIOD, PERIODS, Period, _link, period_of
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.models import Membership
from liant.core.navigation import MODULES, Module

# A stack keeps its biggest layers; the rest is one "other" band.
STACK_LAYERS = 5


def dashboard_modules() -> list[Module]:
    """Modules that have something to show: a KPI, or a chart of their own."""
    keys = {k.module for k in all_kpis()} | breakdowns.modules_with_charts()
    return [m for m in MODULES if m.key in keys]


def visible_modules(membership: Membership) -> list[Module]:
    """The module dashboards this person may open: those of the modules they may see."""
    return [m for m in dashboard_modules() if membership.can(m.permission)]


def period_from(request: WorkspaceRequest) -> Period:
    key = request.GET.get("period", DEFAULT_PERIOD)
    return period_of(key if key in PERIODS else DEFAULT_PERIOD, rollup.today(request.workspace))


@dataclass
class Table:
    """The numbers behind a chart: what screen readers, print and copy-paste read."""

    id: str
    caption: str
    head: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Figure:
    title: str
    explanation: str
    chart: SafeString
    table: Table
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


def _figure_number(value: float, decimals: int = 0) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)


def _stack(n: int, title: str, explanation: str, layers: list, span: reports.Span) -> Figure | None:
    if not layers or not any(any(v) for _, v in layers):
        return None
    buckets = reports._buckets(span)
    labels = [
        date_format(span.start + timedelta(days=start), "SHORT_DATE_FORMAT")
        for start, _size in buckets
    ]
    summed = [(name, [sum(v[s : s + size]) for s, size in buckets]) for name, v in layers]
    table = Table(
        id=f"figure-{n}-table",
        caption=_("%(title)s, week by week") % {"title": title}
        if len(buckets) < span.days
        else _("%(title)s, day by day") % {"title": title},
        head=[_("Week from") if len(buckets) < span.days else _("Day")]
        + [name for name, _v in summed]
        + [_("Total")],
        rows=[
            (
                label,
                [_figure_number(v[i]) for _name, v in summed]
                + [_figure_number(sum(v[i] for _name, v in summed))],
            )
            for i, label in enumerate(labels)
        ],
    )
    return Figure(
        title=title,
        explanation=explanation,
        chart=charts_extra.stacked_area(title, labels, summed, described_by=table.id),
        table=table,
        legend=[(charts_extra.colour(i), name) for i, (name, _v) in enumerate(summed)],
    )


def _stacks(request: WorkspaceRequest, module: str, daily: dict, split: int, span) -> list:
    figures = []
    workspace = request.workspace
    for kpi in all_kpis():
        if kpi.module != module or kpi.kind != Kind.SUM or kpi.part_labels is None:
            continue
        series = breakdowns.parts_by_day(daily[kpi.key][split:])
        labels = kpi.part_labels(workspace, series)
        layers = breakdowns.top_layers(series, labels, STACK_LAYERS, _("Other"))
        title = _("%(label)s, by breakdown") % {"label": kpi.label}
        figures.append((title, str(kpi.formula), layers))
    for stack in breakdowns.of_module(breakdowns.STACKS, module):
        now = {key: daily[key][split:] for key in stack.needs}
        figures.append((str(stack.title), str(stack.explanation), stack.layers(now)))
    return figures


def _grid(n: int, grid: breakdowns.Grid, request: WorkspaceRequest, period: Period) -> Figure:
    workspace = request.workspace
    begin, _end = rollup.day_bounds(workspace, period.start)
    _begin, finish = rollup.day_bounds(workspace, period.last_day)
    cells = grid.compute(workspace, begin, finish)
    days = [str(WEEKDAYS_ABBR[d]) for d in range(7)]
    title = str(grid.title)
    table = Table(
        id=f"figure-{n}-table",
        caption=_("%(title)s (%(unit)s)") % {"title": title, "unit": grid.unit},
        head=[_("Day")] + [f"{h:02d}h" for h in range(24)],
        rows=[
            (
                day,
                [_figure_number(cells.get((d + 1, h), 0), grid.decimals) for h in range(24)],
            )
            for d, day in enumerate(days)
        ],
    )
    chart = charts_extra.heat_map(title, days, cells, table.id, grid.decimals)
    return Figure(title=title, explanation=str(grid.explanation), chart=chart, table=table)


def _funnel(n: int, funnel: breakdowns.Funnel, request: WorkspaceRequest, period: Period) -> Figure:
    workspace = request.workspace

    def bounds(first, last):
        return rollup.day_bounds(workspace, first)[0], rollup.day_bounds(workspace, last)[1]

    stages, others = funnel.compute(workspace, *bounds(period.start, period.last_day))
    before, before_others = funnel.compute(
        workspace, *bounds(period.previous_start, period.previous_last_day)
    )
    first = stages[0][1] if stages else 0
    title = str(funnel.title)
    rows = []
    for i, (name, count) in enumerate(stages):
        above = stages[i - 1][1] if i else count
        rows.append(
            (
                name,
                [
                    _figure_number(count),
                    f"{round(100 * count / first)} %" if first else "—",
                    f"{round(100 * count / above)} %" if above else "—",
                    _figure_number(before[i][1]) if i < len(before) else "—",
                ],
            )
        )
    for i, (name, count) in enumerate(others):
        was = before_others[i][1] if i < len(before_others) else None
        rows.append((name, [_figure_number(count), "", "", _figure_number(was or 0)]))
    table = Table(
        id=f"figure-{n}-table",
        caption=_("%(title)s (%(unit)s)") % {"title": title, "unit": funnel.unit},
        head=[
            _("Stage"),
            _("This period"),
            _("Share of the first stage"),
            _("Share of the stage before"),
            _("Comparison period"),
        ],
        rows=rows,
    )
    chart = charts_extra.funnel(title, stages, described_by=table.id)
    return Figure(title=title, explanation=str(funnel.explanation), chart=chart, table=table)


def module_figures(request: WorkspaceRequest, module: Module, period: Period) -> dict[str, Any]:
    """Everything a module's dashboard shows, from one read of the daily figures."""
    workspace = request.workspace
    kpis: list[KpiDef] = [k for k in all_kpis() if k.module == module.key]
    stacks = breakdowns.of_module(breakdowns.STACKS, module.key)
    needed = {k.key for k in kpis}
    read = kpis + [
        REGISTRY[key] for s in stacks for key in s.needs if key not in needed and key in REGISTRY
    ]
    daily = rollup.daily_measures(workspace, read, period.previous_start, period.end)
    split = (period.start - period.previous_start).days
    span = reports.Span(period.start, period.end)
    previous = reports.Span(period.previous_start, period.previous_end)
    blocks = [
        {
            "block": reports._block(
                workspace, kpi, span, previous, daily[kpi.key][split:], daily[kpi.key][:split]
            ),
            "link": _link(kpi, request),
        }
        for kpi in kpis
    ]
    figures: list[Figure] = []
    for title, explanation, layers in _stacks(request, module.key, daily, split, span):
        made = _stack(len(figures), title, explanation, layers, span)
        if made is not None:
            figures.append(made)
    for grid in breakdowns.of_module(breakdowns.GRIDS, module.key):
        figures.append(_grid(len(figures), grid, request, period))
    for funnel in breakdowns.of_module(breakdowns.FUNNELS, module.key):
        figures.append(_funnel(len(figures), funnel, request, period))
    return {"blocks": blocks, "figures": figures}


@workspace_view("analytics.view")
def module_dashboard(request: WorkspaceRequest, module: str) -> HttpResponse:
    shown = {m.key: m for m in dashboard_modules()}
    if module not in shown:
        raise Http404
    if not request.membership.can(shown[module].permission):
        raise PermissionDenied
    period = period_from(request)
    return render(
        request,
        "analytics/module.html",
        {
            "module": shown[module],
            "modules": visible_modules(request.membership),
            "period": period,
            "periods": PERIODS,
            **module_figures(request, shown[module], period),
        },
    )
