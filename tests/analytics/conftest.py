"""Hand-made rows for the KPI tests: each test builds exactly what it counts, on fixed dates
in Europe/Paris, so the right answer is known before the code runs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from liant.analytics.registry import REGISTRY, Measure
from liant.analytics.rollup import compute_day, day_bounds
from liant.channels.models import Channel, Event

_ids = itertools.count(1)
DAY = date(2026, 11, 10)  # a Tuesday, CET (UTC+1)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A moment of DAY in Paris winter time, as the aware UTC datetime the database keeps."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def n() -> int:
    return next(_ids)


@pytest.fixture
def channel(workspace) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")


@pytest.fixture
def other_channel(workspace) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="feed", name="Forum")


def event(channel: Channel, when: datetime) -> Event:
    i = n()
    return Event.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind="comment",
        remote_id=f"e{i}",
        author_remote_id=f"a{i}",
        text="hello",
        occurred_at=when,
    )


def day_value(workspace, key: str, day: date = DAY) -> Measure:
    return compute_day(workspace, REGISTRY[key], day)


def period_value(workspace, key: str, first: date, last: date) -> Measure:
    """The measure of [first, last] computed in one go (not from days)."""
    begin, _ = day_bounds(workspace, first)
    _, finish = day_bounds(workspace, last)
    return REGISTRY[key].compute(workspace, begin, finish)
