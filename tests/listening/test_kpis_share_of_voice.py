"""Listening's share of voice on hand-made mentions where the answer is known: the brand's
mentions against the brand's and competitors' ones, each mention once, topics and
irrelevant mentions left out, an empty day, and the day the clocks go back in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from liant.analytics.registry import REGISTRY, combine, value_of
from liant.listening.models import Query
from tests.analytics.conftest import DAY, at, day_value, period_value
from tests.analytics.test_kpis import mention

pytestmark = pytest.mark.django_db
KEY = "listening.share_of_voice"


def value(workspace, day: date = DAY) -> float | None:
    return value_of(REGISTRY[KEY], day_value(workspace, KEY, day))


def query(workspace, kind: str) -> Query:
    return Query.objects.create(workspace=workspace, name=f"{kind} query", kind=kind, text="x")


@pytest.fixture
def queries(workspace) -> dict[str, Query]:
    kinds = ("brand", "product", "person", "competitor", "topic")
    return {kind: query(workspace, kind) for kind in kinds}


def test_share_of_voice_is_ours_over_ours_and_competitors(workspace, other_workspace, queries):
    q = queries
    mention(workspace, [q["brand"], q["product"]], at(9))  # two of ours: once
    mention(workspace, q["person"], at(10))
    mention(workspace, [q["brand"], q["competitor"]], at(11))  # both: ours, and in the total
    mention(workspace, q["competitor"], at(12))
    mention(workspace, q["competitor"], at(13))
    mention(workspace, q["topic"], at(14))  # a topic: neither
    mention(workspace, q["competitor"], at(15), irrelevant=True)
    mention(workspace, q["brand"], at(9, day=DAY + timedelta(days=1)))
    theirs = query(other_workspace, "competitor")
    mention(other_workspace, theirs, at(9))
    # Ours: 3 mentions; ours or a competitor's: 5.
    assert value(workspace) == 60.0
    # The numerator is the brand's mentions KPI.
    assert day_value(workspace, KEY).value == value_of(
        REGISTRY["listening.mentions"], day_value(workspace, "listening.mentions")
    )


def test_no_competitor_mentioned_is_all_the_voice_and_an_empty_day_none(workspace, queries):
    assert value(workspace) is None
    mention(workspace, queries["topic"], at(9))
    assert value(workspace) is None
    mention(workspace, queries["brand"], at(9))
    assert value(workspace) == 100.0


def test_the_day_the_clocks_go_back_lasts_25_hours_and_days_add_up(workspace, queries):
    change = date(2026, 10, 25)
    brand, rival = queries["brand"], queries["competitor"]
    for when, q in [
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), brand),  # 23:59 on the 24th
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), brand),  # midnight: the 25th
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), rival),  # 02:30 CET, the hour lived twice
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), rival),  # 23:59 CET
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), rival),  # midnight: the 26th
    ]:
        mention(workspace, q, when)
    assert value(workspace, change) == pytest.approx(33.3)
    kpi = REGISTRY[KEY]
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    days = [day_value(workspace, KEY, first + timedelta(days=i)) for i in range(3)]
    assert (
        value_of(kpi, combine(kpi, days))
        == value_of(kpi, period_value(workspace, KEY, first, last))
        == 40.0
    )
