"""The analytics tables as CSV: the overview's, a report's figures and its zip bundle."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest

from liant.analytics import rollup
from liant.analytics.models import KpiValue, ReportSection, SectionKind
from liant.analytics.report_csv import bundle
from liant.analytics.roi_models import Cost
from tests.analytics.test_reports import empty_days, report, seed  # noqa: F401 (fixture)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def streamed(response) -> list[list[str]]:
    return rows_of(b"".join(response.streaming_content).decode("utf-8"))


def test_the_overview_table_is_the_pages(workspace, owner_client, outsider):
    today = rollup.today(workspace)
    empty_days(workspace, today - timedelta(days=14), today)
    seed(workspace, "listening.mentions", today - timedelta(days=1), 12)
    seed(workspace, "listening.mentions", today - timedelta(days=9), 4)
    Cost.objects.create(
        workspace=workspace, kind="ads", starts_on=today, ends_on=today, amount=7, note="=1+1"
    )
    response = owner_client.get(f"/w/{workspace.slug}/analytics/export.csv?period=7")
    assert response.status_code == 200
    rows = streamed(response)
    assert rows[0][:7] == [
        "Indicator", "Module", "Unit", "Value", "Previous period", "Change", "Change (%)",
    ]  # fmt: skip
    by_key = {r[-1]: r for r in rows[1:]}
    assert set(by_key) >= {"listening.mentions", "analytics.cost", "analytics.roi"}
    assert by_key["listening.mentions"][3:7] == ["12.0", "4.0", "8.0", "200.0"]
    assert by_key["analytics.cost"][3] == "7.0"  # today, computed live
    assert by_key["analytics.roi"][3] == "-100.0"  # no value, a cost: a number, not a formula
    assert client_for(outsider).get(f"/w/{workspace.slug}/analytics/export.csv").status_code == 404


def test_a_reports_figures(workspace, owner_client, outsider, report):  # noqa: F811
    response = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/figures.csv")
    rows = streamed(response)
    mentions = next(r for r in rows if r[2] == "listening.mentions")
    assert mentions[4:8] == ["1234.0", "500.0", "734.0", "146.8"]
    sla = next(r for r in rows if r[2] == "inbox.sla_met")
    assert sla[4] == "75.0" and sla[5] == ""  # no SLA in September: no comparison
    assert sla[8:] == ["2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"]
    outsider_client = client_for(outsider)
    for tail in ("figures.csv", "bundle.zip"):
        url = f"/w/{workspace.slug}/analytics/reports/{report.pk}/{tail}"
        assert outsider_client.get(url).status_code == 404
        assert outsider_client.get(url.replace(workspace.slug, "rival-brand")).status_code == 404


def test_the_bundle_has_one_file_per_part_with_the_days(workspace, owner_client, report):  # noqa: F811
    ReportSection.objects.create(report=report, position=2, kind=SectionKind.TOP_POSTS)
    ReportSection.objects.create(report=report, position=3, kind=SectionKind.OBJECTIVES)
    section = report.sections.get(kind=SectionKind.LISTENING)
    section.commentary = "@everyone a good month"
    section.save()
    response = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/bundle.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="brand-report-{report.pk}-'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "best_posts.csv", "commentary.csv", "days.csv", "indicators.csv", "objectives.csv",
    ]  # fmt: skip
    days = rows_of(archive.read("days.csv").decode("utf-8"))
    mentions = [r for r in days if r[2] == "listening.mentions"]
    assert len(mentions) == 31
    assert mentions[4] == [
        "2026-10-05",
        "Mentions of the brand",
        "listening.mentions",
        "1000.0",
        "2026-09-05",
        "0.0",
    ]
    assert mentions[9][4:] == ["2026-09-10", "500.0"]
    assert sum(float(r[3]) for r in mentions) == 1234
    commentary = rows_of(archive.read("commentary.csv").decode("utf-8"))
    assert ["Listening and sentiment", "'@everyone a good month"] in commentary
    assert KpiValue.objects.filter(workspace=workspace, day=date(2026, 10, 5)).exists()


def test_the_report_page_links_the_bundle_next_to_the_pdf(workspace, owner_client, report):  # noqa: F811
    page = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/").content.decode()
    assert f"/analytics/reports/{report.pk}/pdf/" in page
    assert f"/analytics/reports/{report.pk}/bundle.zip" in page
    assert bundle(report)[:2] == b"PK"
