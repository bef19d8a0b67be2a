"""The Telegram connector under the channels app: fetch, store, fetch again."""

from datetime import UTC, datetime

import pytest

from liant.channels import fetching
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.telegram import demo
from liant.connectors.telegram.connector import TelegramConnector

from .conftest import TOKEN, make_http

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(workspace, owner, monkeypatch, bot_api):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: TelegramConnector(ch.settings, ch.credentials, make_http(bot_api)),
    )
    ch = Channel.objects.create(
        workspace=workspace,
        kind="telegram",
        name="Telegram",
        settings=demo.SETTINGS,
        created_by=owner,
    )
    ch.credentials = {"bot_token": TOKEN}
    ch.save()
    return ch


def test_fetching_twice_stores_each_message_once_and_keeps_the_offset(channel, bot_api):
    assert fetching.fetch_channel(channel.pk).stored == 5
    channel.refresh_from_db()
    assert channel.cursor == {"offset": 480001009}
    assert fetching.fetch_channel(channel.pk).stored == 0
    assert bot_api.sent("getUpdates")[-1]["offset"] == 480001009
    comment = Event.objects.get(remote_id="-1001987654322:12:5120000001")
    assert comment.author_url == "https://t.me/claire_dms"
    assert comment.parent_remote_id == "-1001987654321:101"


def test_the_demo_events_store_once(channel):
    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    stored = fetching.store_events(channel, result)
    assert stored == len(result.events) and fetching.store_events(channel, result) == 0
