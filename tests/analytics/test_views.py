"""The overview dashboard and the objectives against their targets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from liant.analytics import rollup
from liant.analytics.models import KpiValue, ObjectiveLink
from liant.analytics.objectives import expected_on, judge, progress_of
from liant.analytics.registry import REGISTRY
from liant.analytics.views import period_of
from liant.core.permissions import Role
from liant.listening.models import Query
from liant.strategy.models import Kpi, Objective
from tests.analytics.test_kpis import mention
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def url(workspace) -> str:
    return f"/w/{workspace.slug}/analytics/"


@pytest.fixture
def objective(workspace) -> Objective:
    today = rollup.today(workspace)
    return Objective.objects.create(
        workspace=workspace,
        kind="notoriety",
        name="Être connus",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
    )


def test_the_dashboard_shows_every_kpi_with_its_table_and_links_to_the_rows(
    workspace, owner_client
):
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")
    today = rollup.today(workspace)
    start, _ = rollup.day_bounds(workspace, today)
    mention(workspace, brand, start + timedelta(minutes=1), "negative")
    response = owner_client.get(url(workspace))
    assert response.status_code == 200
    page = response.content.decode()
    for key in REGISTRY:
        assert f'data-kpi="{key}"' in page
    assert (
        f'href="/w/{workspace.slug}/listening/mentions/?sentiment=negative&amp;copies=1">100.0<'
        in page
    )
    assert 'id="analytics-chart"' in page
    assert page.count("<details>") == len(REGISTRY)  # a table behind every chart


def test_viewing_keeps_the_past_days_and_not_today(workspace, owner_client):
    owner_client.get(url(workspace) + "?period=7")
    days = set(KpiValue.objects.filter(workspace=workspace).values_list("day", flat=True))
    today = rollup.today(workspace)
    assert today not in days
    assert today - timedelta(days=1) in days
    assert len(days) == 13  # 6 past days of the period, 7 of the previous one


@pytest.mark.parametrize("period", ["7", "30", "90", "month", "nonsense"])
def test_every_period_opens(workspace, owner_client, period):
    assert owner_client.get(url(workspace) + f"?period={period}").status_code == 200


def test_periods_are_compared_with_the_one_just_before():
    p = period_of("7", date(2026, 11, 30))
    assert (p.start, p.end) == (date(2026, 11, 24), date(2026, 12, 1))
    assert (p.previous_start, p.previous_end) == (date(2026, 11, 17), date(2026, 11, 24))
    m = period_of("month", date(2026, 3, 15))
    assert (m.start, m.end) == (date(2026, 2, 1), date(2026, 3, 1))
    assert (m.previous_start, m.previous_end) == (date(2026, 1, 1), date(2026, 2, 1))


def test_an_outsider_gets_404(workspace, objective, outsider_client):
    kpi = Kpi.objects.create(objective=objective, name="Mentions", target=Decimal(10))
    assert outsider_client.get(url(workspace)).status_code == 404
    response = outsider_client.post(
        url(workspace) + f"objectives/{kpi.pk}/measure/", {"key": "listening.mentions"}
    )
    assert response.status_code == 404
    assert not ObjectiveLink.objects.exists()


def test_a_kpi_of_another_workspace_cannot_be_linked(workspace, other_workspace, owner_client):
    theirs = Objective.objects.create(workspace=other_workspace, kind="notoriety", name="x")
    kpi = Kpi.objects.create(objective=theirs, name="Mentions", target=Decimal(10))
    response = owner_client.post(
        url(workspace) + f"objectives/{kpi.pk}/measure/", {"key": "listening.mentions"}
    )
    assert response.status_code == 404


def test_an_analyst_sees_the_dashboard_but_cannot_change_what_measures_an_objective(
    workspace, objective
):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    kpi = Kpi.objects.create(objective=objective, name="Mentions", target=Decimal(10))
    assert analyst.get(url(workspace)).status_code == 200
    response = analyst.post(
        url(workspace) + f"objectives/{kpi.pk}/measure/", {"key": "listening.mentions"}
    )
    assert response.status_code == 403


def test_an_objective_shows_target_against_actual(workspace, objective, owner_client):
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")
    kpi = Kpi.objects.create(objective=objective, name="Mentions", target=Decimal(20))
    owner_client.post(
        url(workspace) + f"objectives/{kpi.pk}/measure/", {"key": "listening.mentions"}
    )
    assert ObjectiveLink.objects.get(kpi=kpi).key == "listening.mentions"
    first, _ = rollup.day_bounds(workspace, objective.starts_on)
    for n in range(12):
        mention(workspace, brand, first + timedelta(hours=n))
    [(_objective, [progress])] = progress_of(workspace)
    # Half-way through (10 of 20 days): 10 expected; 12 counted since the first day.
    assert progress.expected == 10
    assert progress.actual == 12
    assert progress.status == "on_track"
    assert "12" in owner_client.get(url(workspace)).content.decode()
    owner_client.post(url(workspace) + f"objectives/{kpi.pk}/measure/", {"key": ""})
    assert not ObjectiveLink.objects.exists()


def test_linear_progress_rule():
    start, due = date(2026, 1, 1), date(2026, 1, 11)
    assert expected_on(date(2026, 1, 6), start, due, 8, 20) == 14
    assert expected_on(date(2025, 12, 1), start, due, 8, 20) == 8  # not begun
    assert expected_on(date(2026, 3, 1), start, due, 8, 20) == 20  # past the due date
    assert expected_on(date(2026, 1, 6), None, due, 8, 20) is None


def test_a_target_below_the_start_means_lower_is_better(workspace, objective):
    today = rollup.today(workspace)
    kpi = Kpi(
        objective=objective,
        name="Part négative",
        baseline=Decimal(30),
        target=Decimal(10),
        due_on=today + timedelta(days=10),
    )
    negative = REGISTRY["listening.negative"]
    # Half-way: the line is at 20 %.
    assert judge(kpi, negative, 18.0, today).status == "on_track"
    assert judge(kpi, negative, 25.0, today).status == "at_risk"
    assert judge(kpi, negative, 9.0, today).status == "achieved"
    assert judge(kpi, negative, None, today).status == "no_data"
