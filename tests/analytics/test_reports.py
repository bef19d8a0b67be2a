"""Reports: made from stored daily figures, shown as a page and a PDF in the reader's
language, kept to their workspace."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from liant.analytics import pdf, rollup
from liant.analytics.models import (
    Compare,
    KpiValue,
    PeriodKind,
    Report,
    ReportSection,
    SectionKind,
)
from liant.analytics.registry import REGISTRY
from liant.analytics.reports import build, comparison, last_whole, make_from, span_of
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def seed(workspace, key: str, day: date, value: float, weight: float = 0) -> None:
    KpiValue.objects.filter(workspace=workspace, key=key, day=day).update(
        value=value, weight=weight
    )


def empty_days(workspace, first: date, end: date) -> None:
    """Every KPI stored as nothing for these days, as the nightly roll-up would leave an
    empty workspace: a report then reads what the test writes, and computes no day."""
    KpiValue.objects.bulk_create(
        KpiValue(workspace=workspace, key=key, day=day)
        for key in REGISTRY
        for day in rollup.days_between(first, end)
    )


@pytest.fixture
def report(workspace, owner) -> Report:
    report = Report.objects.create(
        workspace=workspace,
        title="Rapport d’octobre",
        period=PeriodKind.MONTH,
        starts_on=OCTOBER[0],
        ends_on=OCTOBER[1],
        created_by=owner,
    )
    ReportSection.objects.create(report=report, position=0, kind=SectionKind.LISTENING)
    ReportSection.objects.create(
        report=report, position=1, kind=SectionKind.KPIS, kpis=["inbox.sla_met"]
    )
    empty_days(workspace, date(2026, 9, 1), date(2026, 11, 1))
    # 1 234 mentions in October (two days), 500 in September; SLA met 3 times out of 4.
    seed(workspace, "listening.mentions", date(2026, 10, 5), 1000)
    seed(workspace, "listening.mentions", date(2026, 10, 20), 234)
    seed(workspace, "listening.mentions", date(2026, 9, 10), 500)
    seed(workspace, "inbox.sla_met", date(2026, 10, 7), 3, 4)
    return report


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_periods_and_their_comparison():
    assert span_of(PeriodKind.MONTH, date(2026, 2, 14)).last_day == date(2026, 2, 28)
    quarter = span_of(PeriodKind.QUARTER, date(2026, 11, 30))
    assert (quarter.start, quarter.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert last_whole(PeriodKind.WEEK, date(2026, 11, 30)).start == date(2026, 11, 23)
    march = span_of(PeriodKind.MONTH, date(2026, 3, 1))
    before = comparison(march, PeriodKind.MONTH, Compare.PREVIOUS)
    assert (before.start, before.last_day) == (date(2026, 2, 1), date(2026, 2, 28))
    year = comparison(march, PeriodKind.MONTH, Compare.YEAR)
    assert (year.start, year.last_day) == (date(2025, 3, 1), date(2025, 3, 31))


def test_a_report_shows_the_stored_figures_against_the_comparison_period(
    report, owner_client, workspace
):
    response = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1,234" in page  # October's mentions, as stored
    assert "comparison period: 500" in page
    assert "75" in page  # 3 ÷ 4 SLA met, in %
    assert page.count('<svg class="report-chart"') == page.count("day by day</caption>")


def test_the_report_reads_in_the_readers_language(report, workspace, owner):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    page = client_for(owner).get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/")
    text = page.content.decode()
    assert "1\u202f234" in text or "1\xa0234" in text or "1 234" in text
    assert "1,234" not in text


def test_the_pdf_has_the_figures_and_the_charts(report, owner_client, workspace):
    response = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "1,234" in text
    assert "Mentions" in text or "mentions" in text
    french = pdf_text(pdf.render_pdf(report, "fr"))
    assert "1 234" in french.replace("\u202f", " ").replace("\xa0", " ")


def test_the_commentary_is_markdown_sanitized(report, owner_client, workspace):
    section = report.sections.first()
    url = f"/w/{workspace.slug}/analytics/reports/{report.pk}/sections/{section.pk}/commentary/"
    response = owner_client.post(
        url, {"commentary": "**Bon mois** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert "<strong>Bon mois</strong>" in section.commentary_html
    assert "<script" not in section.commentary_html
    assert "javascript:" not in section.commentary_html
    page = owner_client.get(f"/w/{workspace.slug}/analytics/reports/{report.pk}/").content
    assert b"<strong>Bon mois</strong>" in page
    assert "Bon mois" in pdf_text(pdf.render_pdf(report, "en"))


def test_creating_and_editing_a_report_keeps_the_commentary(owner_client, workspace):
    base = f"/w/{workspace.slug}/analytics/reports/"
    assert owner_client.get(f"{base}new/").status_code == 200
    response = owner_client.post(
        f"{base}new/",
        {
            "title": "Novembre",
            "period": "month",
            "starts_on": "2026-11-12",
            "compare": "previous",
            "sections": ["objectives", "kpis", "top_posts"],
            "kpis": ["publishing.posts"],
        },
    )
    assert response.status_code == 302
    report = Report.objects.get(workspace=workspace, title="Novembre")
    assert (report.starts_on, report.ends_on) == (date(2026, 11, 1), date(2026, 11, 30))
    assert [s.kind for s in report.sections.all()] == ["kpis", "objectives", "top_posts"]
    kpis = report.sections.get(kind="kpis")
    kpis.commentary = "Gardé"
    kpis.save()
    response = owner_client.post(
        f"{base}{report.pk}/edit/",
        {
            "title": "Novembre",
            "period": "custom",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-15",
            "compare": "year",
            "sections": ["kpis", "inbox"],
            "kpis": ["publishing.posts", "members.new"],
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.ends_on == date(2026, 11, 15)
    assert [s.kind for s in report.sections.all()] == ["kpis", "inbox"]
    kept = report.sections.get(kind="kpis")
    assert (kept.commentary, kept.kpis) == ("Gardé", ["publishing.posts", "members.new"])
    assert owner_client.get(f"{base}{report.pk}/").status_code == 200


def test_a_template_makes_each_months_report(owner_client, workspace, owner):
    template = Report.objects.create(
        workspace=workspace, title="Rapport mensuel", is_template=True, period="month"
    )
    ReportSection.objects.create(report=template, kind=SectionKind.COMMUNITY)
    base = f"/w/{workspace.slug}/analytics/reports/"
    assert owner_client.get(f"{base}{template.pk}/").status_code == 200  # a preview
    response = owner_client.post(f"{base}{template.pk}/use/", {"day": "2026-10-09"})
    assert response.status_code == 302
    made = Report.objects.get(template=template)
    assert (made.starts_on, made.ends_on) == OCTOBER
    assert made.title.startswith("Rapport mensuel — ")
    assert [s.kind for s in made.sections.all()] == ["community"]
    assert "Rapport mensuel" in owner_client.get(base).content.decode()


def test_the_built_report_reads_objectives_and_best_posts(report):
    ReportSection.objects.create(report=report, position=2, kind=SectionKind.OBJECTIVES)
    ReportSection.objects.create(report=report, position=3, kind=SectionKind.TOP_POSTS)
    built = build(report)
    assert built.objectives_on == OCTOBER[1]
    assert [s.section.kind for s in built.sections][-2:] == ["objectives", "top_posts"]


def test_another_workspace_gets_nothing(report, outsider_client, workspace):
    template = make_from(
        Report.objects.create(workspace=workspace, title="T", is_template=True),
        span_of("month", OCTOBER[0]),
    )
    section = report.sections.first()
    base = f"/w/{workspace.slug}/analytics/reports"
    for path in [
        f"{base}/",
        f"{base}/{report.pk}/",
        f"{base}/{report.pk}/pdf/",
        f"{base}/{report.pk}/edit/",
        f"{base}/{template.pk}/",
        f"/w/{workspace.slug}/analytics/schedules/new/",
    ]:
        assert outsider_client.get(path).status_code == 404, path
    for path in [
        f"{base}/{report.pk}/delete/",
        f"{base}/{report.pk}/sections/{section.pk}/commentary/",
    ]:
        assert outsider_client.post(path, {"commentary": "x"}).status_code == 404, path
    # The outsider's own workspace does not open this one's report either.
    rival = f"/w/rival-brand/analytics/reports/{report.pk}/"
    assert outsider_client.get(rival).status_code == 404
    assert outsider_client.get(rival + "pdf/").status_code == 404
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_client_approver_reads_reports_but_does_not_write_them(report, workspace):
    client = client_for(make_user("client@brand.example", workspace, "client_approver"))
    base = f"/w/{workspace.slug}/analytics/reports/"
    assert client.get(f"{base}{report.pk}/").status_code == 200
    assert client.get(f"{base}new/").status_code == 403
    assert client.post(f"{base}{report.pk}/delete/").status_code == 403


def test_a_quarter_is_charted_week_by_week_against_last_year(report, workspace):
    KpiValue.objects.filter(workspace=workspace).delete()
    report.period, report.compare = PeriodKind.QUARTER, Compare.YEAR
    report.starts_on, report.ends_on = date(2026, 7, 1), date(2026, 9, 30)
    report.save()
    empty_days(workspace, date(2025, 7, 1), date(2025, 10, 1))
    empty_days(workspace, date(2026, 7, 1), date(2026, 10, 1))
    seed(workspace, "listening.mentions", date(2025, 7, 2), 40)
    seed(workspace, "listening.mentions", date(2026, 7, 2), 60)
    built = build(report)
    assert (built.previous.start, built.previous.last_day) == (date(2025, 7, 1), date(2025, 9, 30))
    block = next(b for b in built.sections[0].blocks if b.kpi.key == "listening.mentions")
    assert block.by_week and len(block.rows) == 14  # 92 days: 13 weeks and a day
    assert (block.value, block.before) == ("60", "40")
    assert block.rows[0][1:] == ("60", "40")


def test_a_template_is_made_without_dates_and_not_for_custom_periods(owner_client, workspace):
    url = f"/w/{workspace.slug}/analytics/reports/new/?template=1"
    page = owner_client.get(url).content.decode()
    assert 'name="starts_on"' not in page
    fields = {"title": "Mensuel", "compare": "previous", "sections": ["inbox"]}
    assert owner_client.post(url, {**fields, "period": "custom"}).status_code == 200
    assert owner_client.post(url, {**fields, "period": "month"}).status_code == 302
    template = Report.objects.get(workspace=workspace, is_template=True)
    assert (template.starts_on, template.period) == (None, "month")
    assert [s.kind for s in template.sections.all()] == ["inbox"]
