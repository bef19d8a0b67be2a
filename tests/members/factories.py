"""Events as the channels store them, for the members tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from liant.channels.models import Channel, Event

_ids = count(1)


def channel(workspace, kind: str = "mastodon", **settings) -> Channel:
    defaults = {
        "mastodon": {"instance_url": "https://piaille.example", "account_id": "1"},
        "bluesky": {"did": "did:plc:brand"},
        "email": {"address": "hello@brand.example"},
        "matrix": {"user_id": "@brand:matrix.example"},
        "feed": {"url": "https://blog.example/feed"},
    }[kind]
    return Channel.objects.create(
        workspace=workspace,
        kind=kind,
        name=f"{kind} {next(_ids)}",
        settings={**defaults, **settings},
    )


def event(
    channel: Channel,
    author: str,
    *,
    kind: str = "comment",
    name: str = "",
    url: str = "",
    text: str = "Bonjour",
    days_ago: float = 0,
    at: datetime | None = None,
    parent: str = "",
    followers: int | None = None,
    remote_id: str = "",
) -> Event:
    raw = {"account": {"followers_count": followers}} if followers is not None else {}
    if channel.kind == "mastodon" and not url:
        url = f"https://piaille.example/@{author}"
    return Event.objects.create(
        workspace_id=channel.workspace_id,
        channel=channel,
        kind=kind,
        remote_id=remote_id or f"e{next(_ids)}",
        author_remote_id=author,
        author_handle=author,
        author_name=name or author.title(),
        author_url=url,
        text=text,
        parent_remote_id=parent,
        occurred_at=at or timezone.now() - timedelta(days=days_ago),
        raw=raw,
    )
