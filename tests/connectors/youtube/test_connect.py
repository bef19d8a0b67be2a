"""Connecting a YouTube channel through the shared Google OAuth flow, renewing the one-hour
token when YouTube says it expired, and the demo data."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from liant.channels import connect_oauth, fetching, tasks
from liant.channels.models import Channel
from liant.connectors.base import EventKind
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.youtube import demo
from liant.connectors.youtube.connector import YouTubeConnector
from tests.connectors.youtube.conftest import APP, CHANNEL, FRESH, REFRESH, TOKEN, FakeYouTube

KIND = "youtube"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def fake_client(fake: FakeYouTube) -> HttpClient:
    return HttpClient(
        MemoryRecorder(),
        transport=httpx.MockTransport(fake.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def signed_in(monkeypatch, youtube: FakeYouTube) -> FakeYouTube:
    monkeypatch.setattr(connect_oauth, "client", lambda: fake_client(youtube))
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return youtube


def start(client, workspace):
    return client.post(f"/w/{workspace.slug}/channels/connect/youtube/oauth/", {"name": ""})


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_signing_in_with_google_connects_the_channel(owner_client, workspace, signed_in):
    sent_to = urlsplit(start(owner_client, workspace)["Location"])
    query = {k: v[0] for k, v in parse_qs(sent_to.query).items()}
    assert (sent_to.netloc, sent_to.path) == ("accounts.google.com", "/o/oauth2/v2/auth")
    assert query["scope"] == "https://www.googleapis.com/auth/youtube.force-ssl"
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    verifier = owner_client.session[connect_oauth.SESSION_KEY]["verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    back = owner_client.get(
        "/connect/oauth/youtube/callback/", {"code": "good-code", "state": query["state"]}
    )

    channel = Channel.objects.get(workspace=workspace, kind="youtube")
    assert back["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "Maison Lumière"
    assert channel.settings == {
        "account_id": CHANNEL,
        "title": "Maison Lumière",
        "custom_url": "@maisonlumiere",
    }
    assert channel.credentials["refresh_token"] == REFRESH
    assert channel.credentials_expire_at - timezone.now() <= timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert TOKEN not in stored and REFRESH not in stored
    form = parse_qs(signed_in.sent("POST", r"/token$")[0].content.decode())
    assert form["code_verifier"] == [verifier]


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_a_google_account_without_a_channel_connects_nothing(owner_client, workspace, signed_in):
    signed_in.route("GET", r"/youtube/v3/channels", httpx.Response(200, json={"items": []}))
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    back = owner_client.get(
        "/connect/oauth/youtube/callback/", {"code": "good-code", "state": state}
    )

    assert back.status_code == 400
    assert "no account to manage on YouTube" in back.content.decode()
    assert not Channel.objects.filter(kind="youtube").exists()


@pytest.mark.django_db
@override_settings(NETWORK_APPS=APP)
def test_an_expired_hour_is_renewed_and_the_fetch_goes_on(monkeypatch, workspace, youtube):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda channel: YouTubeConnector(
            channel.settings, channel.credentials, fake_client(youtube)
        ),
    )
    channel = Channel(workspace=workspace, kind="youtube", name="YT", settings=demo.SETTINGS)
    channel.credentials = {
        "access_token": "ya29.expired",
        "refresh_token": REFRESH,
        "expires_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
    }
    channel.save()

    result = fetching.run_fetch(channel)

    assert result.events
    channel.refresh_from_db()
    assert channel.credentials["access_token"] == FRESH
    assert channel.credentials["refresh_token"] == REFRESH
    assert channel.credentials_expire_at > timezone.now() + timedelta(minutes=55)


def test_the_demo_settings_and_events_are_valid():
    YouTubeConnector.settings_model.model_validate(demo.SETTINGS)
    assert demo.NAME == "Maison Lumière (YouTube)"
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    ids = [e.remote_id for e in events]
    assert len(set(ids)) == len(ids) and ids == [e.remote_id for e in demo.events(NOW)]
    for event in events:
        assert event.kind is EventKind.COMMENT
        assert event.occurred_at.tzinfo is not None and event.occurred_at < NOW
        assert event.author and event.author.remote_id.startswith("UC") and event.author.url
        assert event.url.startswith("https://www.youtube.com/watch?v=")
        assert event.parent_remote_id in ("", event.thread_remote_id)
    assert any("Arnaque" in e.text for e in events)
    english = [e for e in events if e.text.startswith(("Do ", "I'd", "Best"))]
    assert 1 <= len(english) < len(events) / 4


@pytest.mark.django_db
def test_the_demo_history_is_stored_once(workspace):
    from liant.channels.fetching import store_events
    from liant.connectors.base import FetchResult

    channel = Channel.objects.create(
        workspace=workspace, kind=KIND, name=demo.NAME, settings=demo.SETTINGS
    )
    for _round in range(2):
        store_events(channel, FetchResult(demo.events(timezone.now()), cursor={}))

    assert channel.events.count() == len(demo.events(NOW))
