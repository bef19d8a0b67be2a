"""Animation, read-only: polls (with their results), contests (entries, the draw's proof and
winners) and events (with their RSVP counts).

Results are `polls.results`, as on the poll page (public votes plus the network's counts).
Animation has one permission, animation.manage, which reads too (as on the team pages).
Creating, freezing and drawing stay in the web app: the draw's proof must be made once."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from liant.animation import polls
from liant.animation.models import Contest, Meetup, Poll, Rsvp
from liant.api.auth import Caller, require
from liant.api.pagination import Cursor, Limit, page
from liant.api.types import PathId

router = Router(tags=["animation"])
PERMISSION = "animation.manage"


class ChoiceResult(Schema):
    id: int
    text: str
    votes: int
    percent: int


class PollOut(Schema):
    id: int
    question: str
    is_open: bool
    results_public: bool
    variant: int | None
    created_at: datetime
    total_votes: int
    choices: list[ChoiceResult]


class PollPage(Schema):
    items: list[PollOut]
    next: str | None


class WinnerOut(Schema):
    rank: int
    label: str
    member: int | None


class ContestOut(Schema):
    id: int
    title: str
    prize: str
    state: str
    winners_count: int
    ends_at: datetime | None
    draw_at: datetime | None
    entries: int
    eligible: int
    list_hash: str
    secret_hash: str
    seed: str
    frozen_at: datetime | None
    drawn_at: datetime | None
    winners: list[WinnerOut]
    created_at: datetime


class ContestPage(Schema):
    items: list[ContestOut]
    next: str | None


class RsvpCounts(Schema):
    going: int
    waiting: int
    cancelled: int
    checked_in: int


class EventOut(Schema):
    id: int
    title: str
    kind: str
    description: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    link: str
    capacity: int | None
    rsvps: RsvpCounts
    created_at: datetime


class EventPage(Schema):
    items: list[EventOut]
    next: str | None


def poll_out(poll: Poll) -> dict:
    rows, total = polls.results(poll)
    return {
        "id": poll.pk,
        "question": poll.question,
        "is_open": poll.is_open,
        "results_public": poll.results_public,
        "variant": poll.variant_id,
        "created_at": poll.created_at,
        "total_votes": total,
        "choices": [{"id": c.pk, "text": c.text, "votes": n, "percent": p} for c, n, p in rows],
    }


def contest_out(contest: Contest) -> dict:
    return {
        "id": contest.pk,
        "title": contest.title,
        "prize": contest.prize,
        "state": contest.state,
        "winners_count": contest.winners_count,
        "ends_at": contest.ends_at,
        "draw_at": contest.draw_at,
        "entries": contest.entries.count(),
        "eligible": contest.entries.filter(eligible=True).count(),
        "list_hash": contest.list_hash,
        "secret_hash": contest.secret_hash,
        "seed": contest.seed,
        "frozen_at": contest.frozen_at,
        "drawn_at": contest.drawn_at,
        "winners": [
            {
                "rank": w.rank,
                "label": w.label,
                "member": w.entry.member_id if w.entry else None,
            }
            for w in contest.winners.select_related("entry").order_by("rank")
        ],
        "created_at": contest.created_at,
    }


def event_out(meetup: Meetup) -> dict:
    counts = meetup.rsvps.aggregate(
        going=Count("pk", filter=Q(status=Rsvp.Status.GOING)),
        waiting=Count("pk", filter=Q(status=Rsvp.Status.WAITING)),
        cancelled=Count("pk", filter=Q(status=Rsvp.Status.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return {
        "id": meetup.pk,
        "title": meetup.title,
        "kind": meetup.kind,
        "description": meetup.description,
        "starts_at": meetup.starts_at,
        "ends_at": meetup.ends_at,
        "place": meetup.place,
        "link": meetup.link,
        "capacity": meetup.capacity,
        "rsvps": counts,
        "created_at": meetup.created_at,
    }


def polls_of(caller: Caller) -> QuerySet[Poll]:
    return Poll.objects.filter(workspace=caller.workspace).select_related("variant")


def contests_of(caller: Caller) -> QuerySet[Contest]:
    return Contest.objects.filter(workspace=caller.workspace)


def events_of(caller: Caller) -> QuerySet[Meetup]:
    return Meetup.objects.filter(workspace=caller.workspace)


@router.get("/polls", response=PollPage, summary="List polls with their results")
def list_polls(
    request: HttpRequest, limit: Limit = 50, cursor: Cursor = None, is_open: bool | None = None
) -> dict:
    caller = require(request, PERMISSION)
    rows = polls_of(caller)
    if is_open is not None:
        rows = rows.filter(is_open=is_open)
    found, next_url = page(request, rows, name="polls", limit=limit, cursor=cursor)
    return {"items": [poll_out(p) for p in found], "next": next_url}


@router.get("/polls/{id}", response=PollOut, summary="Read a poll and its results")
def get_poll(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return poll_out(get_object_or_404(polls_of(caller), pk=id))


@router.get("/contests", response=ContestPage, summary="List contests")
def list_contests(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: Contest.State | None = None,
) -> dict:
    caller = require(request, PERMISSION)
    rows = contests_of(caller)
    if state:
        rows = rows.filter(state=state)
    found, next_url = page(request, rows, name="contests", limit=limit, cursor=cursor)
    return {"items": [contest_out(c) for c in found], "next": next_url}


@router.get("/contests/{id}", response=ContestOut, summary="Read a contest, its draw and winners")
def get_contest(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return contest_out(get_object_or_404(contests_of(caller), pk=id))


@router.get("/events", response=EventPage, summary="List events, latest start first")
def list_events(request: HttpRequest, limit: Limit = 50, cursor: Cursor = None) -> dict:
    caller = require(request, PERMISSION)
    found, next_url = page(
        request, events_of(caller), name="events", limit=limit, cursor=cursor, key="starts_at"
    )
    return {"items": [event_out(m) for m in found], "next": next_url}


@router.get("/events/{id}", response=EventOut, summary="Read an event and its RSVP counts")
def get_event(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, PERMISSION)
    return event_out(get_object_or_404(events_of(caller), pk=id))
