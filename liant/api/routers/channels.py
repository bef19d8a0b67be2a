"""Channels: the connected accounts, and how each one is doing."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from liant.api.auth import require
from liant.api.pagination import Cursor, Limit, page
from liant.api.types import PathId, Text100
from liant.channels.models import Channel, Health

router = Router(tags=["channels"])


class ChannelOut(Schema):
    id: int
    kind: str
    name: str
    health: str
    created_at: datetime


class ChannelDetail(ChannelOut):
    last_error: str
    last_error_at: datetime | None
    rate_limited_until: datetime | None
    last_fetch_at: datetime | None
    next_fetch_at: datetime | None
    fetch_interval: int


class ChannelPage(Schema):
    items: list[ChannelOut]
    next: str | None


def channel_out(channel: Channel) -> dict:
    return {
        "id": channel.pk,
        "kind": channel.kind,
        "name": channel.name,
        "health": channel.health,
        "created_at": channel.created_at,
    }


def channel_detail(channel: Channel) -> dict:
    return {
        **channel_out(channel),
        "last_error": channel.last_error_display,
        "last_error_at": channel.last_error_at,
        "rate_limited_until": channel.rate_limited_until,
        "last_fetch_at": channel.last_fetch_at,
        "next_fetch_at": channel.next_fetch_at,
        "fetch_interval": channel.fetch_interval,
    }


@router.get("/channels", response=ChannelPage, summary="List channels")
def list_channels(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Text100 | None = None,
    health: Health | None = None,
) -> dict:
    caller = require(request, "channels.view")
    rows = Channel.objects.filter(workspace=caller.workspace)
    if kind:
        rows = rows.filter(kind=kind)
    if health:
        rows = rows.filter(health=health)
    found, next_url = page(request, rows, name="channels", limit=limit, cursor=cursor)
    return {"items": [channel_out(c) for c in found], "next": next_url}


@router.get("/channels/{id}", response=ChannelDetail, summary="Read a channel and its health")
def get_channel(request: HttpRequest, id: PathId) -> dict:  # noqa: A002 - the API's name
    caller = require(request, "channels.view")
    return channel_detail(get_object_or_404(Channel, pk=id, workspace=caller.workspace))
