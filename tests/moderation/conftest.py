from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from liant.channels.models import Channel, Event
from liant.moderation.models import Charter, Rule

_ids = itertools.count(1)
WHEN = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def channel(workspace) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="feed", name="Le forum")


def store(channel: Channel, text: str, author: str = "member@example", minutes: int = 0, **extra):
    """An event as the channels store it."""
    n = next(_ids)
    return Event.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind=extra.pop("kind", "comment"),
        remote_id=extra.pop("remote_id", f"r{n}"),
        author_remote_id=author,
        author_handle=author,
        text=text,
        occurred_at=extra.pop("occurred_at", WHEN + timedelta(minutes=minutes)),
        **extra,
    )


def rule(workspace, **fields) -> Rule:
    fields.setdefault("name", f"rule {next(_ids)}")
    fields.setdefault("active", True)
    return Rule.objects.create(workspace=workspace, **fields)


@pytest.fixture
def charter(workspace) -> Charter:
    return Charter.objects.create(
        workspace=workspace,
        version=1,
        body_fr="## 1. Respect\nPas d'insultes.\n\n## 2. Pas de publicité\nNi spam.",
        body_en="## 1. Respect\nNo insults.\n\n## 2. No advertising\nNo spam.",
    )
