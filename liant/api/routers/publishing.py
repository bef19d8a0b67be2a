"""Posts and their variants: list, read, write a draft, schedule, approve.

The moves go through liant.publishing's state table and editorial functions, the ones the
web pages use, with the permission each page asks for."""

from datetime import datetime, timedelta
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer
from pydantic import Field

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import (
    Id,
    Moment,
    PathId,
    Text60,
    Text100,
    Text200,
    Text500,
    Text1000,
    Text20000,
)
from liant.channels.models import Channel, Health
from liant.core import audit
from liant.publishing import editorial
from liant.publishing.models import Post, Variant, move
from liant.publishing.states import State, allowed
from liant.publishing.validation import can_publish

router = Router(tags=["publishing"])

PAST_TOLERANCE = timedelta(minutes=5)  # as the composer: a few minutes late still counts


class VariantOut(Schema):
    id: int
    channel: int
    state: str
    text: str
    link: str
    content_warning: str
    thread: list[str]
    scheduled_at: datetime | None
    published_at: datetime | None
    remote_url: str
    last_error: str


class PostOut(Schema):
    id: int
    title: str
    pillar: str
    campaign: str
    tags: list[str]
    state: str
    owner: int | None
    created_at: datetime
    updated_at: datetime
    variants: list[VariantOut]


class PostPage(Schema):
    items: list[PostOut]
    next: str | None


class VariantIn(Schema):
    channel: Id
    text: Text20000 = ""
    link: Text1000 = ""
    content_warning: Text500 = ""
    thread: Annotated[list[Text20000], Field(max_length=50)] = []


class PostIn(Schema):
    title: Text200 = ""
    pillar: Text100 = ""
    campaign: Text100 = ""
    tags: Annotated[list[Text60], Field(max_length=50)] = []
    variants: Annotated[list[VariantIn], Field(min_length=1, max_length=50)]


class ScheduleIn(Schema):
    at: Moment


def variant_out(variant: Variant) -> dict:
    return {
        "id": variant.pk,
        "channel": variant.channel_id,
        "state": variant.state,
        "text": variant.text,
        "link": variant.link,
        "content_warning": variant.content_warning,
        "thread": list(variant.thread or []),
        "scheduled_at": variant.scheduled_at,
        "published_at": variant.published_at,
        "remote_url": variant.remote_url,
        "last_error": variant.last_error_display,
    }


def post_out(post: Post) -> dict:
    return {
        "id": post.pk,
        "title": post.title,
        "pillar": post.pillar,
        "campaign": post.campaign,
        "tags": [str(t) for t in (post.tags or [])],
        "state": post.state,
        "owner": post.owner_id,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "variants": [variant_out(v) for v in post.variants.all()],
    }


def posts_of(caller: Caller) -> QuerySet[Post]:
    return Post.objects.filter(workspace=caller.workspace).prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("channel__name", "id"))
    )


def post_of(caller: Caller, pk: int) -> Post:
    return get_object_or_404(posts_of(caller), pk=pk)


@router.get("/posts", response=PostPage, summary="List posts")
def list_posts(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: State | None = None,
    channel: Id | None = None,
    campaign: Text100 | None = None,
) -> dict:
    caller = require(request, "posts.view")
    rows = posts_of(caller)
    if state:
        rows = rows.filter(state=state)
    if channel:
        rows = rows.filter(variants__channel_id=channel).distinct()
    if campaign:
        rows = rows.filter(campaign=campaign)
    found, next_url = page(
        request, rows, name="posts", limit=limit, cursor=cursor, key="created_at"
    )
    return {"items": [post_out(p) for p in found], "next": next_url}


@router.get("/posts/{id}", response=PostOut, summary="Read a post and its variants")
def get_post(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "posts.view")
    return post_out(post_of(caller, id))


def invalid(errors: list[dict]) -> Problem:
    return Problem(422, _("Some fields are not valid."), slug="validation", errors=errors)


@router.post("/posts", response={201: PostOut}, summary="Write a draft post with its variants")
def create_post(request: HttpRequest, payload: PostIn) -> Answer[dict]:
    caller = require(request, "posts.write")
    channels = {
        c.pk: c
        for c in Channel.objects.filter(
            workspace=caller.workspace, pk__in=[v.channel for v in payload.variants]
        )
    }
    errors = []
    seen: set[int] = set()
    for n, variant in enumerate(payload.variants):
        channel = channels.get(variant.channel)
        # Another workspace's channel reads as unknown, like a missing one.
        if channel is None or not can_publish(channel) or channel.health == Health.DISCONNECTED:
            message = _("No channel of this workspace can publish with this id.")
            errors.append({"field": f"variants.{n}.channel", "in": "body", "message": message})
        elif variant.channel in seen:
            message = _("One variant per channel.")
            errors.append({"field": f"variants.{n}.channel", "in": "body", "message": message})
        seen.add(variant.channel)
        if variant.link:
            try:
                URLValidator(schemes=["http", "https"])(variant.link)
            except DjangoValidationError:
                message = _("Enter a valid web address.")
                errors.append({"field": f"variants.{n}.link", "in": "body", "message": message})
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        post = Post.objects.create(
            workspace=caller.workspace,
            owner=caller.user,
            title=payload.title,
            pillar=payload.pillar,
            campaign=payload.campaign,
            tags=list(dict.fromkeys(t.strip() for t in payload.tags if t.strip())),
        )
        for variant in payload.variants:
            Variant.objects.create(
                post=post,
                channel=channels[variant.channel],
                text=variant.text,
                link=variant.link,
                content_warning=variant.content_warning,
                thread=[part for part in variant.thread if part.strip()],
            )
        audit.record(
            request, "post.created", workspace=caller.workspace, target=post, actor=caller.user
        )
    return Answer(201, post_out(post_of(caller, post.pk)))


@router.post(
    "/posts/{id}/schedule",
    response=PostOut,
    summary="Schedule a post on every channel it has a draft for",
)
def schedule_post(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: ScheduleIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | dict:
    caller = require(request, "posts.publish")
    post = post_of(caller, id)
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    if not allowed(post.state, State.SCHEDULED):
        raise Problem(
            409,
            _("Only a draft or an approved post can be scheduled."),
            slug="state-conflict",
            state=post.state,
        )
    if payload.at < timezone.now() - PAST_TOLERANCE:
        raise invalid([{"field": "at", "in": "body", "message": _("This time has passed.")}])
    problems = editorial.schedule_post(post, payload.at, caller.user)
    if problems:
        raise Problem(
            422,
            _("The post cannot be scheduled as it is."),
            slug="not-schedulable",
            problems=problems,
        )
    audit.record(
        request, "post.scheduled", workspace=caller.workspace, target=post, actor=caller.user
    )
    return post_out(post_of(caller, post.pk))


@router.post("/posts/{id}/approve", response=PostOut, summary="Approve a post")
def approve_post(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "posts.approve")
    post = post_of(caller, id)
    done = allowed(post.state, State.APPROVED) and move(post, State.APPROVED, actor=caller.user)
    if not done:
        raise Problem(
            409,
            _("This cannot be done from its current state."),
            slug="state-conflict",
            state=post.state,
        )
    audit.record(
        request, "post.approved", workspace=caller.workspace, target=post, actor=caller.user
    )
    return post_out(post_of(caller, post.pk))
