"""Listening: the mentions found, and the queries that find them."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query as NinjaQuery
from ninja import Router, Schema

from liant.api.auth import require
from liant.api.pagination import Cursor, Limit, page
from liant.api.types import Id, Moment, Text100
from liant.listening.models import Mention, Query, QueryKind, Sentiment

router = Router(tags=["listening"])


class MentionOut(Schema):
    id: int
    source: str
    channel: int | None
    url: str
    author_handle: str
    author_name: str
    author_followers: int | None
    text: str
    language: str
    sentiment: str
    sentiment_score: float
    occurred_at: datetime
    duplicate_of: int | None
    irrelevant: bool
    queries: list[int]


class MentionPage(Schema):
    items: list[MentionOut]
    next: str | None


class QueryOut(Schema):
    id: int
    name: str
    kind: str
    text: str
    active: bool
    created_at: datetime


class QueryPage(Schema):
    items: list[QueryOut]
    next: str | None


def mention_out(m: Mention) -> dict:
    return {
        "id": m.pk,
        "source": m.source,
        "channel": m.channel_id,
        "url": m.url,
        "author_handle": m.author_handle,
        "author_name": m.author_name,
        "author_followers": m.author_followers,
        "text": m.text,
        "language": m.language,
        "sentiment": m.sentiment,
        "sentiment_score": m.sentiment_score,
        "occurred_at": m.occurred_at,
        "duplicate_of": m.duplicate_of_id,
        "irrelevant": m.irrelevant,
        "queries": sorted(match.query_id for match in m.matches.all()),
    }


@router.get("/mentions", response=MentionPage, summary="List mentions, newest first")
def list_mentions(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    query: Id | None = None,
    sentiment: Sentiment | None = None,
    source: Text100 | None = None,
    language: Annotated[str | None, NinjaQuery(pattern=r"^[a-z]{2,3}$")] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    irrelevant: bool | None = None,
) -> dict:
    caller = require(request, "listening.view")
    rows = Mention.objects.filter(workspace=caller.workspace).prefetch_related("matches")
    if query:
        rows = rows.filter(matches__query_id=query)
    if sentiment:
        rows = rows.filter(sentiment=sentiment)
    if source:
        rows = rows.filter(source=source)
    if language:
        rows = rows.filter(language=language)
    if since:
        rows = rows.filter(occurred_at__gte=since)
    if until:
        rows = rows.filter(occurred_at__lt=until)
    if irrelevant is not None:
        rows = rows.filter(irrelevant=irrelevant)
    found, next_url = page(
        request, rows, name="mentions", limit=limit, cursor=cursor, key="occurred_at"
    )
    return {"items": [mention_out(m) for m in found], "next": next_url}


@router.get("/queries", response=QueryPage, summary="List listening queries")
def list_queries(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: QueryKind | None = None,
    active: bool | None = None,
) -> dict:
    caller = require(request, "listening.view")
    rows = Query.objects.filter(workspace=caller.workspace)
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(active=active)
    found, next_url = page(
        request, rows, name="queries", limit=limit, cursor=cursor, descending=False
    )
    return {
        "items": [
            {
                "id": q.pk,
                "name": q.name,
                "kind": q.kind,
                "text": q.text,
                "active": q.active,
                "created_at": q.created_at,
            }
            for q in found
        ],
        "next": next_url,
    }
