"""The connect pages: server address → app registration → OAuth on the server → callback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from liant.channels import connect_mastodon, tasks
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core.models import AuditEvent
from tests.connectors.mastodon.conftest import TOKEN, FakeInstance, error, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Fetches the view hands to the worker (not run here: they would reach the network)."""
    channel_ids: list[int] = []
    monkeypatch.setattr(tasks, "fetch_channel", channel_ids.append)
    return channel_ids


@pytest.fixture
def server(monkeypatch, enqueued) -> FakeInstance:
    fake = FakeInstance()
    monkeypatch.setattr(
        connect_mastodon,
        "client",
        lambda: HttpClient(
            MemoryRecorder(), transport=fake.transport(), sleep=lambda s: None, check_urls=False
        ),
    )
    return fake


def start(client, workspace, instance="mastodon.example"):
    return client.post(
        f"/w/{workspace.slug}/channels/connect/mastodon/",
        {"instance": instance, "name": "Maison Lumière (Mastodon)"},
    )


def test_step_one_registers_liant_and_sends_the_person_to_their_server(
    owner_client, workspace, server
):
    response = start(owner_client, workspace)

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == (
        "https",
        "mastodon.example",
        "/oauth/authorize",
    )
    query = parse_qs(target.query)
    callback = "http://testserver/w/brand/channels/connect/mastodon/callback/"
    assert query["client_id"] == ["TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"]
    assert query["redirect_uri"] == [callback]
    assert query["response_type"] == ["code"]
    state = query["state"][0]
    assert len(state) >= 32
    assert owner_client.session[connect_mastodon.SESSION_KEY]["state"] == state
    (registration,) = server.sent("POST", "/api/v1/apps")
    assert dict(server.form(registration))["redirect_uris"] == callback
    assert not Channel.objects.exists()


def test_a_server_that_refuses_registration_is_said(owner_client, workspace, server):
    server.script("POST", "/api/v1/apps", error(422, "error_validation.json"))
    response = start(owner_client, workspace)
    assert response.status_code == 200
    assert "did not let Liant register" in response.content.decode()
    assert connect_mastodon.SESSION_KEY not in owner_client.session


def test_an_address_that_is_not_a_server_is_refused(owner_client, workspace, server):
    response = start(owner_client, workspace, instance="http://mastodon.example")
    assert "Give the address of a Mastodon server" in response.content.decode()
    assert server.requests == []


def callback(client, workspace, **query):
    return client.get(f"/w/{workspace.slug}/channels/connect/mastodon/callback/", query)


def test_step_two_creates_the_channel_with_the_token_encrypted(
    owner_client, workspace, server, enqueued
):
    state = parse_qs(urlsplit(start(owner_client, workspace)["Location"]).query)["state"][0]

    response = callback(owner_client, workspace, code="qDFUEaYrRK5c", state=state)

    channel = Channel.objects.get(kind="mastodon")
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.workspace == workspace
    assert channel.name == "Maison Lumière (Mastodon)"
    assert channel.settings == {
        "instance_url": "https://mastodon.example",
        "visibility": "public",
        "account_id": "109384750018400001",
        "acct": "maisonlumiere",
        "limits": {
            "max_characters": 500,
            "characters_reserved_per_url": 23,
            "max_media_attachments": 4,
            "supported_mime_types": load("instance_v2.json")["configuration"]["media_attachments"][
                "supported_mime_types"
            ],
            "image_size_limit": 16777216,
            "video_size_limit": 103809024,
            "description_limit": 1500,
            "poll_max_options": 4,
            "poll_max_characters_per_option": 50,
            "poll_min_expiration": 300,
            "poll_max_expiration": 2629746,
        },
    }
    assert channel.credentials == {
        "access_token": TOKEN,
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        raw = cursor.fetchone()[0]
    assert TOKEN not in raw
    assert "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw" not in raw
    audit = AuditEvent.objects.get(action="channel.connected", workspace=workspace)
    assert audit.data["account"] == "@maisonlumiere@mastodon.example"
    (exchange,) = server.sent("POST", "/oauth/token")
    assert dict(server.form(exchange))["code"] == "qDFUEaYrRK5c"
    (verify,) = server.sent("GET", "/api/v1/accounts/verify_credentials")
    assert verify.headers["Authorization"] == f"Bearer {TOKEN}"
    assert connect_mastodon.SESSION_KEY not in owner_client.session
    assert enqueued == [channel.pk]


def test_signing_in_again_renews_the_token_of_the_same_channel(owner_client, workspace, server):
    for _ in range(2):
        state = parse_qs(urlsplit(start(owner_client, workspace)["Location"]).query)["state"][0]
        callback(owner_client, workspace, code="c0de", state=state)
    assert Channel.objects.filter(kind="mastodon").count() == 1
    assert AuditEvent.objects.filter(action="channel.connected").count() == 2


def test_a_wrong_state_creates_nothing_and_says_why(owner_client, workspace, server):
    start(owner_client, workspace)
    response = callback(owner_client, workspace, code="stolen-code", state="not-the-one")
    assert response.status_code == 400
    assert "does not match the sign-in Liant started" in response.content.decode()
    assert not Channel.objects.exists()
    assert not server.sent("POST", "/oauth/token")
    assert not AuditEvent.objects.filter(action="channel.connected").exists()


def test_a_callback_without_a_started_sign_in_creates_nothing(owner_client, workspace, server):
    response = callback(owner_client, workspace, code="c0de", state="x")
    assert response.status_code == 400
    assert "Start again" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_refused_authorization_is_said(owner_client, workspace, server):
    state = parse_qs(urlsplit(start(owner_client, workspace)["Location"]).query)["state"][0]
    response = callback(
        owner_client,
        workspace,
        state=state,
        error="access_denied",
        error_description="The resource owner or authorization server denied the request.",
    )
    assert response.status_code == 400
    assert "denied the request" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_code_the_server_refuses_creates_nothing(owner_client, workspace, server):
    server.script("POST", "/oauth/token", error(400, "error_invalid_grant.json"))
    state = parse_qs(urlsplit(start(owner_client, workspace)["Location"]).query)["state"][0]
    response = callback(owner_client, workspace, code="used", state=state)
    assert response.status_code == 400
    assert "authorization grant is invalid" in response.content.decode()
    assert not Channel.objects.exists()


def test_the_outsider_gets_nothing_from_either_step(outsider_client, workspace, server):
    assert start(outsider_client, workspace).status_code == 404
    assert callback(outsider_client, workspace, code="c0de", state="x").status_code == 404
    assert server.requests == []
    assert not Channel.objects.exists()


def test_the_channel_list_links_to_the_mastodon_page(owner_client, workspace):
    response = owner_client.get(f"/w/{workspace.slug}/channels/")
    assert f"/w/{workspace.slug}/channels/connect/mastodon/" in response.content.decode()


def test_the_connect_page_asks_for_the_server(owner_client, workspace):
    response = owner_client.get(f"/w/{workspace.slug}/channels/connect/mastodon/")
    assert response.status_code == 200
    assert 'name="instance"' in response.content.decode()
