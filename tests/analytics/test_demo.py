"""The demo's analytics: six months of daily KPIs from the other demos' data, loaded twice
without doubling anything."""

from __future__ import annotations

from datetime import timedelta

import pytest

from liant.analytics import demo, rollup
from liant.analytics.models import KpiValue, ObjectiveLink
from liant.analytics.registry import REGISTRY
from liant.demo.loader import DemoContext
from liant.strategy.models import Kpi, Objective
from tests.analytics.conftest import at
from tests.analytics.test_kpis import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(organisation, workspace):
    workspace.slug = "maison-lumiere"
    workspace.save()
    return DemoContext(organisation, {"maison-lumiere": workspace}, {})


def test_the_demo_keeps_six_months_of_kpis_and_links_the_strategy(context, workspace, channel):
    objective = Objective.objects.create(workspace=workspace, kind="notoriety", name="x")
    kpi = Kpi.objects.create(objective=objective, name="Interactions par publication", target=20)
    day = rollup.today(workspace) - timedelta(days=40)
    conversation(workspace, channel, at(10, day=day))
    demo.analytics(context)
    demo.analytics(context)  # idempotent
    assert KpiValue.objects.filter(workspace=workspace).count() == len(REGISTRY) * demo.DEMO_DAYS
    assert KpiValue.objects.get(workspace=workspace, key="inbox.received", day=day).value == 1
    assert ObjectiveLink.objects.get(kpi=kpi).key == "publishing.engagement"


def test_the_demo_has_last_months_report_with_commentary_and_its_schedule(organisation, workspace):
    from liant.analytics.models import Report, ReportSchedule
    from liant.analytics.pdf import render_pdf
    from tests.conftest import make_user

    workspace.slug = "maison-lumiere"
    workspace.save()
    users = {
        "camille": make_user("camille@maison-lumiere.example", workspace),
        "paul": make_user("paul@maison-lumiere.example", workspace, "analyst"),
    }
    context = DemoContext(organisation, {"maison-lumiere": workspace}, users)
    demo.monthly_report(context)
    demo.monthly_report(context)  # idempotent
    report = Report.objects.get(workspace=workspace, is_template=False)
    assert report.template.is_template
    assert all(s.commentary_html for s in report.sections.all())
    schedule = ReportSchedule.objects.get(workspace=workspace)
    assert list(schedule.members.all()) == [users["paul"]]
    assert render_pdf(report, "fr").startswith(b"%PDF")
