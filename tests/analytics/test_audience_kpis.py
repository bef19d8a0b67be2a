"""The audience KPIs on hand-made daily samples where the answer is known: followers as last
counted, growth as each count minus the one before, an empty period, and the days around the
autumn clock change in Paris."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from liant.analytics import rollup
from liant.analytics.registry import REGISTRY, Kind, combine, value_of
from liant.channels.models import AudienceSample, Channel
from tests.analytics.conftest import DAY, day_value, period_value

pytestmark = pytest.mark.django_db


def count(channel: Channel, day: date, followers: int) -> None:
    AudienceSample.objects.create(
        workspace=channel.workspace, channel=channel, day=day, followers=followers
    )


def value(workspace, key: str, day: date = DAY) -> float | None:
    return value_of(REGISTRY[key], day_value(workspace, key, day))


def over(workspace, key: str, first: date, last: date) -> float | None:
    return value_of(REGISTRY[key], period_value(workspace, key, first, last))


def test_the_kpis_are_registered_under_the_channels_module():
    assert REGISTRY["audience.followers"].kind == Kind.LEVEL
    assert REGISTRY["audience.growth"].kind == Kind.SUM
    assert {REGISTRY[k].module for k in ("audience.followers", "audience.growth")} == {"channels"}
    assert REGISTRY["audience.followers"].link == ("channels_audience", "")


def test_followers_add_up_each_channels_last_count_up_to_the_day(
    workspace, other_workspace, channel, other_channel
):
    yesterday, tomorrow = DAY - timedelta(days=1), DAY + timedelta(days=1)
    count(channel, DAY - timedelta(days=5), 90)
    count(channel, yesterday, 100)
    count(channel, DAY, 104)
    count(channel, tomorrow, 500)  # after the day: not known yet then
    count(other_channel, DAY - timedelta(days=3), 40)  # not counted since: still 40
    stranger = Channel.objects.create(workspace=other_workspace, kind="mastodon", name="Theirs")
    count(stranger, DAY, 7000)
    assert value(workspace, "audience.followers") == 144
    assert value(workspace, "audience.followers", yesterday) == 140
    assert value(workspace, "audience.followers", DAY - timedelta(days=3)) == 90 + 40
    assert value(workspace, "audience.followers", DAY - timedelta(days=4)) == 90
    assert value(workspace, "audience.followers", DAY - timedelta(days=10)) == 0
    # A period's level is its last day's.
    assert over(workspace, "audience.followers", DAY - timedelta(days=6), DAY) == 144


def test_growth_is_each_count_minus_the_one_before_and_a_first_count_adds_nothing(
    workspace, channel, other_channel
):
    first = DAY - timedelta(days=4)
    count(channel, first - timedelta(days=10), 80)  # before the period
    count(channel, first, 100)  # +20 on the first day of the period
    count(channel, first + timedelta(days=1), 97)  # −3: people left
    # No count on the third day (the network was down): the next one catches up.
    count(channel, DAY, 110)  # +13
    count(other_channel, first + timedelta(days=2), 5000)  # connected that day: not 5,000 new
    count(other_channel, DAY, 5004)  # +4
    assert over(workspace, "audience.growth", first, DAY) == 20 - 3 + 13 + 4
    assert value(workspace, "audience.growth", first + timedelta(days=1)) == -3
    assert value(workspace, "audience.growth", first + timedelta(days=2)) == 0
    assert value(workspace, "audience.growth") == 17
    # The days of the period add up to the period computed at once.
    kpi = REGISTRY["audience.growth"]
    days = [day_value(workspace, kpi.key, first + timedelta(days=n)) for n in range(5)]
    assert value_of(kpi, combine(kpi, days)) == 34


def test_an_empty_period_has_no_followers_and_no_growth(workspace, channel):
    count(channel, DAY + timedelta(days=3), 10)  # only later
    assert over(workspace, "audience.followers", DAY - timedelta(days=29), DAY) == 0
    assert over(workspace, "audience.growth", DAY - timedelta(days=29), DAY) == 0


def test_the_day_the_clocks_go_back_holds_its_own_count_and_the_days_add_up(workspace, channel):
    # Sunday 25 October 2026 lasts 25 hours in Paris; each day's count is that date's.
    change = date(2026, 10, 25)
    for offset, followers in ((-2, 200), (-1, 204), (0, 211), (1, 209)):
        count(channel, change + timedelta(days=offset), followers)
    assert value(workspace, "audience.growth", change) == 7
    assert value(workspace, "audience.followers", change) == 211
    assert value(workspace, "audience.followers", change - timedelta(days=1)) == 204
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    rollup.store(workspace, rollup.days_between(first, last + timedelta(days=1)))
    for key, expected in (("audience.growth", 4 + 7 - 2), ("audience.followers", 209)):
        kpi = REGISTRY[key]
        stored = rollup.daily_measures(workspace, [kpi], first, last + timedelta(days=1))[key]
        assert value_of(kpi, combine(kpi, stored)) == expected
        assert over(workspace, key, first, last) == expected
