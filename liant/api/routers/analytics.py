"""Analytics: the KPI registry (each indicator with its definition), a KPI's values over a
period, and reports (list, read, PDF).

Values come from the functions the dashboard uses (`rollup.daily_measures`, `combine`,
`value_of`): a period's value is computed from its days' parts, never averaged. Reports are
read with `reports.build` and printed with `pdf.render_pdf`, as on the report pages."""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from liant.analytics import pdf, rollup
from liant.analytics.models import Report
from liant.analytics.registry import REGISTRY, KpiDef, all_kpis, combine, value_of
from liant.api.auth import Caller, require
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import PathId, Text60

router = Router(tags=["analytics"])

MAX_DAYS = 366  # missing days are computed and stored once: a bounded amount of work


class KpiOut(Schema):
    key: str
    label: str
    unit: str
    formula: str
    module: str
    kind: str
    higher_is_better: bool | None
    decimals: int


class KpiList(Schema):
    items: list[KpiOut]
    next: str | None


class DayValue(Schema):
    day: date
    value: float | None


class KpiValues(Schema):
    key: str
    start: date
    end: date
    value: float | None
    days: list[DayValue]


class SectionOut(Schema):
    position: int
    kind: str
    kpis: list[str]
    commentary: str


class ReportOut(Schema):
    id: int
    title: str
    is_template: bool
    period: str
    starts_on: date | None
    ends_on: date | None
    compare: str
    sections: list[SectionOut]


class ReportPage(Schema):
    items: list[ReportOut]
    next: str | None


def kpi_out(kpi: KpiDef) -> dict:
    return {
        "key": kpi.key,
        "label": str(kpi.label),
        "unit": str(kpi.unit),
        "formula": str(kpi.formula),
        "module": kpi.module,
        "kind": str(kpi.kind),
        "higher_is_better": kpi.higher_is_better,
        "decimals": kpi.decimals,
    }


def report_out(report: Report) -> dict:
    return {
        "id": report.pk,
        "title": report.title,
        "is_template": report.is_template,
        "period": report.period,
        "starts_on": report.starts_on,
        "ends_on": report.ends_on,
        "compare": report.compare,
        "sections": [
            {
                "position": s.position,
                "kind": s.kind,
                "kpis": [str(k) for k in (s.kpis or [])],
                "commentary": s.commentary,
            }
            for s in report.sections.order_by("position", "id")
        ],
    }


@router.get("/kpis", response=KpiList, summary="List the KPIs with their definitions")
def list_kpis(request: HttpRequest, module: Text60 | None = None) -> dict:
    require(request, "analytics.view")
    kpis = [k for k in all_kpis() if not module or k.module == module]
    return {"items": [kpi_out(k) for k in kpis], "next": None}


@router.get(
    "/kpis/{key}/values",
    response=KpiValues,
    summary="A KPI's value over [start, end) and day by day (days of the workspace)",
)
def kpi_values(
    request: HttpRequest,
    key: Path[Text60],
    start: date,
    end: date,
) -> dict:
    caller = require(request, "analytics.view")
    kpi = REGISTRY.get(key)
    if kpi is None:
        raise Http404
    if not date(2000, 1, 1) <= start < end <= date(9000, 1, 1) or (end - start).days > MAX_DAYS:
        raise Problem(
            422,
            _("Give a range where start is before end, at most %(days)s days long.")
            % {"days": MAX_DAYS},
            slug="validation",
            errors=[{"field": "end", "in": "query", "message": _("Invalid range.")}],
        )
    measures = rollup.daily_measures(caller.workspace, [kpi], start, end)[kpi.key]
    days = rollup.days_between(start, end)
    return {
        "key": kpi.key,
        "start": start,
        "end": end,
        "value": value_of(kpi, combine(kpi, measures)),
        "days": [
            {"day": d, "value": value_of(kpi, m)} for d, m in zip(days, measures, strict=True)
        ],
    }


def reports_of(caller: Caller):
    return Report.objects.filter(workspace=caller.workspace).prefetch_related("sections")


@router.get("/reports", response=ReportPage, summary="List reports (and report templates)")
def list_reports(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    is_template: bool | None = None,
) -> dict:
    caller = require(request, "analytics.view")
    rows = reports_of(caller)
    if is_template is not None:
        rows = rows.filter(is_template=is_template)
    found, next_url = page(request, rows, name="reports", limit=limit, cursor=cursor)
    return {"items": [report_out(r) for r in found], "next": next_url}


@router.get("/reports/{id}", response=ReportOut, summary="Read a report")
def get_report(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "analytics.view")
    return report_out(get_object_or_404(reports_of(caller), pk=id))


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The report as a PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/reports/{id}/pdf",
    summary="Download a report as a PDF",
    openapi_extra=PDF_RESPONSE,
)
def report_pdf(request: HttpRequest, id: PathId) -> HttpResponse:  # noqa: A002
    caller = require(request, "analytics.view")
    report = get_object_or_404(reports_of(caller), pk=id)
    response = HttpResponse(
        pdf.render_pdf(report, get_language() or caller.workspace.language),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(report)}"'
    return response
