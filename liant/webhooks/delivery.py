"""Sending one delivery: claimed before the call, signed, its answer logged, retried with
backoff, and the endpoint switched off (its owners told) after a day of failures.

Deliveries are "at least once": a worker killed after the receiver answered but before the
answer was recorded sends it again once the claim is stale. Receivers dedupe on the event
id (`X-Liant-Delivery`), as the documentation says.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from liant.connectors.base import ConnectorError
from liant.connectors.http import HttpClient
from liant.webhooks.models import RETRY_WAITS, Delivery, DeliveryState, Endpoint
from liant.webhooks.signing import DELIVERY, EVENT, SIGNATURE, TIMESTAMP, sign

log = logging.getLogger(__name__)

CLAIM_STALE_AFTER = timedelta(minutes=10)
DISABLE_AFTER_FAILURES = 10
DISABLE_AFTER_FAILING_FOR = timedelta(hours=24)


def claimable(now: datetime) -> Q:
    return (
        Q(state=DeliveryState.PENDING)
        | Q(state=DeliveryState.FAILED, next_attempt_at__lte=now)
        | Q(state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_STALE_AFTER)
    )


def claim(delivery_id: int, now: datetime) -> bool:
    """One conditional update: two workers never both send the same attempt."""
    return (
        Delivery.objects.filter(claimable(now), pk=delivery_id, endpoint__active=True).update(
            state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    # A pending row older than a minute lost its queue message (a restart): pick it up.
    lost = Q(state=DeliveryState.PENDING, created_at__lt=now - timedelta(minutes=1))
    retry = Q(state=DeliveryState.FAILED, next_attempt_at__lte=now)
    stale = Q(state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_STALE_AFTER)
    return list(
        Delivery.objects.filter(lost | retry | stale, endpoint__active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver(delivery_id: int, client: HttpClient | None = None) -> str:
    now = timezone.now()
    if not claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Liant-Webhooks/1",
        EVENT: delivery.event,
        DELIVERY: str(delivery.event_id),
        TIMESTAMP: str(timestamp),
        SIGNATURE: sign(endpoint.secret, timestamp, body),
    }
    # HttpClient refuses private addresses at every hop: the address is typed by a workspace
    # user and must not reach this machine or its network.
    owned = client is None
    http = client or HttpClient(timeout=10.0, retries=0)
    try:
        response = http.post(endpoint.url, content=body, headers=headers)
    except ConnectorError as exc:
        status = exc.status if exc.status and exc.status > 0 else None
        return _failed(delivery, now, status, exc.message)
    finally:
        if owned:
            http.close()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENT,
        response_status=response.status_code,
        response_excerpt=response.text[:500],
        error="",
        delivered_at=timezone.now(),
        next_attempt_at=None,
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=0, failing_since=None)
    return "sent"


def _failed(delivery: Delivery, now: datetime, status: int | None, error: str) -> str:
    attempts = delivery.attempts
    if attempts <= len(RETRY_WAITS):
        state, next_at = DeliveryState.FAILED, now + RETRY_WAITS[attempts - 1]
    else:
        state, next_at = DeliveryState.ABANDONED, None
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, next_attempt_at=next_at, response_status=status, error=error[:500]
    )
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(failures=F("failures") + 1)
    Endpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=True).update(
        failing_since=now
    )
    _maybe_disable(delivery.endpoint_id, now)
    return str(state)


def _maybe_disable(endpoint_id: int, now: datetime) -> None:
    switched_off = Endpoint.objects.filter(
        pk=endpoint_id,
        active=True,
        failures__gte=DISABLE_AFTER_FAILURES,
        failing_since__lte=now - DISABLE_AFTER_FAILING_FOR,
    ).update(active=False, disabled_reason="failing for a day")
    if switched_off:
        from liant.webhooks.notify import tell_owners_disabled

        tell_owners_disabled(Endpoint.objects.select_related("workspace").get(pk=endpoint_id))


def redeliver(delivery: Delivery) -> Delivery:
    """A person asks for it again (after fixing their receiver): a fresh attempt, now."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=None, claimed_at=None
    )
    delivery.refresh_from_db()
    return delivery
