from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from liant.channels.models import Channel, Event
from liant.connectors import registry
from liant.core.models import Workspace
from tests.inbox.fakes import ScriptedReplier

_ids = itertools.count(1)
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def replier(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "scripted_reply", ("Scripted replies", "tests.inbox.fakes.ScriptedReplier")
    )
    registry.connector_class.cache_clear()
    ScriptedReplier.script = []
    ScriptedReplier.sent = []
    yield ScriptedReplier
    registry.connector_class.cache_clear()


@pytest.fixture
def channel(workspace, owner) -> Channel:
    return Channel.objects.create(
        workspace=workspace, kind="scripted_reply", name="Social", created_by=owner
    )


@pytest.fixture
def other_channel(other_workspace) -> Channel:
    return Channel.objects.create(workspace=other_workspace, kind="scripted_reply", name="Rival")


def stored(
    channel: Channel,
    text: str,
    *,
    kind: str = "comment",
    author: str = "ana",
    name: str = "",
    thread: str = "",
    parent: str = "",
    minutes: int = 0,
    remote_id: str = "",
    raw: dict | None = None,
) -> Event:
    """An event as a fetch would have stored it."""
    n = next(_ids)
    return Event.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind=kind,
        remote_id=remote_id or f"ev-{n}",
        author_remote_id=author,
        author_handle=f"@{author}",
        author_name=name or author.title(),
        text=text,
        thread_remote_id=thread,
        parent_remote_id=parent,
        occurred_at=T0 + timedelta(minutes=minutes or n),
        raw=raw or {},
    )


def ws_url(workspace: Workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/inbox/{path}"
