"""WhatsApp under the channels app: the token form, Meta's webhook handshake and signed
deliveries at /hooks/whatsapp/, and the members' opt-in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings

from liant.channels import connect_whatsapp, fetching, tasks
from liant.channels.models import Channel, Event
from liant.connectors.base import FetchResult
from liant.connectors.whatsapp import demo, optin
from liant.members.models import Member

from .conftest import APP, FIXTURES, PHONE, TOKEN, VERIFY, WABA, make_http, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_client(monkeypatch, graph):
    monkeypatch.setattr(connect_whatsapp, "client", lambda: make_http(graph))
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)


def url(workspace) -> str:
    return f"/w/{workspace.slug}/channels/connect/whatsapp/"


def form(**changes: str) -> dict[str, str]:
    return {"name": "", "phone_number_id": PHONE, "waba_id": WABA, "access_token": TOKEN} | changes


@override_settings(NETWORK_APPS=APP)
def test_the_form_connects_the_number_with_its_token_encrypted(
    owner_client, workspace, graph, fake_client
):
    page = owner_client.get(url(workspace))
    assert "http://testserver/hooks/whatsapp/" in page.content.decode()

    response = owner_client.post(url(workspace), form())

    channel = Channel.objects.get(workspace=workspace, kind="whatsapp")
    assert response["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "Maison Lumière"
    assert channel.settings == {
        "account_id": PHONE,
        "waba_id": WABA,
        "display_phone_number": "+33 4 78 00 00 00",
        "verified_name": "Maison Lumière",
        "quality_rating": "GREEN",
    }
    assert channel.credentials == {"access_token": TOKEN}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert TOKEN not in cursor.fetchone()[0]
    # Meta is asked to push this account's messages to Liant's app.
    assert any(r.url.path.endswith(f"{WABA}/subscribed_apps") for r in graph.requests)
    # Connecting again renews the token of the same channel.
    owner_client.post(url(workspace), form(name="Boutique"))
    assert Channel.objects.filter(kind="whatsapp").count() == 1


def test_a_bad_token_is_a_clear_form_error(owner_client, workspace, fake_client):
    response = owner_client.post(url(workspace), form(access_token="wrong"))

    assert response.status_code == 200
    assert "WhatsApp refused" in response.content.decode()
    assert "Session has expired" in response.content.decode()
    assert not Channel.objects.filter(kind="whatsapp").exists()


def test_a_number_of_another_account_is_refused(owner_client, workspace, graph, fake_client):
    response = owner_client.post(url(workspace), form(waba_id="999999999999"))

    assert response.status_code == 200
    assert not Channel.objects.filter(kind="whatsapp").exists()


def test_another_workspace_gets_nothing(outsider_client, workspace, fake_client):
    assert outsider_client.get(url(workspace)).status_code == 404
    assert outsider_client.post(url(workspace), form()).status_code == 404
    assert not Channel.objects.exists()


# --- pushed events ----------------------------------------------------------------------------


@pytest.fixture
def channel(workspace):
    return Channel.objects.create(
        workspace=workspace, kind="whatsapp", name="WhatsApp", settings=demo.SETTINGS
    )


def deliver(client, name: str, secret: str | None = None):
    body = (FIXTURES / name).read_bytes()
    sig = signature(body) if secret is None else signature(body, secret)
    return client.post(
        "/hooks/whatsapp/", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sig
    )


@override_settings(NETWORK_APPS=APP)
def test_metas_handshake_is_answered_only_with_the_right_token(client, channel):
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY}
    response = client.get("/hooks/whatsapp/", query)
    assert response.status_code == 200 and response.content == b"1158201444"

    wrong = client.get("/hooks/whatsapp/", query | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403


@override_settings(NETWORK_APPS=APP)
def test_a_signed_message_is_stored_once(client, channel):
    assert deliver(client, "webhook_text.json").status_code == 200
    assert deliver(client, "webhook_text.json").status_code == 200  # Meta retries

    event = Event.objects.get(channel=channel)
    assert event.kind == "direct_message"
    assert event.author_remote_id == "33612000003" and event.author_name == "Sarah"
    assert event.text == "Bonjour, il reste des places pour l'atelier de samedi ?"
    assert event.occurred_at == datetime.fromtimestamp(1764490000, UTC)


@override_settings(NETWORK_APPS=APP)
def test_an_image_answering_our_message_and_a_reaction(client, channel):
    deliver(client, "webhook_image_reply.json")
    deliver(client, "webhook_reaction.json")

    image, reaction = Event.objects.filter(channel=channel).order_by("occurred_at")
    ours = "wamid.HBgLMzM2MTIwMDAwMDMVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert image.text == "Le colis est arrivé abîmé" and image.parent_remote_id == ours
    assert reaction.kind == "reaction" and reaction.parent_remote_id == ours


@override_settings(NETWORK_APPS=APP)
def test_statuses_are_kept_on_the_message_sent(client, channel):
    deliver(client, "webhook_status_delivered.json")
    deliver(client, "webhook_status_failed.json")
    deliver(client, "webhook_status_failed.json")

    delivered, failed = Event.objects.filter(channel=channel).order_by("occurred_at")
    assert delivered.remote_id.endswith(":delivered") and delivered.author_remote_id == ""
    assert delivered.parent_remote_id == delivered.raw["id"]
    assert failed.text == "Message undeliverable" and failed.raw["errors"][0]["code"] == 131026


@override_settings(NETWORK_APPS=APP)
def test_a_wrong_signature_is_refused_and_nothing_stored(client, channel):
    assert deliver(client, "webhook_text.json", secret="guessed").status_code == 403
    body = (FIXTURES / "webhook_text.json").read_bytes()
    unsigned = client.post("/hooks/whatsapp/", body, content_type="application/json")
    assert unsigned.status_code == 403
    assert not Event.objects.exists()


@override_settings(NETWORK_APPS=APP)
def test_a_delivery_for_another_number_is_not_stored_here(client, channel):
    Channel.objects.filter(pk=channel.pk).update(settings=demo.SETTINGS | {"account_id": "1"})
    deliver(client, "webhook_text.json")
    assert not Event.objects.exists()


# --- opt-in and demo --------------------------------------------------------------------------


def test_only_a_member_whose_latest_whatsapp_consent_is_a_yes_is_opted_in(workspace):
    member = Member.objects.create(workspace=workspace, name="Sarah")
    assert not optin.opted_in(member)
    optin.record(member, granted=True, text="J'accepte les messages WhatsApp", where="boutique")
    assert optin.opted_in(member)
    optin.record(member, granted=False, text="STOP", where="message")
    assert not optin.opted_in(member)


def test_the_demo_events_store_once(channel):
    result = FetchResult(demo.events(datetime(2026, 11, 30, tzinfo=UTC)), {})
    assert fetching.store_events(channel, result) == len(result.events)
    assert fetching.store_events(channel, result) == 0


def test_the_channels_page_links_the_form_and_the_network_page_lists_both(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert url(workspace) in page
    assert f"/w/{workspace.slug}/channels/connect/slack/oauth/" in page
    networks = owner_client.get(f"/w/{workspace.slug}/channels/networks/").content.decode()
    assert "WhatsApp Business" in networks and "Slack" in networks
