"""CSV downloads of the analytics pages: the overview's table, a report's figures, and a
report's bundle (a zip of one CSV per part). Same permission and same period as the page."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from liant.analytics import rollup
from liant.analytics.models import Report
from liant.analytics.registry import all_kpis, combine, value_of
from liant.analytics.report_csv import Figures, _change, bundle
from liant.analytics.views import DEFAULT_PERIOD, PERIODS, period_of
from liant.core import csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.navigation import MODULES_BY_KEY


@workspace_view("analytics.view")
def overview_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """The overview's KPIs over its period (`?period=` as on the page) and the one before."""
    workspace = request.workspace
    key = request.GET.get("period", DEFAULT_PERIOD)
    period = period_of(key if key in PERIODS else DEFAULT_PERIOD, rollup.today(workspace))
    kpis = all_kpis()
    daily = rollup.daily_measures(workspace, kpis, period.previous_start, period.end)
    split = (period.start - period.previous_start).days
    rows = []
    for kpi in kpis:
        value = value_of(kpi, combine(kpi, daily[kpi.key][split:]))
        before = value_of(kpi, combine(kpi, daily[kpi.key][:split]))
        module = MODULES_BY_KEY.get(kpi.module)
        rows.append(
            [
                str(kpi.label), str(module.label) if module else kpi.module, str(kpi.unit),
                "" if value is None else value, "" if before is None else before,
                *_change(value, before), period.start, period.last_day,
                period.previous_start, period.previous_last_day, kpi.key,
            ]
        )  # fmt: skip
    header = [
        _("Indicator"), _("Module"), _("Unit"), _("Value"), _("Previous period"), _("Change"),
        _("Change (%)"), _("First day"), _("Last day"), _("Comparison from"),
        _("Comparison to"), _("Key"),
    ]  # fmt: skip
    return csvexport.response(workspace, "indicators", header, rows)


def _report(request: WorkspaceRequest, pk: int) -> Report:
    return get_object_or_404(Report, pk=pk, workspace=request.workspace)


@workspace_view("analytics.view")
def report_figures_csv(request: WorkspaceRequest, pk: int) -> StreamingHttpResponse:
    header, rows = Figures(_report(request, pk)).indicators()
    return csvexport.response(request.workspace, "report", header, rows)


@workspace_view("analytics.view")
def report_bundle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    response = HttpResponse(bundle(report), content_type="application/zip")
    name = csvexport.filename(request.workspace, f"report-{report.pk}", "zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
