"""The analytics dashboards and a report's PDF, in a real browser: the overview draws its
charts and shows its tables, a module dashboard has its SVG charts each described by a table,
and the PDF's first page, rendered to pixels, is not blank."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from liant.analytics import rollup
from liant.analytics.models import Report, ReportSection, SectionKind
from liant.channels.models import Channel
from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from liant.inbox.models import Conversation
from liant.listening.models import Query
from tests.analytics.test_kpis import mention
from tests.browser.test_signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "un mot de passe solide"


def ink(image: Image.Image) -> tuple[float, float]:
    """(share of pixels that are not white, variance of the grey levels) of an image."""
    grey = image.convert("L")
    histogram = grey.histogram()
    non_white = sum(histogram[:250]) / (grey.width * grey.height)
    return non_white, ImageStat.Stat(grey).var[0]


def first_page(pdf: bytes, path: Path) -> Image.Image:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    image.save(path)
    return image


def test_a_blank_page_is_told_apart(tmp_path: Path):
    """The check below can fail: an empty page has no ink."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    document.save(tmp_path / "blank.pdf")
    document.close()
    image = first_page((tmp_path / "blank.pdf").read_bytes(), tmp_path / "blank.png")
    assert ink(image) == (0.0, 0.0)


def test_the_dashboards_show_charts_and_tables_and_the_pdf_is_not_blank(
    live_server, page: Any, artifacts: Path
):
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(organisation=org, name="Maison Lumière", slug="ml")
    user = User.objects.create_user("camille@maison-lumiere.example", PASSWORD, name="Camille")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    today = rollup.today(workspace)
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")
    for n in range(1, 40):
        start, _end = rollup.day_bounds(workspace, today - timedelta(days=n))
        for k in range(n % 5 + 1):
            created = start + timedelta(hours=8 + k)
            Conversation.objects.create(
                workspace=workspace, channel=channel, key=f"t{n}-{k}", created_at=created
            )
            mention(workspace, brand, created, ("positive", "negative", "neutral")[k % 3])
    last_month_end = today.replace(day=1) - timedelta(days=1)
    report = Report.objects.create(
        workspace=workspace,
        title="Rapport du mois",
        period="month",
        starts_on=last_month_end.replace(day=1),
        ends_on=last_month_end,
        created_by=user,
    )
    ReportSection.objects.create(report=report, position=0, kind=SectionKind.LISTENING)
    ReportSection.objects.create(report=report, position=1, kind=SectionKind.INBOX)

    # Bounds a broken run, times nothing: the dashboards fill 60 days of roll-ups on first
    # view, which takes long on a busy machine.
    page.set_default_timeout(120_000)
    page.goto(f"{live_server.url}/account/login/")
    sign_in(page, user.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/w/ml/")

    # The overview: Chart.js draws a chart per KPI on its canvas; each has its table.
    page.goto(f"{live_server.url}/w/ml/analytics/")
    canvases = page.locator("canvas.analytics-chart")
    assert canvases.count() > 5
    page.wait_for_function(
        """() => [...document.querySelectorAll('canvas.analytics-chart')].every((c) => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
             return false; })"""
    )
    assert page.locator(".analytics-kpi table").count() >= canvases.count()
    assert page.locator("nav.analytics-dashboards a[href*='/analytics/modules/inbox/']").count()
    page.screenshot(path=str(artifacts / "analytics-overview.png"), full_page=True)

    # A module dashboard: server-drawn SVG charts, each titled, the figures each described
    # by the table of their numbers, which is on the page.
    page.click("nav.analytics-dashboards a[href*='/analytics/modules/inbox/']")
    page.wait_for_url("**/analytics/modules/inbox/**")
    charts = page.locator("svg.report-chart")
    assert charts.count() >= 5  # three KPIs, the stack by department, the heat map
    assert page.locator("svg.report-chart > title").count() == charts.count()
    assert page.locator("svg.chart-heat rect").count() == 7 * 24
    for svg in page.locator("svg[aria-describedby]").all():
        table = page.locator(f"table#{svg.get_attribute('aria-describedby')}")
        assert table.count() == 1 and table.locator("tbody tr").count() > 0
    # The wide tables (24 hours) scroll in their box: the page itself fits the window.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 50
    page.screenshot(path=str(artifacts / "analytics-inbox.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("nav.sidebar").is_hidden()  # the print stylesheet applies
    assert charts.first.is_visible()

    # The report's PDF, fetched with the browser's session: its first page has ink.
    response = page.request.get(
        f"{live_server.url}/w/ml/analytics/reports/{report.pk}/pdf/", timeout=120_000
    )
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    image = first_page(response.body(), artifacts / "analytics-report-page-1.png")
    non_white, variance = ink(image)
    assert non_white > 0.02, non_white  # text and charts, not a white page
    assert variance > 100, variance
