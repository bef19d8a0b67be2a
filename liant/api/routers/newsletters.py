"""Newsletters: lists, their subscribers (list, and add one through the double opt-in), and
campaigns (list, read, figures).

A subscriber is added only through `subscriptions.request_subscription`, the sign-up form's
double opt-in: the person gets a confirmation mail and is on the list once they confirm. The
API never subscribes anyone directly. The mail goes out, so the call takes an
Idempotency-Key. Figures are `stats.of`, as on the campaign page."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer
from pydantic import Field

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import Id, PathId, Storable, Text150
from liant.core import audit
from liant.newsletters import stats, subscriptions
from liant.newsletters.models import (
    Campaign,
    CampaignState,
    MailingList,
    Subscriber,
    SubscriberState,
)

router = Router(tags=["newsletters"])
PERMISSION = "newsletters.manage"


class ListOut(Schema):
    id: int
    name: str
    description: str
    segment: int | None
    consent_text: str
    subscribed: int
    created_at: datetime


class ListPage(Schema):
    items: list[ListOut]
    next: str | None


class SubscriberOut(Schema):
    id: int
    member: int
    email: str
    state: str
    source: str
    requested_at: datetime | None
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None


class SubscriberPage(Schema):
    items: list[SubscriberOut]
    next: str | None


class SubscriberIn(Schema):
    email: Annotated[str, Field(max_length=254), Storable]
    name: Text150 = ""
    language: Annotated[str, Field(max_length=8), Storable] = ""


class StatsOut(Schema):
    recipients: int
    queued: int
    sending: int
    sent: int
    failed: int
    unknown: int
    skipped: int
    bounced: int
    delivered: int
    unsubscribed: int
    opened: int | None  # None: the campaign did not track opens and clicks
    clicked: int | None


class CampaignOut(Schema):
    id: int
    mailing_list: int
    name: str
    state: str
    sender_name: str
    sender_address: str
    subject_fr: str
    subject_en: str
    track: bool
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime


class CampaignPage(Schema):
    items: list[CampaignOut]
    next: str | None


def list_out(m: MailingList) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "description": m.description,
        "segment": m.segment_id,
        "consent_text": m.consent_text,
        "subscribed": m.subscribers.filter(state=SubscriberState.SUBSCRIBED).count(),
        "created_at": m.created_at,
    }


def subscriber_out(s: Subscriber) -> dict:
    return {
        "id": s.pk,
        "member": s.member_id,
        "email": s.email,
        "state": s.state,
        "source": s.source,
        "requested_at": s.requested_at,
        "subscribed_at": s.subscribed_at,
        "unsubscribed_at": s.unsubscribed_at,
    }


def campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "mailing_list": c.mailing_list_id,
        "name": c.name,
        "state": c.state,
        "sender_name": c.sender_name,
        "sender_address": c.sender_address,
        "subject_fr": c.subject_fr,
        "subject_en": c.subject_en,
        "track": c.track,
        "scheduled_at": c.scheduled_at,
        "started_at": c.started_at,
        "finished_at": c.finished_at,
        "created_at": c.created_at,
    }


def lists_of(caller: Caller) -> QuerySet[MailingList]:
    return MailingList.objects.filter(workspace=caller.workspace)


def campaigns_of(caller: Caller) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=caller.workspace)


@router.get("/newsletters/lists", response=ListPage, summary="List mailing lists")
def list_lists(request: HttpRequest, limit: Limit = 50, cursor: Cursor = None) -> dict:
    caller = require(request, PERMISSION)
    found, next_url = page(
        request, lists_of(caller), name="mailing-lists", limit=limit, cursor=cursor
    )
    return {"items": [list_out(m) for m in found], "next": next_url}


@router.get("/newsletters/lists/{id}", response=ListOut, summary="Read a mailing list")
def get_list(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return list_out(get_object_or_404(lists_of(caller), pk=id))


@router.get(
    "/newsletters/lists/{id}/subscribers",
    response=SubscriberPage,
    summary="List a mailing list's subscribers",
)
def list_subscribers(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    limit: Limit = 50,
    cursor: Cursor = None,
    state: SubscriberState | None = None,
) -> dict:
    caller = require(request, PERMISSION)
    mailing_list = get_object_or_404(lists_of(caller), pk=id)
    rows = Subscriber.objects.filter(workspace=caller.workspace, mailing_list=mailing_list)
    if state:
        rows = rows.filter(state=state)
    found, next_url = page(request, rows, name="subscribers", limit=limit, cursor=cursor)
    return {"items": [subscriber_out(s) for s in found], "next": next_url}


@router.post(
    "/newsletters/lists/{id}/subscribers",
    response={202: SubscriberOut},
    summary="Ask someone to join a list: they get the confirmation mail (double opt-in)",
)
def add_subscriber(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: SubscriberIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | Answer[dict]:
    caller = require(request, PERMISSION)
    mailing_list = get_object_or_404(lists_of(caller), pk=id)
    try:
        validate_email(payload.email.strip())
    except DjangoValidationError:
        message = _("Enter a valid e-mail address.")
        raise Problem(
            422,
            message,
            slug="validation",
            errors=[{"field": "email", "in": "body", "message": message}],
        ) from None
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    language = (payload.language or get_language() or caller.workspace.language)[:2]
    # No IP: the request comes from the workspace's own tool, not from the public form.
    subscriber = subscriptions.request_subscription(
        mailing_list, payload.email.strip(), payload.name, language, None
    )
    audit.record(
        request,
        "newsletters.subscription_requested",
        workspace=caller.workspace,
        target=mailing_list,
        actor=caller.user,
    )
    return Answer(202, subscriber_out(subscriber))


@router.get("/newsletters/campaigns", response=CampaignPage, summary="List campaigns")
def list_campaigns(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: CampaignState | None = None,
    mailing_list: Id | None = None,
) -> dict:
    caller = require(request, PERMISSION)
    rows = campaigns_of(caller)
    if state:
        rows = rows.filter(state=state)
    if mailing_list:
        rows = rows.filter(mailing_list_id=mailing_list)
    found, next_url = page(
        request, rows, name="campaigns", limit=limit, cursor=cursor, key="created_at"
    )
    return {"items": [campaign_out(c) for c in found], "next": next_url}


@router.get("/newsletters/campaigns/{id}", response=CampaignOut, summary="Read a campaign")
def get_campaign(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return campaign_out(get_object_or_404(campaigns_of(caller), pk=id))


@router.get(
    "/newsletters/campaigns/{id}/stats",
    response=StatsOut,
    summary="A campaign's figures, counted from its sends",
)
def campaign_stats(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    campaign = get_object_or_404(campaigns_of(caller), pk=id)
    figures = stats.of(campaign)
    return {
        "recipients": figures.recipients,
        "queued": figures.queued,
        "sending": figures.sending,
        "sent": figures.sent,
        "failed": figures.failed,
        "unknown": figures.unknown,
        "skipped": figures.skipped,
        "bounced": figures.bounced,
        "delivered": figures.delivered,
        "unsubscribed": figures.unsubscribed,
        "opened": figures.opened if campaign.track else None,
        "clicked": figures.clicked if campaign.track else None,
    }
