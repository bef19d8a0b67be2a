"""Bulk actions on a selection of conversations (close, assign, label), each undoable.

What each conversation had before is stored with the action; undoing puts it back, for the
conversations nobody has changed since in the same respect.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from liant.core.models import Workspace
from liant.inbox.models import BulkAction, Conversation, Label, Status
from liant.webhooks.events import conversation_changed

ACTIONS = ("close", "assign", "label")
MAX_SELECTED = 500


def apply(
    workspace: Workspace,
    actor: Any,
    action: str,
    ids: list[int],
    *,
    assignee: Any = None,
    label: Label | None = None,
) -> BulkAction | None:
    if action not in ACTIONS or not ids:
        return None
    with transaction.atomic():
        rows = list(
            Conversation.objects.select_for_update()
            .filter(workspace=workspace, pk__in=ids[:MAX_SELECTED])
            .prefetch_related("labels")
        )
        if not rows:
            return None
        before = []
        now = timezone.now()
        for c in rows:
            had_label = label is not None and any(lb.pk == label.pk for lb in c.labels.all())
            before.append(
                {
                    "id": c.pk,
                    "status": c.status,
                    "snoozed_until": c.snoozed_until.isoformat() if c.snoozed_until else None,
                    "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                    "assignee_id": c.assignee_id,
                    "label_added": label is not None and not had_label,
                }
            )
        pks = [c.pk for c in rows]
        if action == "close":
            Conversation.objects.filter(pk__in=pks).exclude(status=Status.CLOSED).update(
                status=Status.CLOSED, snoozed_until=None, closed_at=now
            )
            for row in before:
                if row["status"] != Status.CLOSED:
                    conversation_changed(workspace.pk, int(str(row["id"])), closed=True)
        elif action == "assign":
            Conversation.objects.filter(pk__in=pks).update(assignee=assignee)
            for row in before:
                if assignee is not None and row["assignee_id"] != assignee.pk:
                    conversation_changed(
                        workspace.pk, int(str(row["id"])), assigned=True, assignee_id=assignee.pk
                    )
        elif action == "label" and label is not None:
            for c in rows:
                c.labels.add(label)
        return BulkAction.objects.create(
            workspace=workspace, actor=actor, action=action, before=before, label=label
        )


def undo(bulk: BulkAction) -> int:
    """Put back what the action replaced; returns how many conversations were restored."""
    with transaction.atomic():
        if (
            BulkAction.objects.filter(pk=bulk.pk, undone_at__isnull=True).update(
                undone_at=timezone.now()
            )
            != 1
        ):
            return 0  # undone already (a double click, or a teammate)
        restored = 0
        for row in bulk.before:
            rows = Conversation.objects.filter(pk=row["id"], workspace_id=bulk.workspace_id)
            if bulk.action == "close":
                restored += rows.filter(status=Status.CLOSED).update(
                    status=row["status"],
                    snoozed_until=parse_datetime(row["snoozed_until"] or ""),
                    closed_at=parse_datetime(row["closed_at"] or ""),
                )
            elif bulk.action == "assign":
                restored += rows.update(assignee_id=row["assignee_id"])
            elif bulk.action == "label" and row["label_added"] and bulk.label_id:
                conversation = rows.first()
                if conversation is not None:
                    conversation.labels.remove(bulk.label_id)
                    restored += 1
        return restored
