"""Inbox: conversations and their messages; reply, assign, close.

A reply goes through inbox.replies.queue_reply, assigning and closing through inbox.bulk
(each one undoable from the web app like a bulk action of one)."""

from datetime import datetime
from typing import Annotated, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as Answer
from pydantic import Field

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import Id, PathId, Text20000
from liant.core import audit
from liant.inbox import bulk, replies
from liant.inbox.forms import inbox_people
from liant.inbox.models import Conversation, Message, Status

router = Router(tags=["inbox"])


class ConversationOut(Schema):
    id: int
    channel: int
    subject: str
    contact: str
    contact_handle: str
    status: str
    priority: int
    assignee: int | None
    department: int | None
    language: str
    sentiment: str
    awaiting_reply: bool
    message_count: int
    last_activity_at: datetime
    created_at: datetime
    closed_at: datetime | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next: str | None


class MessageOut(Schema):
    id: int
    conversation: int
    direction: str
    author_name: str
    text: str
    language: str
    sentiment: str
    occurred_at: datetime
    state: str
    sent_by: int | None
    remote_url: str


class MessagePage(Schema):
    items: list[MessageOut]
    next: str | None


class ReplyIn(Schema):
    text: Annotated[Text20000, Field(min_length=1)]


class AssignIn(Schema):
    assignee: Id | None


def conversation_out(c: Conversation) -> dict:
    return {
        "id": c.pk,
        "channel": c.channel_id,
        "subject": c.subject,
        "contact": c.contact,
        "contact_handle": c.contact_handle,
        "status": c.status,
        "priority": c.priority,
        "assignee": c.assignee_id,
        "department": c.department_id,
        "language": c.language,
        "sentiment": c.sentiment,
        "awaiting_reply": c.awaiting_reply,
        "message_count": c.message_count,
        "last_activity_at": c.last_activity_at,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
    }


def message_out(m: Message) -> dict:
    return {
        "id": m.pk,
        "conversation": m.conversation_id,
        "direction": m.direction,
        "author_name": m.author_name,
        "text": m.text,
        "language": m.language,
        "sentiment": m.sentiment,
        "occurred_at": m.occurred_at,
        "state": m.state,
        "sent_by": m.sent_by_id,
        "remote_url": m.remote_url,
    }


def conversation_of(caller: Caller, pk: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("workspace"), pk=pk, workspace=caller.workspace
    )


StatusFilter = Annotated[
    Status | Literal["all", "active"],
    Query(description="open, pending, snoozed, closed, all; by default the active ones."),
]
AssigneeFilter = Annotated[
    str | None,
    Query(pattern=r"^(me|none|[1-9][0-9]{0,17})$", description="me, none or a user id."),
]


@router.get("/conversations", response=ConversationPage, summary="List conversations")
def list_conversations(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: StatusFilter = "active",
    channel: Id | None = None,
    assignee: AssigneeFilter = None,
) -> dict:
    caller = require(request, "inbox.view")
    rows = Conversation.objects.filter(workspace=caller.workspace)
    if status == "active":  # as the web queue: open and pending
        rows = rows.filter(status__in=[Status.OPEN, Status.PENDING])
    elif status != "all":
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel_id=channel)
    if assignee == "me":
        rows = rows.filter(assignee=caller.user)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee:
        rows = rows.filter(assignee_id=int(assignee))
    found, next_url = page(
        request, rows, name="conversations", limit=limit, cursor=cursor, key="last_activity_at"
    )
    return {"items": [conversation_out(c) for c in found], "next": next_url}


@router.get("/conversations/{id}", response=ConversationOut, summary="Read a conversation")
def get_conversation(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "inbox.view")
    return conversation_out(conversation_of(caller, id))


@router.get(
    "/conversations/{id}/messages",
    response=MessagePage,
    summary="List a conversation's messages, oldest first",
)
def list_messages(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    caller = require(request, "inbox.view")
    conversation = conversation_of(caller, id)
    rows = Message.objects.filter(conversation=conversation, workspace=caller.workspace)
    found, next_url = page(
        request,
        rows,
        name=f"messages.{conversation.pk}",
        limit=limit,
        cursor=cursor,
        key="occurred_at",
        descending=False,
    )
    return {"items": [message_out(m) for m in found], "next": next_url}


@router.post(
    "/conversations/{id}/reply",
    response={201: MessageOut},
    summary="Reply; the message is queued and sent by a worker",
)
def reply(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: ReplyIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | Answer[dict]:
    caller = require(request, "inbox.reply")
    conversation = conversation_of(caller, id)
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    with transaction.atomic():
        message = replies.queue_reply(conversation, payload.text, user=caller.user)
        audit.record(
            request,
            "inbox.reply_queued",
            workspace=caller.workspace,
            target=conversation,
            actor=caller.user,
            message=message.pk,
        )
    return Answer(201, message_out(message))


@router.post("/conversations/{id}/assign", response=ConversationOut, summary="Assign")
def assign(request: HttpRequest, id: PathId, payload: AssignIn) -> dict:  # noqa: A002
    caller = require(request, "inbox.reply")
    conversation = conversation_of(caller, id)
    person = None
    if payload.assignee is not None:
        person = inbox_people(caller.workspace).filter(pk=payload.assignee).first()
        if person is None:
            raise Problem(
                422,
                _("Some fields are not valid."),
                slug="validation",
                errors=[
                    {
                        "field": "assignee",
                        "in": "body",
                        "message": _("Nobody of this workspace who reads the inbox has this id."),
                    }
                ],
            )
    bulk.apply(caller.workspace, caller.user, "assign", [conversation.pk], assignee=person)
    audit.record(
        request,
        "inbox.conversation_updated",
        workspace=caller.workspace,
        target=conversation,
        actor=caller.user,
        after={"assignee": payload.assignee},
    )
    return conversation_out(conversation_of(caller, id))


@router.post("/conversations/{id}/close", response=ConversationOut, summary="Close")
def close(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "inbox.reply")
    conversation = conversation_of(caller, id)
    bulk.apply(caller.workspace, caller.user, "close", [conversation.pk])
    audit.record(
        request,
        "inbox.conversation_updated",
        workspace=caller.workspace,
        target=conversation,
        actor=caller.user,
        after={"status": Status.CLOSED},
    )
    return conversation_out(conversation_of(caller, id))
