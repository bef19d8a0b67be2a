"""The shared OAuth connect flow: start → the network → callback → one or several accounts."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test import override_settings

from liant.channels import connect_oauth, tasks
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder

pytestmark = pytest.mark.django_db

APP = {"example": {"client_id": "liant-app", "client_secret": "s3cret"}}


class FakeNetwork:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages
        self.token_requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_requests.append(request)
            form = parse_qs(request.content.decode())
            if form["code"] != ["good-code"]:
                return httpx.Response(
                    400,
                    json={"error": "invalid_grant", "error_description": "Code already used"},
                )
            return httpx.Response(
                200,
                json={
                    "access_token": "user-token",
                    "refresh_token": "refresh-1",
                    "expires_in": 3600,
                    "token_type": "bearer",
                },
            )
        if request.url.path == "/me/pages":
            return httpx.Response(200, json={"pages": self.pages})
        return httpx.Response(404)


@pytest.fixture
def network(monkeypatch, example_network):
    fake = FakeNetwork([{"id": "p1", "name": "Maison Lumière", "token": "page-token-1"}])
    monkeypatch.setattr(
        connect_oauth,
        "client",
        lambda: HttpClient(
            MemoryRecorder(),
            transport=httpx.MockTransport(fake.handle),
            sleep=lambda s: None,
            check_urls=False,
        ),
    )
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return fake


def start(client, workspace):
    return client.post(f"/w/{workspace.slug}/channels/connect/example/oauth/", {"name": ""})


@override_settings(NETWORK_APPS=APP)
def test_start_sends_the_person_to_the_network_with_state_and_pkce(
    owner_client, workspace, network
):
    response = start(owner_client, workspace)

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("example.net", "/oauth/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == "liant-app"
    assert query["redirect_uri"] == "http://testserver/connect/oauth/example/callback/"
    assert query["scope"] == "read write"
    assert query["code_challenge_method"] == "S256"
    verifier = owner_client.session[connect_oauth.SESSION_KEY]["verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@override_settings(NETWORK_APPS=APP)
def test_the_callback_connects_the_account_with_its_tokens_encrypted(
    owner_client, workspace, network
):
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    response = owner_client.get(
        "/connect/oauth/example/callback/", {"code": "good-code", "state": state}
    )

    channel = Channel.objects.get(workspace=workspace, kind="example")
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "Maison Lumière"
    assert channel.settings == {"account_id": "p1"}
    assert channel.credentials["page_token"] == "page-token-1"
    assert channel.credentials["refresh_token"] == "refresh-1"
    assert channel.credentials_expire_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "page-token-1" not in stored and "refresh-1" not in stored
    # The code was traded with the verifier, the client proving itself with HTTP Basic.
    sent = network.token_requests[0]
    assert (
        sent.headers["authorization"] == "Basic " + base64.b64encode(b"liant-app:s3cret").decode()
    )
    assert "code_verifier" in parse_qs(sent.content.decode())
    # One answer per sign-in: the same callback again connects nothing more.
    again = owner_client.get(
        "/connect/oauth/example/callback/", {"code": "good-code", "state": state}
    )
    assert again.status_code == 400
    assert Channel.objects.filter(kind="example").count() == 1


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_state_connects_nothing(owner_client, workspace, network):
    start(owner_client, workspace)

    response = owner_client.get(
        "/connect/oauth/example/callback/", {"code": "good-code", "state": "forged"}
    )

    assert response.status_code == 400
    assert not network.token_requests
    assert not Channel.objects.filter(kind="example").exists()


@override_settings(NETWORK_APPS=APP)
def test_a_refused_code_says_the_networks_words(owner_client, workspace, network):
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    response = owner_client.get(
        "/connect/oauth/example/callback/", {"code": "used", "state": state}
    )

    assert response.status_code == 400
    assert "Code already used" in response.content.decode()
    assert not Channel.objects.filter(kind="example").exists()


@override_settings(NETWORK_APPS=APP)
def test_several_pages_are_offered_and_the_chosen_ones_connected(owner_client, workspace, network):
    network.pages.append({"id": "p2", "name": "Lumière Pro", "token": "page-token-2"})
    network.pages.append({"id": "p3", "name": "Lumière Jobs", "token": "page-token-3"})
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    response = owner_client.get(
        "/connect/oauth/example/callback/", {"code": "good-code", "state": state}
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"])
    assert "Lumière Pro" in page.content.decode()
    assert "page-token" not in page.content.decode()

    owner_client.post(response["Location"], {"account": ["0", "2", "9"]})

    assert sorted(Channel.objects.values_list("settings__account_id", flat=True)) == ["p1", "p3"]


@override_settings(NETWORK_APPS=APP)
def test_signing_in_again_renews_the_tokens_instead_of_adding_a_twin(
    owner_client, workspace, network
):
    for _round in range(2):
        start(owner_client, workspace)
        state = owner_client.session[connect_oauth.SESSION_KEY]["state"]
        owner_client.get("/connect/oauth/example/callback/", {"code": "good-code", "state": state})

    assert Channel.objects.filter(kind="example").count() == 1


@override_settings(NETWORK_APPS={})
def test_without_an_application_the_page_says_what_the_operator_must_set(
    owner_client, workspace, network
):
    response = owner_client.get(f"/w/{workspace.slug}/channels/connect/example/oauth/")

    text = response.content.decode()
    assert "LIANT_APP_EXAMPLE_CLIENT_ID" in text
    assert "http://testserver/connect/oauth/example/callback/" in text
    assert start(owner_client, workspace).status_code == 200  # no redirect anywhere


@override_settings(NETWORK_APPS=APP)
def test_another_workspace_gets_nothing(owner_client, outsider_client, workspace, network):
    assert start(outsider_client, workspace).status_code == 404
    start(owner_client, workspace)
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]
    # The outsider's own session holds no sign-in: a stolen code and state connect nothing.
    response = outsider_client.get(
        "/connect/oauth/example/callback/", {"code": "good-code", "state": state}
    )
    assert response.status_code == 400
    assert not Channel.objects.filter(kind="example").exists()


def test_a_network_without_oauth_has_no_oauth_page(owner_client, workspace):
    assert (
        owner_client.get(f"/w/{workspace.slug}/channels/connect/mastodon/oauth/").status_code == 404
    )
    assert owner_client.get(f"/w/{workspace.slug}/channels/connect/nope/oauth/").status_code == 404
