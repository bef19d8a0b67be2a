"""Members: list, read, and change their tags and custom fields."""

from datetime import datetime
from typing import Annotated

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from liant.api.auth import Caller, require
from liant.api.pagination import Cursor, Limit, page
from liant.api.types import PathId, Text60, Text500
from liant.core import audit
from liant.members import segments
from liant.members.models import Level, Member, Tag

router = Router(tags=["members"])


class IdentityOut(Schema):
    network: str
    handle: str
    name: str
    url: str


class MemberOut(Schema):
    id: int
    name: str
    email: str
    language: str
    country: str
    kind: str
    level: str
    score: float
    tags: list[str]
    custom_fields: dict[str, str]
    first_seen_at: datetime | None
    last_active_at: datetime | None
    identities: list[IdentityOut]


class MemberPage(Schema):
    items: list[MemberOut]
    next: str | None


class MemberPatch(Schema):
    tags: Annotated[list[Text60], Field(max_length=100)] | None = None
    custom_fields: Annotated[dict[Text60, Text500], Field(max_length=100)] | None = None


def member_out(m: Member) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "email": m.email,
        "language": m.language,
        "country": m.country,
        "kind": m.kind,
        "level": m.level,
        "score": m.score,
        "tags": sorted(t.name for t in m.tags.all()),
        "custom_fields": {str(k): str(v) for k, v in (m.custom_fields or {}).items()},
        "first_seen_at": m.first_seen_at,
        "last_active_at": m.last_active_at,
        "identities": [
            {"network": i.network, "handle": i.handle, "name": i.name, "url": i.url}
            for i in m.identities.all()
        ],
    }


def people(caller: Caller) -> QuerySet[Member]:
    # Merged and erased members are hidden everywhere, as in the web app.
    return segments.people(caller.workspace.pk).prefetch_related("tags", "identities")


@router.get("/members", response=MemberPage, summary="List members")
def list_members(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    level: Level | None = None,
    tag: Text60 | None = None,
) -> dict:
    caller = require(request, "members.view")
    rows = people(caller)
    if level:
        rows = rows.filter(level=level)
    if tag:
        rows = rows.filter(tags__name=tag)
    found, next_url = page(request, rows, name="members", limit=limit, cursor=cursor)
    return {"items": [member_out(m) for m in found], "next": next_url}


@router.get("/members/{id}", response=MemberOut, summary="Read a member")
def get_member(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "members.view")
    return member_out(get_object_or_404(people(caller), pk=id))


@router.patch(
    "/members/{id}",
    response=MemberOut,
    summary="Change a member's tags or custom fields (each replaces the whole set)",
)
def update_member(request: HttpRequest, id: PathId, payload: MemberPatch) -> dict:  # noqa: A002
    caller = require(request, "members.manage")
    member = get_object_or_404(people(caller), pk=id)
    with transaction.atomic():
        if payload.custom_fields is not None:
            member.custom_fields = {
                k.strip()[:60]: v.strip()[:500]
                for k, v in payload.custom_fields.items()
                if k.strip()
            }
            member.save(update_fields=["custom_fields"])
        if payload.tags is not None:
            names = {n.strip()[:60] for n in payload.tags}
            tags = [
                Tag.objects.get_or_create(workspace=caller.workspace, name=n)[0]
                for n in sorted(names)
                if n
            ]
            member.tags.set(tags)
        audit.record(
            request,
            "members.member_edited",
            workspace=caller.workspace,
            target=member,
            actor=caller.user,
        )
    return member_out(get_object_or_404(people(caller), pk=id))
