"""What a workspace can subscribe to, and `emit`, the one call that announces an event.

`emit` writes one delivery row per subscribed endpoint in the caller's transaction (so an
event whose change is rolled back is never announced) and hands them to the worker once it
is committed.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EVENTS = {
    "post.published": _("A post was published on a channel"),
    "post.failed": _("A post could not be published"),
    "message.received": _("A message reached the inbox"),
    "conversation.assigned": _("A conversation was assigned"),
    "conversation.closed": _("A conversation was closed"),
    "alert.raised": _("A listening alert was raised"),
    "moderation.action": _("A moderation action was taken"),
    "member.level_changed": _("A member's engagement level changed"),
    "lead.stage_changed": _("A lead moved to another stage"),
    "form.submitted": _("A capture form was submitted"),
}


def emit(workspace_id: int, event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active endpoint of the workspace subscribed to it."""
    return emit_many(workspace_id, event, [data])


def emit_many(workspace_id: int, event: str, items: list[dict[str, Any]]) -> int:
    """Several events of one kind (a scoring run's level changes) with one endpoint query."""
    from liant.webhooks.models import Delivery, Endpoint

    assert event in EVENTS, event
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(workspace_id=workspace_id, active=True)
        if event in endpoint.events
    ]
    if not endpoints or not items:
        return 0
    rows = []
    for data in items:
        event_id = uuid.uuid4()
        body = json.dumps(
            {
                "id": str(event_id),
                "type": event,
                "created_at": timezone.now().isoformat(),
                "data": data,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        rows += [
            Delivery(endpoint=endpoint, event=event, event_id=event_id, body=body)
            for endpoint in endpoints
        ]
    deliveries = Delivery.objects.bulk_create(rows)
    ids = [d.pk for d in deliveries if d.pk is not None]

    def enqueue() -> None:
        from liant.webhooks import tasks

        for delivery_id in ids:
            tasks.deliver(delivery_id)

    # Without ids (a database that does not return them) the minute sweep finds the rows.
    transaction.on_commit(enqueue)
    return len(deliveries)


def conversation_changed(
    workspace_id: int,
    conversation_id: int,
    *,
    closed: bool = False,
    assignee_id: int | None = None,
    assigned: bool = False,
) -> None:
    """Called where people (or bulk actions) close or assign conversations."""
    if closed:
        emit(workspace_id, "conversation.closed", {"conversation": {"id": conversation_id}})
    if assigned:
        emit(
            workspace_id,
            "conversation.assigned",
            {"conversation": {"id": conversation_id, "assignee": assignee_id}},
        )
