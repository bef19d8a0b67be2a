"""ROI on hand-made costs, sales, won leads and counted actions, in Paris time (CET)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from liant.analytics import roi, rollup
from liant.analytics.models import KpiValue
from liant.analytics.registry import REGISTRY, combine, value_of
from liant.analytics.roi_models import ActionValue, Cost, RoiSettings, Sale
from liant.core.permissions import Role
from liant.leads.models import Lead, StageChange
from liant.newsletters.models import MailingList, Subscriber
from tests.analytics.conftest import DAY, at, day_value, period_value
from tests.analytics.test_kpis import person
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db
LAST = DAY + timedelta(days=4)  # 10–14 November


def lead(workspace, stage="won", value="1000", currency="EUR", when=None) -> Lead:
    return Lead.objects.create(
        workspace=workspace,
        stage=stage,
        value=Decimal(value),
        currency=currency,
        stage_changed_at=when or at(12),
    )


@pytest.fixture
def books(workspace):
    """Day 10 Nov: cost 10 (tools) + 100 (time) = 110; value 1000 (won) + 200 (sale)
    + 3 sign-ups × 2 + 2 qualified × 5 = 1216; ROI = 1106 ÷ 110 = 1005.5 %.
    10–14 Nov: cost 50 + 500 = 550; value 1216; ROI = 666 ÷ 550 = 121.1 %."""
    Cost.objects.create(
        workspace=workspace,
        kind="tools",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
        amount=Decimal("300"),
    )
    Cost.objects.create(
        workspace=workspace,
        kind="time",
        starts_on=DAY,
        ends_on=LAST,
        hours=Decimal("10"),
        hourly_rate=Decimal("50"),
        amount=Decimal("500"),
    )
    Sale.objects.create(workspace=workspace, starts_on=DAY, ends_on=DAY, amount=Decimal("200"))
    lead(workspace)
    lead(workspace, value="500", currency="USD")  # another currency: left out
    lead(workspace, stage="lost")  # not won
    lead(workspace, value="50", when=at(23, 30, DAY - timedelta(days=1)))  # 9 Nov, Paris
    ActionValue.objects.create(workspace=workspace, action="newsletter_signup", amount=2)
    ActionValue.objects.create(workspace=workspace, action="lead_qualified", amount=5)
    ActionValue.objects.create(workspace=workspace, action="contest_entry", amount=0)
    mailing = MailingList.objects.create(workspace=workspace, name="News")
    for n in range(4):
        Subscriber.objects.create(
            workspace=workspace,
            mailing_list=mailing,
            member=person(workspace),
            email=f"s{n}@example.com",
            state="subscribed" if n < 3 else "pending",
            subscribed_at=at(9 + n) if n < 3 else None,
        )
    for target in (lead(workspace, stage="qualified"), lead(workspace, stage="qualified")):
        StageChange.objects.create(lead=target, to_stage="qualified", at=at(10))
    StageChange.objects.create(lead=target, to_stage="qualified", at=at(11))  # twice: once


def test_one_day(workspace, books, other_workspace):
    Cost.objects.create(
        workspace=other_workspace, kind="ads", starts_on=DAY, ends_on=DAY, amount=9999
    )
    cost = day_value(workspace, roi.COST)
    assert cost.value == pytest.approx(110)
    assert cost.parts == pytest.approx({"tools": 10, "time": 100})
    value = day_value(workspace, roi.VALUE)
    assert value.value == pytest.approx(1216)
    assert value.parts == pytest.approx(
        {
            "leads_won": 1000,
            "sales": 200,
            "action:newsletter_signup": 6,
            "action:lead_qualified": 10,
        }
    )
    assert value_of(REGISTRY[roi.ROI], day_value(workspace, roi.ROI)) == 1005.5
    assert day_value(workspace, roi.VALUE, DAY - timedelta(days=1)).value == pytest.approx(50)


def test_a_period_from_stored_days_equals_the_period_at_once(workspace, books):
    days = rollup.days_between(DAY, LAST + timedelta(days=1))
    rollup.store(workspace, days)
    for key, expected in [(roi.COST, 550), (roi.VALUE, 1216), (roi.ROI, 121.1)]:
        kpi = REGISTRY[key]
        stored = rollup.daily_measures(workspace, [kpi], DAY, LAST + timedelta(days=1))[key]
        assert value_of(kpi, combine(kpi, stored)) == pytest.approx(expected)
        assert value_of(kpi, period_value(workspace, key, DAY, LAST)) == pytest.approx(expected)


def test_no_cost_no_roi(workspace):
    lead(workspace)
    assert value_of(REGISTRY[roi.ROI], day_value(workspace, roi.ROI)) is None


def test_the_summary_counts_what_it_says(workspace, books):
    s = roi.summarise(workspace, DAY, LAST + timedelta(days=1))
    assert (s.cost, s.value, s.roi) == (pytest.approx(550), pytest.approx(1216), 121.1)
    lines = {line.key: line for line in s.value_lines}
    assert lines["leads_won"].count == 1
    assert lines["newsletter_signup"].count == 3
    assert lines["lead_qualified"].count == 2
    assert "contest_entry" not in lines  # a value of 0 is not counted
    assert s.other_currency_leads == 1
    assert dict(s.cost_lines)["Time spent"] == pytest.approx(500)


def test_the_currency_decides_which_leads_count(workspace, books):
    RoiSettings.objects.create(workspace=workspace, currency="USD")
    assert day_value(workspace, roi.VALUE).parts["leads_won"] == pytest.approx(500)


def test_editing_a_cost_or_a_won_lead_drops_the_stored_days_it_changes(workspace, books):
    days = rollup.days_between(DAY - timedelta(days=20), DAY + timedelta(days=1))
    rollup.store(workspace, days)
    # The leads' own "value of leads won" is dropped with the ROI's (liant/leads/kpis.py).
    changed = (*roi.KEYS, "leads.value_won")
    keep = KpiValue.objects.filter(workspace=workspace).exclude(key__in=changed).count()
    Cost.objects.create(workspace=workspace, kind="ads", starts_on=DAY, ends_on=DAY, amount=1)
    assert not KpiValue.objects.filter(workspace=workspace, key__in=roi.KEYS, day=DAY).exists()
    assert KpiValue.objects.filter(workspace=workspace, key__in=roi.KEYS, day=DAY - timedelta(1))
    rollup.store(workspace, days)
    won = Lead.objects.filter(workspace=workspace, stage="won").first()
    won.value = Decimal("1")
    won.save()
    assert not KpiValue.objects.filter(workspace=workspace, key__in=changed).exists()
    assert KpiValue.objects.filter(workspace=workspace).count() == keep


# --- Pages -----------------------------------------------------------------------------


def url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/analytics/roi/{rest}"


def test_the_page_shows_the_period_against_the_previous_one_with_its_assumptions(
    workspace, books, owner_client
):
    page = owner_client.get(url(workspace) + "?from=2026-11-10&to=2026-11-14").content.decode()
    assert '<span data-roi="now">121.1 %</span>' in page
    assert 'data-total="cost">550.00 EUR' in page
    assert 'data-total="value">1,216.00 EUR' in page
    # 5–9 November: 5 days of tools (50) and the 9 November lead (50): ROI 0 %.
    assert 'data-roi="before">0.0 %' in page
    assert "2.00 EUR × sign-ups confirmed" in page
    assert "1 lead won in the period is in another currency." in page


def test_managers_enter_costs_and_values_and_readers_only_read(workspace, owner_client):
    response = owner_client.post(
        url(workspace, "costs/new/"),
        {"kind": "time", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "hours": "12.5",
         "hourly_rate": "40", "note": "=cmd"},
    )  # fmt: skip
    assert response.status_code == 302
    cost = Cost.objects.get(workspace=workspace)
    assert cost.amount == Decimal("500.00")
    response = owner_client.post(
        url(workspace, f"costs/{cost.pk}/"),
        {"kind": "ads", "starts_on": "2026-11-01", "ends_on": "2026-10-30", "amount": "1"},
    )
    assert response.status_code == 200 and "before the first" in response.content.decode()
    owner_client.post(
        url(workspace, f"costs/{cost.pk}/"),
        {"kind": "ads", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "amount": "80"},
    )
    cost.refresh_from_db()
    assert (cost.kind, cost.amount, cost.hours) == ("ads", Decimal("80.00"), None)
    owner_client.post(url(workspace, "values/"), {"currency": "usd", "value_lead_new": "3"})
    assert RoiSettings.currency_of(workspace) == "USD"
    assert roi.action_values(workspace) == {"lead_new": Decimal("3.00")}
    owner_client.post(
        url(workspace, "sales/new/"),
        {"starts_on": "2026-11-01", "ends_on": "2026-11-01", "amount": "70"},
    )
    sale = Sale.objects.get(workspace=workspace)

    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace)).status_code == 200
    assert "Add a cost" not in analyst.get(url(workspace)).content.decode()
    assert analyst.get(url(workspace, "costs/new/")).status_code == 403
    assert analyst.post(url(workspace, f"costs/{cost.pk}/delete/")).status_code == 403
    assert analyst.post(url(workspace, "values/"), {"currency": "GBP"}).status_code == 403

    owner_client.post(url(workspace, f"costs/{cost.pk}/delete/"))
    owner_client.post(url(workspace, f"sales/{sale.pk}/delete/"))
    assert not Cost.objects.exists() and not Sale.objects.exists()


def test_an_outsider_gets_nothing(workspace, books, outsider, other_workspace):
    client = client_for(outsider)
    cost = Cost.objects.filter(workspace=workspace).first()
    sale = Sale.objects.get(workspace=workspace)
    assert client.get(url(workspace)).status_code == 404
    assert client.post(url(workspace, f"costs/{cost.pk}/delete/")).status_code == 404
    # From their own workspace, another workspace's rows are not found either.
    assert client.get(url(other_workspace, f"costs/{cost.pk}/")).status_code == 404
    assert client.post(url(other_workspace, f"sales/{sale.pk}/delete/")).status_code == 404
    page = client.get(url(other_workspace) + "?from=2026-11-10&to=2026-11-14").content.decode()
    assert '<span data-roi="now">—</span>' in page
    assert Cost.objects.filter(workspace=workspace).count() == 2


def test_the_demo_enters_six_months_once(organisation, workspace):
    from liant.analytics import roi_demo
    from liant.demo.loader import DemoContext

    workspace.slug = "maison-lumiere"
    workspace.save()
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {})
    roi_demo.roi(context)
    roi_demo.roi(context)
    assert Cost.objects.filter(workspace=workspace).count() == 6 * 3 + 1
    assert Sale.objects.filter(workspace=workspace).count() == 6
    today = rollup.today(workspace)
    end = today.replace(day=1)
    last_month = roi.summarise(workspace, (end - timedelta(days=1)).replace(day=1), end)
    # 48 h × 38 + 140 + 250 = 2214 of costs; the sixth month's sales are 1400 + 5 × 180.
    assert last_month.cost == pytest.approx(2214)
    assert last_month.value == pytest.approx(2300)
    assert last_month.roi == 3.9
