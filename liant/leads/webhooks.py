"""The signed call to the workspace's webhook on each stage change.

The receiver checks `X-Liant-Signature: sha256=<hex>`, an HMAC-SHA256 with the shared secret
over "<timestamp>.<body>", and `X-Liant-Timestamp` (Unix seconds). Signing the timestamp with
the body lets the receiver refuse an old delivery replayed by someone who captured it.
"""

from __future__ import annotations

import time

from django.utils import timezone

from liant.connectors.base import ConnectorError, ErrorKind
from liant.connectors.http import HttpClient
from liant.leads.models import DeliveryState, LeadSettings, WebhookDelivery
from liant.webhooks.signing import SIGNATURE, TIMESTAMP, sign

__all__ = ["SIGNATURE", "TIMESTAMP", "deliver", "sign"]


def deliver(delivery_id: int, client: HttpClient | None = None) -> bool:
    """One attempt. True when delivered (or nothing left to do); raises ConnectorError when a
    later attempt may succeed, so the task retries."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.state == DeliveryState.SENT:
        return True
    secret = LeadSettings.of(delivery.workspace_id).webhook_secret
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP: str(timestamp),
        SIGNATURE: sign(secret, timestamp, body),
    }
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    # HttpClient refuses private addresses at each hop (LIANT_ALLOW_PRIVATE_HOSTS aside): the
    # URL is typed by a workspace user and must not reach this machine or its network.
    owned = client is None
    http = client or HttpClient(timeout=10.0, retries=0)
    try:
        response = http.post(delivery.url, content=body, headers=headers)
    except ConnectorError as exc:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED,
            error=str(exc)[:2000],
            response_status=exc.status if exc.status and exc.status > 0 else None,
        )
        if exc.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED):
            raise
        return False
    finally:
        if owned:
            http.close()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENT,
        response_status=response.status_code,
        error="",
        delivered_at=timezone.now(),
    )
    return True
