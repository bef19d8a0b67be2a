"""The Discord connector under the channels app: fetch, store, fetch again."""

from datetime import UTC, datetime

import pytest

from liant.channels import fetching
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.discord import demo
from liant.connectors.discord.connector import DiscordConnector

from .conftest import ANN, COMP, THREAD, TOKEN, make_http

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(workspace, owner, monkeypatch, discord):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: DiscordConnector(ch.settings, ch.credentials, make_http(discord)),
    )
    ch = Channel.objects.create(
        workspace=workspace,
        kind="discord",
        name="Discord",
        settings=demo.SETTINGS,
        created_by=owner,
    )
    ch.credentials = {"bot_token": TOKEN}
    ch.save()
    return ch


def test_fetching_twice_stores_each_message_once_and_keeps_a_cursor_per_channel(channel, discord):
    assert fetching.fetch_channel(channel.pk).stored == 5
    channel.refresh_from_db()
    assert set(channel.cursor["channels"]) == {COMP, ANN, THREAD}
    assert fetching.fetch_channel(channel.pk).stored == 0
    reply = Event.objects.get(remote_id__startswith=f"{COMP}:1180000000000001308:")
    assert reply.parent_remote_id == f"{COMP}:1180000000000001303:1180000000000000101"
    assert reply.author_url == "https://discord.com/users/1180000000000000102"


def test_the_demo_events_store_once(channel):
    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    stored = fetching.store_events(channel, result)
    assert stored == len(result.events) and fetching.store_events(channel, result) == 0
