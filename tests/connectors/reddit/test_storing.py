"""The Reddit connector under the channels app: a fetch whose token has lapsed is refreshed,
stored, and a second fetch stores nothing more."""

from datetime import UTC, datetime

import pytest

from liant.channels import fetching
from liant.channels.models import Channel, Event, Health
from liant.connectors.base import FetchResult
from liant.connectors.reddit import demo
from liant.connectors.reddit.connector import RedditConnector

from .conftest import CREDENTIALS, make_http

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(workspace, owner, monkeypatch, reddit):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: RedditConnector(ch.settings, ch.credentials, make_http(reddit)),
    )
    ch = Channel.objects.create(
        workspace=workspace,
        kind="reddit",
        name="r/MaisonLumiereCafe",
        settings=demo.SETTINGS,
        created_by=owner,
    )
    ch.credentials = {**CREDENTIALS, "access_token": "lapsed"}
    ch.save()
    return ch


def test_a_lapsed_token_is_refreshed_and_the_fetch_stored_once(channel, reddit):
    first = fetching.fetch_channel(channel.pk)

    channel.refresh_from_db()
    assert first.error == "" and first.stored == 10
    assert channel.health == Health.OK
    assert channel.credentials["access_token"] == "eyJhbGciOi.access-2"
    assert channel.credentials["refresh_token"] == "122-refresh-1"
    assert channel.credentials_expire_at is not None
    assert channel.cursor["comments"] == {"t1": "t1_m8q1a07"}
    assert fetching.fetch_channel(channel.pk).stored == 0
    mention = Event.objects.get(channel=channel, remote_id="t1_m8q0y12")
    assert mention.kind == "mention" and mention.author_url.endswith("/user/jules_espresso/")


def test_the_demo_events_store_once(channel):
    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    stored = fetching.store_events(channel, result)
    assert stored == len(result.events) and fetching.store_events(channel, result) == 0
