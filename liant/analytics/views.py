"""The overview dashboard: every registered KPI over a period, compared with the period
before, with a chart and the table behind it, and the strategy's objectives against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.analytics import rollup
from liant.analytics.models import ObjectiveLink
from liant.analytics.objectives import progress_of
from liant.analytics.registry import KpiDef, all_kpis, combine, value_of
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.navigation import MODULES_BY_KEY
from liant.strategy.models import Kpi

PERIODS = ["7", "30", "90", "month"]
DEFAULT_PERIOD = "30"


@dataclass
class Period:
    key: str
    start: date  # [start, end): whole days of the workspace's zone
    end: date
    previous_start: date
    previous_end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def previous_last_day(self) -> date:
        return self.previous_end - timedelta(days=1)


def period_of(key: str, today: date) -> Period:
    """The last 7, 30 or 90 days (today included), or the last whole calendar month; each
    compared with the period of the same kind just before it."""
    if key == "month":
        end = today.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
        previous_start = (start - timedelta(days=1)).replace(day=1)
        return Period(key, start, end, previous_start, start)
    days = int(key)
    end = today + timedelta(days=1)
    start = end - timedelta(days=days)
    return Period(key, start, end, start - timedelta(days=days), start)


def _link(kpi: KpiDef, request: WorkspaceRequest) -> str:
    """Where the rows behind a number are, when this person may open that page."""
    module = MODULES_BY_KEY.get(kpi.module)
    if kpi.link is None or module is None or not request.membership.can(module.permission):
        return ""
    name, query = kpi.link
    try:
        url = reverse(name, kwargs={"ws": request.workspace.slug})
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _trend(kpi: KpiDef, value: float | None, before: float | None) -> dict[str, Any]:
    if value is None or before is None:
        return {"delta": None, "direction": "none", "tone": "neutral", "percent": None}
    delta = round(value - before, kpi.decimals)
    direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    if direction == "flat" or kpi.higher_is_better is None:
        tone = "neutral"
    else:
        tone = "good" if (direction == "up") == kpi.higher_is_better else "bad"
    percent = round(100 * delta / before) if before else None
    shown = f"{abs(delta):.{kpi.decimals}f}" if kpi.decimals else f"{abs(round(delta)):d}"
    return {"delta": shown, "direction": direction, "tone": tone, "percent": percent}


def _number(kpi: KpiDef, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.{kpi.decimals}f}" if kpi.decimals else f"{round(value):d}"


@workspace_view("analytics.view")
def overview(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    key = request.GET.get("period", DEFAULT_PERIOD)
    key = key if key in PERIODS else DEFAULT_PERIOD
    today = rollup.today(workspace)
    period = period_of(key, today)
    kpis = all_kpis()
    # One read for both periods: the previous one ends where the current one starts.
    daily = rollup.daily_measures(workspace, kpis, period.previous_start, period.end)
    days = rollup.days_between(period.start, period.end)
    split = (period.start - period.previous_start).days
    # Formatted once, not once per KPI: 21 KPIs × 90 days of date_format was a fifth of the
    # page's time (bench/analytics.py).
    # Escaped once too: format_html for each of 21 × 90 rows was a sixth of the page.
    day_labels = [escape(date_format(d, "SHORT_DATE_FORMAT")) for d in days]
    cards, chart = [], []
    for kpi in kpis:
        measures = daily[kpi.key]
        now_measure = combine(kpi, measures[split:])
        value = value_of(kpi, now_measure)
        before = value_of(kpi, combine(kpi, measures[:split]))
        series = [value_of(kpi, m) for m in measures[split:]]
        parts = []
        if kpi.part_labels and now_measure.parts:
            labels = kpi.part_labels(workspace, now_measure.parts)
            parts = sorted(
                ((labels.get(k, k), v) for k, v in now_measure.parts.items() if v),
                key=lambda p: -p[1],
            )
        cards.append(
            {
                "kpi": kpi,
                "module": MODULES_BY_KEY.get(kpi.module),
                "value": _number(kpi, value),
                "before": _number(kpi, before),
                "trend": _trend(kpi, value, before),
                "link": _link(kpi, request),
                # The same rows as HTML made here: a template loop over 21 × 90 rows was
                # most of the rendering time.
                "rows_html": mark_safe(  # noqa: S308 - labels escaped above, numbers are digits
                    "".join(
                        f'<tr><th scope="row">{label}</th><td>{_number(kpi, v)}</td></tr>'
                        for label, v in zip(day_labels, series, strict=True)
                    )
                ),
                "parts": [(label, _number(kpi, v)) for label, v in parts],
            }
        )
        chart.append({"id": kpi.key, "label": str(kpi.label), "values": series})
    return render(
        request,
        "analytics/overview.html",
        {
            "period": period,
            "periods": PERIODS,
            "today": today,
            "cards": cards,
            "chart": {"days": [d.isoformat() for d in days], "kpis": chart},
            "objectives": progress_of(workspace),
            "measurable": kpis,
            "can_link": request.membership.can("strategy.manage"),
        },
    )


@workspace_view("analytics.view")
@require_POST
def link_kpi(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Say which measured KPI tracks one of the strategy's KPIs (or none)."""
    if not request.membership.can("strategy.manage"):
        raise PermissionDenied
    kpi = get_object_or_404(Kpi, pk=pk, objective__workspace=request.workspace)
    key = request.POST.get("key", "")
    if key and key in {k.key for k in all_kpis()}:
        ObjectiveLink.objects.update_or_create(kpi=kpi, defaults={"key": key})
        messages.success(request, _("The indicator is now measured."))
    else:
        ObjectiveLink.objects.filter(kpi=kpi).delete()
        messages.success(request, _("The indicator is no longer measured."))
    return redirect(reverse("analytics", kwargs={"ws": request.workspace.slug}) + "#objectives")
