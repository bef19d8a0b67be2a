"""The calendar over a date range: liant.publishing.calendar.entries with its filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import T0, Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(seeded):
    seeded.variant.scheduled_at = T0 + timedelta(days=2)
    seeded.variant.save()
    return seeded


def test_calendar_lists_posts_in_the_range(reader, scheduled):
    body = reader.get("/calendar", start="2026-11-01", end="2026-12-01").json()
    assert body["timezone"] and [e["post"]["id"] for e in body["items"]] == [scheduled.post.pk]
    assert body["items"][0]["at"].startswith("2026-11-25")
    later = reader.get("/calendar", start="2026-12-01", end="2026-12-31").json()
    assert later["items"] == []
    other = reader.get("/calendar", start="2026-11-01", end="2026-12-01", state="published")
    assert other.json()["items"] == []


def test_calendar_refuses_a_long_or_reversed_range(reader, scheduled):
    assert reader.get("/calendar", start="2026-01-01", end="2026-12-01").status_code == 422
    assert reader.get("/calendar", start="2026-12-01", end="2026-11-01").status_code == 422
    assert reader.get("/calendar", start="2026-12-01").status_code == 422


def test_calendar_needs_a_token_and_keeps_to_its_workspace(outsider_api, scheduled):
    # posts.view is every role's and every scope's: the refusal left is having no token.
    anonymous = Api("liant_nope")
    anonymous.headers = {}
    assert anonymous.get("/calendar", start="2026-11-01", end="2026-12-01").status_code == 401
    body = outsider_api.get("/calendar", start="2026-11-01", end="2026-12-01").json()
    assert body["items"] == []
