"""Moving leads: every move kept, the hand-off e-mail, and the signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from liant.leads import pipeline, webhooks
from liant.leads.models import (
    DeliveryState,
    Lead,
    LeadSettings,
    Stage,
    StageChange,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db

SECRET = "un-secret-partage"


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("R", (Receiver,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def lead(workspace) -> Lead:
    return Lead.objects.create(
        workspace=workspace, name="Café Claire", email="claire@cafe.example", value="1200.00"
    )


def test_every_stage_change_is_recorded_with_who_and_from_where(lead, owner):
    pipeline.do_move(lead, Stage.QUALIFIED, owner)
    pipeline.do_move(lead, Stage.WON, owner)
    changes = list(StageChange.objects.filter(lead=lead).order_by("at", "id"))
    assert [(c.from_stage, c.to_stage, c.by) for c in changes] == [
        ("new", "qualified", owner),
        ("qualified", "won", owner),
    ]
    lead.refresh_from_db()
    assert lead.stage == Stage.WON


def test_moving_to_the_same_stage_records_nothing(lead, owner):
    assert pipeline.do_move(lead, Stage.NEW, owner) is None
    assert not StageChange.objects.exists()


def test_handing_to_sales_mails_the_owner_with_the_details_and_link(
    lead, owner, member, django_capture_on_commit_callbacks
):
    lead.owner = member
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.do_move(lead, Stage.HANDED, owner)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "Café Claire" in message.subject
    assert "claire@cafe.example" in message.body and "1200.00" in message.body
    assert f"/w/{lead.workspace.slug}/leads/{lead.pk}/" in message.body


def test_without_an_owner_the_sales_address_is_told(
    lead, owner, django_capture_on_commit_callbacks
):
    settings = LeadSettings.of(lead.workspace_id)
    settings.sales_email = "ventes@maison-lumiere.example"
    settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.do_move(lead, Stage.HANDED, owner)
    assert mail.outbox[0].to == ["ventes@maison-lumiere.example"]


def configure_webhook(workspace, url: str) -> None:
    settings = LeadSettings.of(workspace.pk)
    settings.webhook_url = url
    settings.webhook_secret = SECRET
    settings.save()


def test_the_webhook_is_signed_over_the_timestamp_and_body(
    lead, owner, receiver, django_capture_on_commit_callbacks
):
    url, handler = receiver
    configure_webhook(lead.workspace, url)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.do_move(lead, Stage.QUALIFIED, owner)
    assert len(handler.received) == 1
    headers, body = handler.received[0]
    timestamp = headers[webhooks.TIMESTAMP]
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers[webhooks.SIGNATURE], "sha256=" + expected)
    payload = json.loads(body)
    assert payload["event"] == "lead.stage_changed"
    assert payload["change"]["from"] == "new" and payload["change"]["to"] == "qualified"
    assert payload["lead"]["email"] == "claire@cafe.example"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SENT and delivery.response_status == 200
    assert delivery.attempts == 1


def test_the_webhook_is_never_sent_to_a_private_address_unless_allowed(
    lead, owner, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    url, handler = receiver
    monkeypatch.setenv("LIANT_ALLOW_PRIVATE_HOSTS", "")
    configure_webhook(lead.workspace, url)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.do_move(lead, Stage.QUALIFIED, owner)
    assert handler.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and "private" in delivery.error


def test_a_failing_receiver_is_recorded_and_raised_for_a_retry(lead, owner, receiver):
    url, handler = receiver
    handler.status = 503
    configure_webhook(lead.workspace, url)
    change = pipeline.do_move(lead, Stage.QUALIFIED, owner)
    delivery = WebhookDelivery.objects.get(change=change)
    with pytest.raises(Exception):  # noqa: B017 - huey retries on any exception
        webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.response_status == 503
    handler.status = 200
    assert webhooks.deliver(delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 2
    # Delivered once: a late retry sends nothing more.
    assert webhooks.deliver(delivery.pk) is True
    assert len(handler.received) == 2


def test_only_handing_to_sales_mails_someone(lead, owner, django_capture_on_commit_callbacks):
    LeadSettings.objects.filter(workspace=lead.workspace).update(sales_email="v@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pipeline.do_move(lead, Stage.QUALIFIED, owner)
    assert callbacks == [] and mail.outbox == []


def test_a_delivery_whose_wake_up_was_lost_is_swept(lead, owner, receiver):
    from datetime import timedelta

    from django.utils import timezone

    from liant.leads import tasks

    url, handler = receiver
    configure_webhook(lead.workspace, url)
    pipeline.do_move(lead, Stage.QUALIFIED, owner)  # on_commit never runs here: lost
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert tasks.sweep_pending_deliveries.call_local() == 1
    assert len(handler.received) == 1
    assert WebhookDelivery.objects.get().state == DeliveryState.SENT


def test_a_webhook_address_needs_a_secret(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/settings/",
        {"sales_email": "", "currency": "EUR", "webhook_url": "http://127.0.0.1:9/x"},
    )
    assert response.status_code == 200
    assert LeadSettings.of(workspace.pk).webhook_url == ""
