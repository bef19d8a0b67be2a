"""The inbox's median resolution time on hand-made conversations where the answer is known:
closed ones only, counted on the day they were closed, an empty day, a reopened
conversation, and the day the clocks go back in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from liant.analytics.registry import REGISTRY, combine, value_of
from liant.inbox.models import Status
from tests.analytics.conftest import DAY, at, day_value, period_value
from tests.analytics.test_kpis import conversation

pytestmark = pytest.mark.django_db
KEY = "inbox.resolution"


def value(workspace, day: date = DAY) -> float | None:
    return value_of(REGISTRY[KEY], day_value(workspace, KEY, day))


def closed(workspace, channel, opened: datetime, minutes: int):
    return conversation(
        workspace,
        channel,
        opened,
        status=Status.CLOSED,
        closed_at=opened + timedelta(minutes=minutes),
    )


def test_median_minutes_from_first_message_to_closing(workspace, channel, other_channel):
    closed(workspace, channel, at(9), 30)
    closed(workspace, channel, at(8), 90)
    closed(workspace, channel, at(9, day=DAY - timedelta(days=2)), 2 * 24 * 60)  # opened before
    closed(workspace, channel, at(23, 50), 20)  # closed the next day
    conversation(workspace, channel, at(9))  # still open: no duration yet
    conversation(workspace, channel, at(9), status=Status.PENDING)
    closed(other_channel.workspace, other_channel, at(9), 1)  # another workspace
    # 30, 90 and 2,880 minutes.
    assert value(workspace) == 90
    assert value(workspace, DAY + timedelta(days=1)) == 20


def test_a_reopened_conversation_has_no_resolution_until_closed_again(workspace, channel):
    conv = closed(workspace, channel, at(9), 30)
    closed(workspace, channel, at(9), 60)
    assert value(workspace) == 45
    conv.status, conv.closed_at = Status.OPEN, None  # as the inbox does when it reopens
    conv.save()
    assert value(workspace) == 60


def test_an_empty_day_has_no_median(workspace, channel):
    conversation(workspace, channel, at(9))
    assert value(workspace) is None


def test_the_day_the_clocks_go_back_lasts_25_hours_and_days_add_up(workspace, channel):
    # Sunday 25 October 2026 in Paris: from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    change = date(2026, 10, 25)
    opened = datetime(2026, 10, 24, 12, tzinfo=UTC)
    for when in [
        datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # 23:59 on the 24th
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # midnight: the 25th
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the hour lived twice
        datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 CET
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # midnight: the 26th
    ]:
        closed(workspace, channel, opened, round((when - opened).total_seconds() / 60))
    # 600, 810 and 2,099 minutes on the 25th.
    assert value(workspace, change) == 810
    kpi = REGISTRY[KEY]
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    days = [day_value(workspace, KEY, first + timedelta(days=i)) for i in range(3)]
    assert value_of(kpi, combine(kpi, days)) == value_of(
        kpi, period_value(workspace, KEY, first, last)
    )
