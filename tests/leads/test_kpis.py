"""Leads' KPIs on hand-made leads where the answer is known: new, won, the conversion rate of
the decisions of the period, the value won in the leads' currency (other currencies left out
and counted), an empty day, the day the clocks go forward in Paris, and stored days dropped
when a decision is undone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from liant.analytics import rollup
from liant.analytics.models import KpiValue
from liant.analytics.registry import REGISTRY, combine, value_of
from liant.leads import pipeline
from liant.leads.kpis import OTHER_CURRENCY
from liant.leads.models import Lead, LeadSettings, Stage
from tests.analytics.conftest import DAY, at, day_value, period_value

pytestmark = pytest.mark.django_db
BEFORE = DAY - timedelta(days=20)


def value(workspace, key: str, day: date = DAY) -> float | None:
    return value_of(REGISTRY[key], day_value(workspace, key, day))


def lead(workspace, created, stage=Stage.NEW, moved=None, value=None, currency="EUR") -> Lead:
    return Lead.objects.create(
        workspace=workspace,
        name="Claire",
        created_at=created,
        stage=stage,
        stage_changed_at=moved or created,
        value=value,
        currency=currency,
    )


def test_new_leads_are_those_created_in_the_period(workspace, other_workspace):
    lead(workspace, at(9))
    lead(workspace, at(23, 59), Stage.QUALIFIED)
    lead(workspace, at(9, day=BEFORE), Stage.WON, moved=at(10))  # won today, not new today
    lead(workspace, at(0, 0, DAY + timedelta(days=1)))
    lead(other_workspace, at(9))
    assert value(workspace, "leads.new") == 2


def test_won_conversion_and_value_count_decisions_of_the_period(workspace, other_workspace):
    lead(workspace, at(9, day=BEFORE), Stage.WON, moved=at(10), value=Decimal("1200.50"))
    lead(workspace, at(9, day=BEFORE), Stage.WON, moved=at(11))  # no value: adds nothing
    lead(workspace, at(9), Stage.WON, moved=at(12), value=Decimal("300"))
    lead(
        workspace, at(9, day=BEFORE), Stage.WON, moved=at(13), value=Decimal("999"), currency="CHF"
    )
    lead(workspace, at(9, day=BEFORE), Stage.LOST, moved=at(14), value=Decimal("5000"))
    lead(workspace, at(9), Stage.HANDED, moved=at(15), value=Decimal("7000"))  # still open
    lead(workspace, at(9, day=BEFORE), Stage.WON, moved=at(9, day=BEFORE))  # won long ago
    lead(other_workspace, at(9), Stage.WON, moved=at(10), value=Decimal("100"))
    assert value(workspace, "leads.won") == 4
    assert value(workspace, "leads.conversion") == 80.0  # 4 won of 5 decided
    measure = day_value(workspace, "leads.value_won")
    assert measure.value == pytest.approx(1500.50)
    assert measure.parts == {OTHER_CURRENCY: 1}  # the CHF one, left out and counted


def test_the_currency_is_the_one_of_the_leads_settings(workspace):
    settings = LeadSettings.of(workspace.pk)
    settings.currency = "CHF"
    settings.save()
    lead(workspace, at(9), Stage.WON, moved=at(10), value=Decimal("100"))
    lead(workspace, at(9), Stage.WON, moved=at(10), value=Decimal("40"), currency="CHF")
    measure = day_value(workspace, "leads.value_won")
    assert (measure.value, measure.parts) == (40.0, {OTHER_CURRENCY: 1})


def test_an_empty_day(workspace):
    lead(workspace, at(9, day=BEFORE))
    assert value(workspace, "leads.new") == 0
    assert value(workspace, "leads.won") == 0
    assert value(workspace, "leads.value_won") == 0
    assert day_value(workspace, "leads.value_won").parts == {}
    assert value(workspace, "leads.conversion") is None


def test_the_day_the_clocks_go_forward_lasts_23_hours_and_days_add_up(workspace):
    # Sunday 29 March 2026 in Paris: from 23:00 UTC on the 28th to 22:00 UTC on the 29th.
    change = date(2026, 3, 29)
    long_ago = datetime(2026, 1, 5, 10, tzinfo=UTC)
    for moved, stage in [
        (datetime(2026, 3, 28, 22, 59, tzinfo=UTC), Stage.WON),  # 23:59 CET on the 28th
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), Stage.WON),  # midnight: the 29th
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), Stage.LOST),  # 23:59 CEST
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), Stage.WON),  # midnight: the 30th
    ]:
        lead(workspace, long_ago, stage, moved=moved, value=Decimal("10"))
    assert value(workspace, "leads.won", change) == 1
    assert value(workspace, "leads.conversion", change) == 50.0
    assert value(workspace, "leads.value_won", change) == 10.0
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    for key in ("leads.won", "leads.conversion", "leads.value_won"):
        kpi = REGISTRY[key]
        days = [day_value(workspace, key, first + timedelta(days=i)) for i in range(3)]
        assert value_of(kpi, combine(kpi, days)) == value_of(
            kpi, period_value(workspace, key, first, last)
        )
    assert value_of(
        REGISTRY["leads.conversion"], period_value(workspace, "leads.conversion", first, last)
    ) == pytest.approx(75.0)


def test_undoing_a_win_drops_the_stored_days_it_was_counted_in(workspace):
    won_on = rollup.today(workspace) - timedelta(days=30)
    begin, _ = rollup.day_bounds(workspace, won_on)
    won = lead(workspace, begin, Stage.WON, moved=begin + timedelta(hours=10), value=Decimal("50"))
    rollup.store(workspace, [won_on])
    assert KpiValue.objects.get(workspace=workspace, key="leads.won", day=won_on).value == 1
    pipeline.do_move(won, Stage.HANDED, None)  # a mistake: back to sales
    kpis = [REGISTRY[k] for k in ("leads.won", "leads.value_won", "leads.new")]
    stored = set(KpiValue.objects.filter(workspace=workspace).values_list("key", flat=True))
    assert "leads.won" not in stored and "leads.value_won" not in stored
    assert "leads.new" in stored  # when it came in has not changed
    read = rollup.daily_measures(workspace, kpis, won_on, won_on + timedelta(days=1))
    assert read["leads.won"][0].value == 0
    assert read["leads.value_won"][0].value == 0


def test_changing_a_won_leads_value_drops_the_stored_value_days(workspace):
    won_on = rollup.today(workspace) - timedelta(days=30)
    begin, _ = rollup.day_bounds(workspace, won_on)
    won = lead(workspace, begin, Stage.WON, moved=begin + timedelta(hours=10), value=Decimal("50"))
    rollup.store(workspace, [won_on])
    won.value = Decimal("80")
    won.save()
    kpi = REGISTRY["leads.value_won"]
    assert not KpiValue.objects.filter(workspace=workspace, key=kpi.key).exists()
    read = rollup.daily_measures(workspace, [kpi], won_on, won_on + timedelta(days=1))
    assert read[kpi.key][0].value == 80.0
