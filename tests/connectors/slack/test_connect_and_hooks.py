"""Slack under the channels app: installing through the shared OAuth flow, pushed events
through /hooks/slack/, and a fetch stored twice without duplicates."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from liant.channels import connect_oauth, fetching, tasks
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.slack import demo
from liant.connectors.slack.connector import SlackConnector

from .conftest import APP, COMP, FIXTURES, TEAM, TOKEN, make_http, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_client(monkeypatch, slack):
    monkeypatch.setattr(connect_oauth, "client", lambda: make_http(slack))
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)


def install(client, workspace, code="good-code"):
    started = client.post(f"/w/{workspace.slug}/channels/connect/slack/oauth/", {"name": ""})
    state = client.session[connect_oauth.SESSION_KEY]["state"]
    return started, client.get("/connect/oauth/slack/callback/", {"code": code, "state": state})


@override_settings(NETWORK_APPS=APP)
def test_installing_the_app_connects_the_workspace_and_its_channels(
    owner_client, workspace, slack, fake_client
):
    started, back = install(owner_client, workspace)

    target = urlsplit(started["Location"])
    assert (target.netloc, target.path) == ("slack.com", "/oauth/v2/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == "4321.1234"
    assert query["scope"].split(",")[:3] == ["channels:history", "channels:read", "groups:history"]
    assert "chat:write" in query["scope"] and " " not in query["scope"]
    channel = Channel.objects.get(workspace=workspace, kind="slack")
    assert back["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "Maison Lumière"
    assert channel.settings["account_id"] == TEAM
    assert channel.settings["channels"] == ["C06ANNONCES", "C06COMPTOIR"]  # not #general
    assert channel.settings["bot_user_id"] == "U06LIANTBT"
    assert channel.credentials["access_token"] == TOKEN
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert TOKEN not in cursor.fetchone()[0]


@override_settings(NETWORK_APPS=APP)
def test_a_refused_code_says_slacks_words(owner_client, workspace, slack, fake_client):
    _started, back = install(owner_client, workspace, code="used-code")

    assert back.status_code == 400
    assert "invalid_code" in back.content.decode()
    assert not Channel.objects.filter(kind="slack").exists()


@override_settings(NETWORK_APPS=APP)
def test_another_workspace_cannot_install_here(outsider_client, workspace, fake_client):
    response = outsider_client.post(f"/w/{workspace.slug}/channels/connect/slack/oauth/")
    assert response.status_code == 404


# --- pushed events ----------------------------------------------------------------------------


@pytest.fixture
def channels(workspace, other_workspace):
    mine = Channel.objects.create(
        workspace=workspace, kind="slack", name="Slack", settings=demo.SETTINGS
    )
    elsewhere = Channel.objects.create(
        workspace=other_workspace,
        kind="slack",
        name="Other",
        settings=demo.SETTINGS | {"account_id": "T0OTHER000"},
    )
    return mine, elsewhere


def deliver(client, name: str, **kwargs):
    body = (FIXTURES / name).read_bytes()
    return client.post(
        "/hooks/slack/", body, content_type="application/json", **signed(body, **kwargs)
    )


@override_settings(NETWORK_APPS=APP)
def test_the_url_verification_is_answered_with_its_challenge(client, channels):
    response = deliver(client, "event_url_verification.json")

    assert response.status_code == 200
    assert response.content == b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


@override_settings(NETWORK_APPS=APP)
def test_a_signed_message_is_stored_once_on_its_workspaces_channel(client, channels):
    mine, elsewhere = channels

    assert deliver(client, "event_message.json").status_code == 200
    assert deliver(client, "event_message.json").status_code == 200  # Slack retries
    assert deliver(client, "event_thread_reply.json").status_code == 200

    stored = Event.objects.filter(channel=mine).order_by("occurred_at")
    assert [e.remote_id for e in stored] == [
        f"{COMP}:1764400600.000500",
        f"{COMP}:1764400700.000600",
    ]
    assert stored[1].kind == "comment"
    assert stored[1].parent_remote_id == f"{COMP}:1764400200.000200"
    assert stored[0].author_remote_id == "U06EMMA004"
    assert not Event.objects.filter(channel=elsewhere).exists()


@override_settings(NETWORK_APPS=APP)
def test_edits_and_liants_own_messages_are_not_stored(client, channels):
    assert deliver(client, "event_message_changed.json").status_code == 200
    assert deliver(client, "event_own_bot_message.json").status_code == 200

    assert not Event.objects.exists()


@override_settings(NETWORK_APPS=APP)
def test_a_mention_of_the_app_is_a_mention(client, channels):
    deliver(client, "event_app_mention.json")

    assert Event.objects.get().kind == "mention"


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_signature_is_refused_and_nothing_stored(client, channels):
    assert deliver(client, "event_message.json", secret="guessed").status_code == 403
    body = (FIXTURES / "event_message.json").read_bytes()
    headers = signed(body)
    tampered = body.replace(b"Belgium", b"Belgique")
    response = client.post("/hooks/slack/", tampered, content_type="application/json", **headers)
    assert response.status_code == 403
    assert not Event.objects.exists()


@override_settings(NETWORK_APPS=APP)
def test_a_delivery_older_than_five_minutes_is_refused(client, channels):
    stale = int(time.time()) - 6 * 60

    assert deliver(client, "event_message.json", stamp=stale).status_code == 403
    assert not Event.objects.exists()


@override_settings(NETWORK_APPS={"slack": {"client_id": "4321.1234"}})
def test_without_a_signing_secret_nothing_is_accepted(client, channels):
    assert deliver(client, "event_message.json").status_code == 403


# --- polling under the channels app -----------------------------------------------------------


def test_fetching_twice_stores_each_message_once(workspace, owner, monkeypatch, slack):
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: SlackConnector(ch.settings, ch.credentials, make_http(slack)),
    )
    channel = Channel.objects.create(
        workspace=workspace, kind="slack", name="Slack", settings=demo.SETTINGS, created_by=owner
    )
    channel.credentials = {"access_token": TOKEN}
    channel.save()

    assert fetching.fetch_channel(channel.pk).stored == 6
    assert fetching.fetch_channel(channel.pk).stored == 0
    channel.refresh_from_db()
    assert channel.cursor["threads"] == {f"{COMP}:1764400200.000200": "1764400260.000260"}
    # A message posted since comes with the next fetch.
    pushed = json.loads((FIXTURES / "event_message.json").read_text())["event"]
    slack.history[COMP].insert(0, pushed)
    assert fetching.fetch_channel(channel.pk).stored == 1


def test_the_demo_events_store_once(workspace):
    channel = Channel.objects.create(
        workspace=workspace, kind="slack", name="Demo", settings=demo.SETTINGS
    )
    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    assert fetching.store_events(channel, result) == len(result.events)
    assert fetching.store_events(channel, result) == 0
