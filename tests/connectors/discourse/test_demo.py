"""The demo forum: valid settings, 15 to 30 events, stable ids."""

from __future__ import annotations

from datetime import UTC, datetime

from liant.connectors.base import EventKind
from liant.connectors.discourse import demo
from liant.connectors.discourse.connector import DiscourseConnector

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_the_demo_settings_are_valid_channel_settings():
    settings = DiscourseConnector.settings_model.model_validate(demo.SETTINGS)
    assert settings.forum_url == demo.FORUM
    assert demo.NAME == "Maison Lumière (Discourse)"


def test_the_demo_events_are_valid_and_stable():
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids)
    assert ids == [e.remote_id for e in demo.events(NOW)]  # reloading adds nothing
    for event in events:
        assert event.occurred_at.tzinfo is not None and event.occurred_at < NOW
        assert event.author and event.author.remote_id.isdigit() and event.author.url
        assert event.text and event.html.startswith("<p>") and event.url.startswith(demo.FORUM)
        assert event.raw["topic_id"] == int(event.thread_remote_id)
    kinds = {e.kind for e in events}
    assert {EventKind.POST, EventKind.COMMENT, EventKind.MENTION, EventKind.DIRECT_MESSAGE} <= kinds
    assert any("arnaque" in e.text for e in events)  # one message for moderation
    english = [e for e in events if e.text.startswith(("Is ", "Hi", "Hello"))]
    assert 1 <= len(english) < len(events) / 4
