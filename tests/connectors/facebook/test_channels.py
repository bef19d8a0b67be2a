"""Facebook under the channels app: the shared OAuth connect flow, pushed events, storing."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from liant.channels import connect_oauth, fetching, tasks
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.facebook import demo
from liant.connectors.facebook.connector import FacebookConnector

from .conftest import APP, FIXTURES, PAGE, PAGE_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(monkeypatch, meta):
    monkeypatch.setattr(connect_oauth, "client", meta.http)
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return meta


def sign_in(client, workspace, code="good-code"):
    start = client.post(f"/w/{workspace.slug}/channels/connect/facebook/oauth/", {"name": ""})
    assert start.status_code == 302
    target = urlsplit(start["Location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert target.netloc == "www.facebook.com" and target.path.endswith("/dialog/oauth")
    assert "pages_manage_engagement" in query["scope"].split(",")
    return client.get("/connect/oauth/facebook/callback/", {"code": code, "state": query["state"]})


@override_settings(NETWORK_APPS=APP)
def test_signing_in_offers_each_page_and_connects_the_chosen_one_encrypted(
    owner_client, workspace, signed_in
):
    response = sign_in(owner_client, workspace)
    assert response.status_code == 302  # two Pages: the choice page
    page = owner_client.get(response["Location"]).content.decode()
    assert "Maison Lumière" in page and "Atelier Lumière" in page
    assert "EAApage-token" not in page

    owner_client.post(response["Location"], {"account": ["0"]})

    channel = Channel.objects.get(workspace=workspace, kind="facebook")
    assert channel.settings == {
        "account_id": PAGE,
        "page_name": "Maison Lumière",
        "category": "Coffee Shop",
    }
    assert channel.credentials["access_token"] == PAGE_TOKEN
    # The data access expiry Meta gave (debug_token) is the channel's expiry.
    assert channel.credentials["expires_at"] == datetime.fromtimestamp(1772236800, UTC).isoformat()
    assert channel.credentials_expire_at == datetime.fromtimestamp(1772236800, UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert PAGE_TOKEN not in cursor.fetchone()[0]
    # The short-lived token was traded for a long-lived one with the app's credentials.
    exchange = signed_in.sent("GET", "oauth/access_token")[0]
    assert exchange.url.params["grant_type"] == "fb_exchange_token"
    assert exchange.url.params["fb_exchange_token"] == "EAAshort-lived-user-token"


@override_settings(NETWORK_APPS=APP)
def test_a_refused_code_says_metas_words_and_connects_nothing(owner_client, workspace, signed_in):
    signed_in.script("POST", "oauth/access_token", signed_in.error(400, "error_code_invalid.json"))

    response = sign_in(owner_client, workspace, code="used")

    assert response.status_code == 400
    assert "refused" in response.content.decode()
    assert not Channel.objects.filter(kind="facebook").exists()


@override_settings(NETWORK_APPS=APP)
def test_another_workspace_cannot_start_a_sign_in(outsider_client, workspace, signed_in):
    response = outsider_client.post(f"/w/{workspace.slug}/channels/connect/facebook/oauth/")
    assert response.status_code == 404


# --- pushed events ------------------------------------------------------------------------------


def deliver(client, name: str, secret: str = "fb-app-secret"):
    body = (FIXTURES / name).read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/facebook/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )


@pytest.fixture
def channel(workspace, owner):
    ch = Channel.objects.create(
        workspace=workspace, kind="facebook", name="FB", settings=demo.SETTINGS, created_by=owner
    )
    ch.credentials = {"access_token": PAGE_TOKEN}
    ch.save()
    return ch


@override_settings(NETWORK_APPS=APP)
def test_the_subscription_handshake_needs_the_verify_token(client, db):
    ok = client.get(
        "/hooks/facebook/",
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "lumiere-verify",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        "/hooks/facebook/",
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert wrong.status_code == 403


@override_settings(NETWORK_APPS=APP)
def test_pushed_comments_and_messages_are_stored_once(client, channel):
    assert deliver(client, "webhook_feed_comment.json").status_code == 200
    assert deliver(client, "webhook_messaging.json").status_code == 200
    assert deliver(client, "webhook_feed_comment.json").status_code == 200  # repeated

    stored = {e.remote_id: e for e in Event.objects.filter(channel=channel)}
    assert set(stored) == {"870000000000001_5510", "m_AbCdEfGh9"}  # the echo is not an event
    comment = stored["870000000000001_5510"]
    assert comment.author_name == "Lucie Fabre"
    assert comment.parent_remote_id == f"{PAGE}_870000000000001"


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_signature_stores_nothing(client, channel):
    assert deliver(client, "webhook_feed_comment.json", secret="guessed").status_code == 403
    assert not Event.objects.exists()


# --- fetch through the channels app ----------------------------------------------------------------


def test_fetching_twice_stores_each_item_once_and_the_demo_once(channel, meta, monkeypatch):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: FacebookConnector(ch.settings, ch.credentials, meta.http()),
    )
    assert fetching.fetch_channel(channel.pk).stored == 3
    assert fetching.fetch_channel(channel.pk).stored == 0

    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    assert fetching.store_events(channel, result) == len(result.events)
    assert fetching.store_events(channel, result) == 0
    assert json.dumps(channel.cursor) is not None


def test_the_sweep_warns_before_the_data_access_ends_then_marks_the_channel(channel):
    from datetime import timedelta

    from django.utils import timezone

    from liant.channels import tokens
    from liant.channels.models import Health

    now = timezone.now()
    channel.credentials = {
        "access_token": PAGE_TOKEN,
        "expires_at": (now + timedelta(days=3)).isoformat(),
    }
    channel.save()

    assert channel.pk in tokens.due(now)
    assert tokens.renew(channel.pk, now) == "warned"  # nothing to refresh with: the owners
    assert tokens.renew(channel.pk, now + timedelta(days=4)) == "expired"
    channel.refresh_from_db()
    assert channel.health == Health.AUTH_EXPIRED
