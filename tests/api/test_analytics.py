"""KPIs (the registry, values computed as the dashboard does) and reports (list, read, PDF)."""

from __future__ import annotations

from datetime import date

import pytest

from liant.analytics.models import KpiValue, PeriodKind, Report, ReportSection, SectionKind
from liant.analytics.registry import REGISTRY
from liant.core.models import Role
from tests.api.conftest import Api, token_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(workspace, owner) -> Report:
    report = Report.objects.create(
        workspace=workspace,
        title="Rapport d’octobre",
        period=PeriodKind.MONTH,
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
        created_by=owner,
    )
    ReportSection.objects.create(
        report=report, position=0, kind=SectionKind.KPIS, kpis=["listening.mentions"]
    )
    return report


def test_the_kpi_registry_with_definitions(reader):
    items = reader.get("/kpis").json()["items"]
    assert {k["key"] for k in items} == set(REGISTRY)
    mentions = next(k for k in items if k["key"] == "listening.mentions")
    assert mentions["formula"] and mentions["kind"] == "sum" and mentions["module"] == "listening"
    assert {k["module"] for k in reader.get("/kpis", module="inbox").json()["items"]} == {"inbox"}


def test_kpi_values_over_a_period_are_the_dashboards(reader, seeded, workspace):
    body = reader.get("/kpis/listening.mentions/values", start="2026-11-22", end="2026-11-25")
    assert body.status_code == 200, body.content
    values = body.json()
    assert values["value"] == 1
    assert [d["day"] for d in values["days"]] == ["2026-11-22", "2026-11-23", "2026-11-24"]
    assert [d["value"] for d in values["days"]] == [0, 1, 0]
    # The past days were stored as the nightly roll-up would: read back the same next time.
    assert KpiValue.objects.filter(workspace=workspace, key="listening.mentions").count() == 3
    assert reader.get("/kpis/nope/values", start="2026-11-22", end="2026-11-25").status_code == 404
    too_long = reader.get("/kpis/listening.mentions/values", start="2024-01-01", end="2026-01-01")
    assert too_long.status_code == 422


def test_reports_list_read_and_pdf(reader, report):
    assert [r["id"] for r in reader.get("/reports").json()["items"]] == [report.pk]
    assert reader.get("/reports", is_template=True).json()["items"] == []
    body = reader.get(f"/reports/{report.pk}").json()
    assert body["sections"][0]["kpis"] == ["listening.mentions"]
    response = reader.get(f"/reports/{report.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_analytics_need_analytics_view(workspace, report):
    moderator = make_user("mod@brand.example", workspace, Role.MODERATOR)
    caller = Api(token_for(workspace, moderator, "admin"))
    assert caller.get("/kpis").status_code == 403
    assert caller.get(f"/reports/{report.pk}/pdf").status_code == 403


def test_another_workspaces_report_is_a_404(outsider_api, report):
    assert outsider_api.get(f"/reports/{report.pk}").status_code == 404
    assert outsider_api.get(f"/reports/{report.pk}/pdf").status_code == 404
    assert outsider_api.get("/reports").json()["items"] == []
