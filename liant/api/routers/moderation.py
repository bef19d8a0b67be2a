"""Moderation: the review queue, a moderator's decisions on it (and their undo), the log.

Decisions go through `liant.moderation.queue` as on the queue page: recorded at once, sent
to the network by the worker after the undo window. A decision reaches a network, so it
takes an Idempotency-Key."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import Id, PathId, Text60
from liant.core import audit
from liant.moderation import queue
from liant.moderation.models import Decision, Item, ItemState, LogEntry, Outcome

router = Router(tags=["moderation"])


class ItemOut(Schema):
    id: int
    state: str
    reason: str
    why: str
    channel: int
    rule: int | None
    label: str
    text: str
    language: str
    toxicity: float
    spam: float
    severity: int
    risk: float
    author_handle: str
    created_at: datetime
    decided_at: datetime | None


class ItemPage(Schema):
    items: list[ItemOut]
    next: str | None


class LogEntryOut(Schema):
    id: int
    item: int | None
    action: str
    outcome: str
    rule: int | None
    actor: int | None
    article: int | None
    text: str
    detail: str
    sent: str
    mute_until: datetime | None
    apply_after: datetime | None
    lifted_at: datetime | None
    created_at: datetime


class LogPage(Schema):
    items: list[LogEntryOut]
    next: str | None


class DecisionIn(Schema):
    decision: Decision


class DecisionOut(Schema):
    entry: LogEntryOut
    undo_until: datetime | None


def item_out(item: Item) -> dict:
    return {
        "id": item.pk,
        "state": item.state,
        "reason": item.reason,
        "why": item.why,
        "channel": item.channel_id,
        "rule": item.rule_id,
        "label": item.label,
        "text": item.text,
        "language": item.language,
        "toxicity": item.toxicity,
        "spam": item.spam,
        "severity": item.severity,
        "risk": item.risk,
        "author_handle": item.author_handle,
        "created_at": item.created_at,
        "decided_at": item.decided_at,
    }


def entry_out(entry: LogEntry) -> dict:
    return {
        "id": entry.pk,
        "item": entry.item_id,
        "action": entry.action,
        "outcome": entry.outcome,
        "rule": entry.rule_id,
        "actor": entry.actor_id,
        "article": entry.article,
        "text": entry.text,
        "detail": entry.detail,
        "sent": entry.sent,
        "mute_until": entry.mute_until,
        "apply_after": entry.apply_after,
        "lifted_at": entry.lifted_at,
        "created_at": entry.created_at,
    }


def items_of(caller: Caller):
    return Item.objects.filter(workspace=caller.workspace)


@router.get("/moderation/items", response=ItemPage, summary="List the review queue's items")
def list_items(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: ItemState = ItemState.QUEUED,
    channel: Id | None = None,
    rule: Id | None = None,
    language: Text60 | None = None,
) -> dict:
    caller = require(request, "moderation.view")
    rows = items_of(caller).filter(state=state)
    if channel:
        rows = rows.filter(channel_id=channel)
    if rule:
        rows = rows.filter(rule_id=rule)
    if language:
        rows = rows.filter(language=language)
    # Newest first: a stable cursor (risk changes as reports come in, so it cannot page).
    found, next_url = page(
        request, rows, name="moderation-items", limit=limit, cursor=cursor, key="created_at"
    )
    return {"items": [item_out(i) for i in found], "next": next_url}


@router.get("/moderation/items/{id}", response=ItemOut, summary="Read a queue item")
def get_item(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "moderation.view")
    return item_out(get_object_or_404(items_of(caller), pk=id))


@router.post(
    "/moderation/items/{id}/decide",
    response=DecisionOut,
    summary="Decide on a queued item (sent to the network after the undo window)",
)
def decide_item(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: DecisionIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | dict:
    caller = require(request, "moderation.act")
    item = get_object_or_404(items_of(caller), pk=id)
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    if item.state != ItemState.QUEUED:
        raise Problem(
            409, _("This item was already dealt with."), slug="state-conflict", state=item.state
        )
    entry = queue.decide(item, payload.decision, caller.user)
    from liant.moderation.tasks import send_decision  # noqa: PLC0415 - as the queue page

    send_decision.schedule((entry.pk,), delay=queue.UNDO_SECONDS + 1)
    audit.record(
        request,
        "moderation.decided",
        workspace=caller.workspace,
        target=item,
        actor=caller.user,
        decision=payload.decision,
    )
    return {"entry": entry_out(entry), "undo_until": entry.apply_after}


@router.get("/moderation/log", response=LogPage, summary="List the moderation log")
def list_log(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    outcome: Outcome | None = None,
    action: Text60 | None = None,
    item: Id | None = None,
) -> dict:
    caller = require(request, "moderation.view")
    rows = LogEntry.objects.filter(workspace=caller.workspace)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if action:
        rows = rows.filter(action=action)
    if item:
        rows = rows.filter(item_id=item)
    found, next_url = page(
        request, rows, name="moderation-log", limit=limit, cursor=cursor, key="created_at"
    )
    return {"items": [entry_out(e) for e in found], "next": next_url}


@router.get("/moderation/log/{id}", response=LogEntryOut, summary="Read a log entry")
def get_log_entry(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "moderation.view")
    return entry_out(get_object_or_404(LogEntry, workspace=caller.workspace, pk=id))


@router.post(
    "/moderation/log/{id}/undo",
    response=LogEntryOut,
    summary="Take back a decision still in its undo window (nothing is sent)",
)
def undo_decision(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "moderation.act")
    entry = get_object_or_404(LogEntry, workspace=caller.workspace, pk=id)
    if not queue.undo(entry, timezone.now()):
        raise Problem(
            409,
            _("Too late to undo: the decision was already sent."),
            slug="state-conflict",
            state=entry.outcome,
        )
    audit.record(
        request, "moderation.undone", workspace=caller.workspace, target=entry, actor=caller.user
    )
    entry.refresh_from_db()
    return entry_out(entry)
