"""Events a network pushes (Facebook, Instagram, Slack, WhatsApp…): one address per network,
`/hooks/<network>/`, registered once by the operator with the network's application.

The connector checks the signature against the application's secret and reads the events,
grouped by the network's id of the account they belong to; each group is stored on the
channels connected to that account (in any workspace), through the same `store_events` as a
fetch, so a delivery the network repeats is stored once. A wrong signature is refused and
nothing is stored.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from liant.channels.fetching import store_events
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.apps import app_settings
from liant.connectors.base import Capability, ConnectorError, FetchResult, WebhookRequest

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # networks send small JSON deliveries; a larger body is not theirs


@csrf_exempt  # the network cannot send a CSRF token; the signature is the proof instead
def receive(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        cls = registry.connector_class(kind)
    except LookupError:
        raise Http404 from None
    if Capability.WEBHOOKS not in cls.capabilities or request.method not in ("GET", "POST"):
        raise Http404
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        return HttpResponse("too large", status=413, content_type="text/plain")
    body = request.body
    delivery = WebhookRequest(
        method=request.method,
        headers={name.lower(): value for name, value in request.headers.items()},
        query={name: request.GET[name] for name in request.GET},
        body=body,
    )
    try:
        result = cls.receive_webhook(delivery, app_settings(kind))
    except ConnectorError as exc:
        # Logged in English for the operator: nobody's language is known here.
        log.warning("Refused a %s delivery: %s", kind, exc.message)
        return HttpResponse("refused", status=403, content_type="text/plain")
    stored = 0
    for batch in result.batches:
        channels = Channel.objects.filter(kind=kind, settings__account_id=batch.account_id)
        for channel in channels:
            result_for_channel = FetchResult(batch.events, cursor={})
            stored += store_events(channel, result_for_channel, update_cursor=False)
    if stored:
        log.info("Stored %s pushed %s events", stored, kind)
    reply = result.reply
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
