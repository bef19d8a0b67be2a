"""Pushed events: one address per network, the signature checked, each event stored once,
on every channel connected to the account it belongs to."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import override_settings

from liant.channels.models import Channel, Event

pytestmark = pytest.mark.django_db

APP = {"example": {"client_id": "liant-app", "webhook_secret": "hook-secret"}}


def delivery(*entries: dict) -> bytes:
    return json.dumps({"entries": list(entries)}).encode()


def entry(remote_id: str, page: str = "p1") -> dict:
    return {"id": remote_id, "page": page, "from": "u42", "time": 1764500000, "text": "Bonjour !"}


def post(client, body: bytes, secret: str = "hook-secret"):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/example/", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )


@pytest.fixture
def channels(example_network, workspace, other_workspace):
    return [
        Channel.objects.create(
            workspace=workspace, kind="example", name="A", settings={"account_id": "p1"}
        ),
        Channel.objects.create(
            workspace=other_workspace, kind="example", name="B", settings={"account_id": "p1"}
        ),
        Channel.objects.create(
            workspace=workspace, kind="example", name="C", settings={"account_id": "p2"}
        ),
    ]


@override_settings(NETWORK_APPS=APP)
def test_a_signed_delivery_is_stored_once_even_when_repeated(client, channels):
    body = delivery(entry("c1"), entry("c2"), entry("c3", page="p2"))

    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200  # networks repeat deliveries

    assert Event.objects.filter(channel=channels[0]).count() == 2
    assert Event.objects.filter(channel=channels[1]).count() == 2  # the same page elsewhere
    assert list(Event.objects.filter(channel=channels[2]).values_list("remote_id", flat=True)) == [
        "c3"
    ]
    assert (
        Event.objects.get(channel=channels[0], remote_id="c1").workspace_id
        == channels[0].workspace_id
    )


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, channels):
    response = post(client, delivery(entry("c1")), secret="guessed")

    assert response.status_code == 403
    assert not Event.objects.exists()


@override_settings(NETWORK_APPS=APP)
def test_the_cursor_of_polling_is_left_alone(client, channels):
    Channel.objects.filter(pk=channels[0].pk).update(cursor={"since": "42"})

    post(client, delivery(entry("c1")))

    channels[0].refresh_from_db()
    assert channels[0].cursor == {"since": "42"}


@override_settings(NETWORK_APPS=APP)
def test_the_verification_handshake_is_answered(client, channels):
    response = client.get("/hooks/example/", {"challenge": "1158201444"})

    assert response.status_code == 200
    assert response.content == b"1158201444"


def test_a_network_that_does_not_push_has_no_address(client, db):
    assert (
        client.post("/hooks/mastodon/", b"{}", content_type="application/json").status_code == 404
    )
    assert client.post("/hooks/nope/", b"{}", content_type="application/json").status_code == 404


@override_settings(NETWORK_APPS=APP)
def test_an_oversized_delivery_is_refused(client, channels):
    body = delivery(*[entry(f"c{i}") for i in range(20_000)])
    assert len(body) > 1_000_000

    assert post(client, body).status_code == 413
    assert not Event.objects.exists()
