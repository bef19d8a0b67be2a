"""Outgoing webhooks: queued with the change, signed, retried with backoff, logged, switched
off after a day of failures with the owners told; never to a private address."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.webhooks import delivery, tasks
from liant.webhooks.events import emit
from liant.webhooks.models import RETRY_WAITS, Delivery, DeliveryState, Endpoint
from liant.webhooks.signing import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(tasks, "deliver", queued.append)
    return queued


@pytest.fixture
def endpoint(workspace, owner) -> Endpoint:
    return Endpoint.objects.create(
        workspace=workspace,
        url="https://crm.example.com/liant",
        events=["lead.stage_changed", "alert.raised"],
        created_by=owner,
    )


class Receiver:
    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []

    def client(self) -> HttpClient:
        return HttpClient(
            MemoryRecorder(), transport=httpx.MockTransport(self.handle), check_urls=False
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, text="ok" if status < 400 else "boom")


def test_emit_queues_one_delivery_per_subscribed_endpoint_after_commit(
    workspace, other_workspace, endpoint, no_queue, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(workspace=workspace, url="https://b.example", events=["post.failed"])
    Endpoint.objects.create(
        workspace=workspace, url="https://c.example", events=["alert.raised"], active=False
    )
    Endpoint.objects.create(
        workspace=other_workspace, url="https://d.example", events=["alert.raised"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert emit(workspace.pk, "alert.raised", {"alert": {"id": 1}}) == 1

    row = Delivery.objects.get()
    assert row.endpoint == endpoint and no_queue == [row.pk]
    assert json.loads(row.body)["type"] == "alert.raised"


def test_a_rolled_back_change_announces_nothing(workspace, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(workspace.pk, "alert.raised", {"alert": {"id": 1}})
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_a_delivery_is_signed_so_the_documented_recipe_verifies_it(workspace, endpoint):
    emit(workspace.pk, "lead.stage_changed", {"lead": {"id": 7}})
    row = Delivery.objects.get()
    receiver = Receiver(200)

    assert delivery.deliver(row.pk, client=receiver.client()) == "sent"

    sent = receiver.requests[0]
    assert sent.headers["x-liant-event"] == "lead.stage_changed"
    assert sent.headers["x-liant-delivery"] == str(row.event_id)
    assert verify(
        endpoint.secret,
        sent.headers["x-liant-timestamp"],
        sent.content,
        sent.headers["x-liant-signature"],
        now=int(time.time()),
    )
    assert not verify(
        "another",
        sent.headers["x-liant-timestamp"],
        sent.content,
        sent.headers["x-liant-signature"],
        now=int(time.time()),
    )
    row.refresh_from_db()
    assert (row.state, row.response_status, row.attempts) == (DeliveryState.SENT, 200, 1)
    # Claimed once: a second worker holding the same id sends nothing.
    assert delivery.deliver(row.pk, client=receiver.client()) == "skipped"
    assert len(receiver.requests) == 1


def test_failures_are_retried_with_backoff_then_given_up(workspace, endpoint):
    emit(workspace.pk, "lead.stage_changed", {"lead": {"id": 7}})
    row = Delivery.objects.get()
    receiver = Receiver(*[500] * 20)

    for attempt, wait in enumerate(RETRY_WAITS, start=1):
        before = timezone.now()
        assert delivery.deliver(row.pk, client=receiver.client()) == "failed"
        row.refresh_from_db()
        assert row.attempts == attempt and row.response_status == 500
        assert row.next_attempt_at >= before + wait
        assert delivery.deliver(row.pk, client=receiver.client()) == "skipped"  # not yet due
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert row.pk in delivery.due()
    assert delivery.deliver(row.pk, client=receiver.client()) == "abandoned"
    assert row.pk not in delivery.due()
    assert len(receiver.requests) == len(RETRY_WAITS) + 1


def test_an_endpoint_failing_for_a_day_is_switched_off_and_its_owners_told(
    workspace, endpoint, owner
):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failures=9, failing_since=timezone.now() - timedelta(hours=25)
    )
    emit(workspace.pk, "alert.raised", {"alert": {"id": 1}})
    row = Delivery.objects.get()

    delivery.deliver(row.pk, client=Receiver(503).client())

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    # Off: its deliveries wait, none is sent.
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert delivery.due() == []


def test_a_success_resets_the_failure_count(workspace, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=5, failing_since=timezone.now())
    emit(workspace.pk, "alert.raised", {"alert": {"id": 1}})

    delivery.deliver(Delivery.objects.get().pk, client=Receiver(204).client())

    endpoint.refresh_from_db()
    assert (endpoint.failures, endpoint.failing_since) == (0, None)


def test_a_private_address_is_never_called(workspace):
    private = Endpoint.objects.create(
        workspace=workspace, url="http://127.0.0.1:9/hook", events=["alert.raised"]
    )
    emit(workspace.pk, "alert.raised", {"alert": {"id": 1}})
    row = Delivery.objects.get(endpoint=private)

    assert delivery.deliver(row.pk) == "failed"

    row.refresh_from_db()
    assert row.response_status is None and row.error


def test_a_worker_killed_mid_call_leaves_a_delivery_taken_up_again(workspace, endpoint):
    emit(workspace.pk, "alert.raised", {"alert": {"id": 1}})
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(
        state=DeliveryState.SENDING, claimed_at=timezone.now() - timedelta(minutes=11)
    )

    assert delivery.due() == [row.pk]
    assert delivery.deliver(row.pk, client=Receiver(200).client()) == "sent"
