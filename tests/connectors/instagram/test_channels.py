"""Instagram under the channels app: the shared OAuth connect flow, pushed events, storing."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from liant.channels import connect_oauth, fetching, tasks
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.instagram import demo
from liant.connectors.instagram.connector import InstagramConnector

from .conftest import APP, FIXTURES, IG, PAGE, PAGE_TOKEN, SETTINGS

pytestmark = pytest.mark.django_db


@override_settings(NETWORK_APPS=APP)
def test_the_page_with_a_linked_account_is_connected(owner_client, workspace, meta, monkeypatch):
    monkeypatch.setattr(connect_oauth, "client", meta.http)
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    start = owner_client.post(f"/w/{workspace.slug}/channels/connect/instagram/oauth/")
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert "instagram_content_publish" in query["scope"].split(",")

    response = owner_client.get(
        "/connect/oauth/instagram/callback/", {"code": "good-code", "state": query["state"]}
    )

    # Only one of the two Pages has an Instagram account: it is connected at once.
    channel = Channel.objects.get(workspace=workspace, kind="instagram")
    assert response["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "@maisonlumiere.cafe"
    assert channel.settings == SETTINGS
    assert channel.credentials["access_token"] == PAGE_TOKEN
    assert channel.credentials_expire_at == datetime.fromtimestamp(1772236800, UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert PAGE_TOKEN not in cursor.fetchone()[0]
    assert owner_client.get(response["Location"]).status_code == 200


@pytest.fixture
def channel(workspace, owner):
    ch = Channel.objects.create(
        workspace=workspace, kind="instagram", name="IG", settings=SETTINGS, created_by=owner
    )
    ch.credentials = {"access_token": PAGE_TOKEN}
    ch.save()
    return ch


def deliver(client, name: str, secret: str = "fb-app-secret"):
    body = (FIXTURES / name).read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/instagram/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )


@override_settings(NETWORK_APPS=APP)
def test_pushed_comments_and_messages_are_stored_once_on_the_account(client, channel):
    for _round in range(2):
        assert deliver(client, "webhook_comments.json").status_code == 200
        assert deliver(client, "webhook_messaging.json").status_code == 200

    stored = {e.remote_id: e for e in Event.objects.filter(channel=channel)}
    assert set(stored) == {
        "17858893269000010",
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIy9",
    }
    assert stored["17858893269000010"].parent_remote_id == "17920238422030506"
    assert channel.settings["account_id"] == IG and channel.settings["page_id"] == PAGE


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_signature_stores_nothing(client, channel):
    assert deliver(client, "webhook_comments.json", secret="guessed").status_code == 403
    assert not Event.objects.exists()


def test_fetching_twice_stores_each_item_once_and_the_demo_once(channel, meta, monkeypatch):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: InstagramConnector(ch.settings, ch.credentials, meta.http()),
    )
    assert fetching.fetch_channel(channel.pk).stored == 4
    assert fetching.fetch_channel(channel.pk).stored == 0

    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    assert fetching.store_events(channel, result) == len(result.events)
    assert fetching.store_events(channel, result) == 0
