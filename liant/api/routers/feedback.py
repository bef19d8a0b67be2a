"""Feedback: verbatims (list, read, keep one from an inbox message or a mention) and the idea
box (list, read, change an idea's status).

Verbatims are kept through `liant.feedback.verbatims.keep` and statuses changed through
`liant.feedback.ideas.change_status`, which queues the notices to the idea's proposers and
voters on their channels: that reaches networks, so it takes an Idempotency-Key. Feedback has
a single permission, feedback.manage, which reads too (as on the web pages)."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import Id, PathId, Text200, Text20000
from liant.core import audit
from liant.feedback import ideas, sources, verbatims
from liant.feedback.models import Idea, IdeaStatus, Sentiment, Verbatim
from liant.inbox.models import Message
from liant.listening.models import Mention

router = Router(tags=["feedback"])
PERMISSION = "feedback.manage"


class VerbatimOut(Schema):
    id: int
    text: str
    author_name: str
    channel_name: str
    network: str
    url: str
    said_at: datetime
    sentiment: str
    language: str
    message: int | None
    mention: int | None
    member: int | None
    themes: list[str]
    kept_at: datetime


class VerbatimPage(Schema):
    items: list[VerbatimOut]
    next: str | None


class VerbatimIn(Schema):
    """Exactly one of the two: the inbox message or the mention the words come from."""

    message: Id | None = None
    mention: Id | None = None


class IdeaOut(Schema):
    id: int
    title: str
    text: str
    status: str
    public_reason: str
    status_changed_at: datetime | None
    department: int | None
    votes: int
    source_url: str
    created_at: datetime


class IdeaPage(Schema):
    items: list[IdeaOut]
    next: str | None


class StatusIn(Schema):
    status: IdeaStatus
    public_reason: Text20000 = ""


class StatusOut(Schema):
    idea: IdeaOut
    notices_queued: int


def verbatim_out(v: Verbatim) -> dict:
    return {
        "id": v.pk,
        "text": v.text,
        "author_name": v.author_name,
        "channel_name": v.channel_name,
        "network": v.network,
        "url": v.url,
        "said_at": v.said_at,
        "sentiment": v.sentiment,
        "language": v.language,
        "message": v.message_id,
        "mention": v.mention_id,
        "member": v.member_id,
        "themes": sorted(t.name for t in v.themes.all()),
        "kept_at": v.kept_at,
    }


def idea_out(idea: Idea) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "text": idea.text,
        "status": idea.status,
        "public_reason": idea.public_reason,
        "status_changed_at": idea.status_changed_at,
        "department": idea.department_id,
        "votes": getattr(idea, "vote_count", 0),
        "source_url": idea.source_url,
        "created_at": idea.created_at,
    }


def verbatims_of(caller: Caller) -> QuerySet[Verbatim]:
    return Verbatim.objects.filter(workspace=caller.workspace).prefetch_related("themes")


@router.get("/verbatims", response=VerbatimPage, summary="List verbatims, newest said first")
def list_verbatims(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    sentiment: Sentiment | None = None,
    theme: Id | None = None,
    q: Text200 | None = None,
) -> dict:
    caller = require(request, PERMISSION)
    rows = verbatims_of(caller)
    if sentiment:
        rows = rows.filter(sentiment=sentiment)
    if theme:
        rows = rows.filter(themes__id=theme)
    if q:
        rows = rows.filter(Q(text__icontains=q) | Q(author_name__icontains=q))
    found, next_url = page(
        request, rows, name="verbatims", limit=limit, cursor=cursor, key="said_at"
    )
    return {"items": [verbatim_out(v) for v in found], "next": next_url}


@router.get("/verbatims/{id}", response=VerbatimOut, summary="Read a verbatim")
def get_verbatim(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return verbatim_out(get_object_or_404(verbatims_of(caller), pk=id))


@router.post(
    "/verbatims",
    response={200: VerbatimOut, 201: VerbatimOut},
    summary="Keep a message's or a mention's words as a verbatim (200 if already kept)",
)
def keep_verbatim(request: HttpRequest, payload: VerbatimIn) -> Answer[dict]:
    caller = require(request, PERMISSION)
    if (payload.message is None) == (payload.mention is None):
        message = _("Give either a message or a mention.")
        raise Problem(
            422,
            message,
            slug="validation",
            errors=[{"field": "message", "in": "body", "message": message}],
        )
    if payload.message is not None:
        said = sources.from_message(
            get_object_or_404(
                Message.objects.select_related("conversation__channel", "event__channel"),
                workspace=caller.workspace,
                pk=payload.message,
            )
        )
    else:
        said = sources.from_mention(
            get_object_or_404(
                Mention.objects.select_related("channel", "event__channel"),
                workspace=caller.workspace,
                pk=payload.mention,
            )
        )
    verbatim, created = verbatims.keep(caller.workspace.pk, said, caller.user)
    return Answer(201 if created else 200, verbatim_out(verbatims_of(caller).get(pk=verbatim.pk)))


def ideas_of(caller: Caller) -> QuerySet[Idea]:
    return ideas.visible(caller.workspace.pk)


@router.get("/ideas", response=IdeaPage, summary="List the idea box (merged duplicates left out)")
def list_ideas(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: IdeaStatus | None = None,
) -> dict:
    caller = require(request, PERMISSION)
    rows = ideas_of(caller)
    if status:
        rows = rows.filter(status=status)
    found, next_url = page(request, rows, name="ideas", limit=limit, cursor=cursor)
    return {"items": [idea_out(i) for i in found], "next": next_url}


@router.get("/ideas/{id}", response=IdeaOut, summary="Read an idea")
def get_idea(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return idea_out(get_object_or_404(ideas_of(caller), pk=id))


@router.post(
    "/ideas/{id}/status",
    response=StatusOut,
    summary="Change an idea's status; its proposers and voters are told on their channels",
)
def change_idea_status(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: StatusIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | dict:
    caller = require(request, PERMISSION)
    idea = get_object_or_404(ideas_of(caller), pk=id)
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    before = idea.status
    queued = ideas.change_status(idea, payload.status, payload.public_reason)
    audit.record(
        request,
        "feedback.idea_status",
        workspace=caller.workspace,
        target=idea,
        actor=caller.user,
        before=before,
        after=idea.status,
    )
    return {"idea": idea_out(get_object_or_404(ideas_of(caller), pk=id)), "notices_queued": queued}
