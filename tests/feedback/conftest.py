from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from liant.channels.models import Channel, Event
from liant.connectors import registry
from liant.core.models import Workspace
from liant.core.permissions import Role
from liant.inbox import grouping
from liant.inbox.models import Message
from tests.conftest import client_for, make_user
from tests.inbox.fakes import ScriptedReplier

_ids = itertools.count(1)
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class ReplyOnly(ScriptedReplier):
    """A network where one can only answer in thread (no private messages)."""

    kind = "reply_only"
    capabilities = frozenset({c for c in ScriptedReplier.capabilities if c != "send_direct"})


@pytest.fixture(autouse=True)
def replier(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "scripted_reply", ("Scripted replies", "tests.inbox.fakes.ScriptedReplier")
    )
    monkeypatch.setitem(
        registry.KINDS, "reply_only", ("Replies only", "tests.feedback.conftest.ReplyOnly")
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


def stored(channel: Channel, text: str, *, author: str = "ana", name: str = "", **extra) -> Event:
    n = next(_ids)
    return Event.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind=extra.pop("kind", "comment"),
        remote_id=extra.pop("remote_id", f"ev-{n}"),
        author_remote_id=author,
        author_handle=f"@{author}",
        author_name=name or author.title(),
        text=text,
        url=extra.pop("url", f"https://net.example/@{author}/{n}"),
        thread_remote_id=extra.pop("thread", f"t-{n}"),
        occurred_at=T0 + timedelta(minutes=n),
        **extra,
    )


def inbound(channel: Channel, text: str, **kwargs) -> Message:
    """A member's message, stored and grouped into the inbox as a fetch would leave it."""
    event = stored(channel, text, **kwargs)
    grouping.group_all()
    return Message.objects.select_related("conversation__channel", "event__channel").get(
        event=event
    )


@pytest.fixture
def analyst_client(workspace):
    """A role of the workspace without feedback.manage."""
    return client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))


def ws_url(workspace: Workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/feedback/{path}"
