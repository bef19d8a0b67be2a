"""Members: list, read, change their tags and custom fields; merge two and undo a merge;
export a member's personal data (the GDPR JSON) and erase it.

Merges go through liant.members.merging, export and erasure through liant.members.gdpr, as
the web pages do, with the same permissions (data.export, data.erase)."""

from datetime import datetime
from typing import Annotated, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer
from pydantic import Field

from liant.api.auth import Caller, require
from liant.api.pagination import Cursor, Limit, page
from liant.api.problems import Problem
from liant.api.types import Id, PathId, Text60, Text300, Text500
from liant.core import audit
from liant.members import gdpr, merging, segments
from liant.members.data_views import EraseForm
from liant.members.models import Level, Member, Merge, Tag

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


class MergeIn(Schema):
    kept: Id
    absorbed: Id


class MergeOut(Schema):
    id: int
    kept: int
    absorbed: int
    by: int | None
    at: datetime
    undone_at: datetime | None


class MergePage(Schema):
    items: list[MergeOut]
    next: str | None


class EraseIn(Schema):
    confirmation: Text300


class ErasureOut(Schema):
    id: int
    erased_at: datetime | None
    done: dict[str, int]


def merge_out(record: Merge) -> dict:
    return {
        "id": record.pk,
        "kept": record.kept_id,
        "absorbed": record.absorbed_id,
        "by": record.by_id,
        "at": record.at,
        "undone_at": record.undone_at,
    }


def member_of(caller: Caller, pk: int) -> Member:
    """Any member of the workspace, merged ones included (for data requests)."""
    return get_object_or_404(Member, workspace=caller.workspace, pk=pk)


def conflict(detail: str) -> Problem:
    return Problem(409, detail, slug="state-conflict")


@router.get("/merges", response=MergePage, summary="List merges, newest first")
def list_merges(request: HttpRequest, limit: Limit = 50, cursor: Cursor = None) -> dict:
    caller = require(request, "members.view")
    rows = Merge.objects.filter(workspace=caller.workspace)
    found, next_url = page(request, rows, name="merges", limit=limit, cursor=cursor)
    return {"items": [merge_out(m) for m in found], "next": next_url}


@router.post(
    "/merges",
    response={201: MergeOut},
    summary="Merge one member (absorbed) into another (kept)",
)
def merge_members(request: HttpRequest, payload: MergeIn) -> Answer[dict]:
    caller = require(request, "members.manage")
    kept = get_object_or_404(people(caller), pk=payload.kept)
    absorbed = get_object_or_404(people(caller), pk=payload.absorbed)
    try:
        record = merging.merge(kept, absorbed, by=caller.user)
    except merging.MergeRefused:
        raise conflict(_("These two cannot be merged (one is already merged).")) from None
    audit.record(
        request,
        "members.merged",
        workspace=caller.workspace,
        target=kept,
        actor=caller.user,
        absorbed=absorbed.pk,
        merge=record.pk,
    )
    return Answer(201, merge_out(record))


@router.post("/merges/{id}/undo", response=MergeOut, summary="Undo a merge")
def undo_merge(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "members.manage")
    record = get_object_or_404(Merge, workspace=caller.workspace, pk=id)
    try:
        merging.undo(record, by=caller.user)
    except merging.MergeRefused:
        raise conflict(_("This merge was already undone.")) from None
    audit.record(
        request,
        "members.merge_undone",
        workspace=caller.workspace,
        target=record.kept,
        actor=caller.user,
        merge=record.pk,
    )
    record.refresh_from_db()
    return merge_out(record)


@router.get(
    "/members/{id}/export",
    response={200: dict[str, Any]},
    summary="Export a member's personal data (JSON, the request is logged)",
)
def export_member(request: HttpRequest, id: PathId) -> JsonResponse:  # noqa: A002
    caller = require(request, "data.export")
    member = member_of(caller, id)
    if member.merged_into_id:
        # An absorbed member's data lives with the member it was merged into.
        member = member_of(caller, member.merged_into_id)
    sections = gdpr.export(member, request, by=caller.user)
    return JsonResponse(
        gdpr.as_json(member, sections),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


@router.post(
    "/members/{id}/erase",
    response=ErasureOut,
    summary="Erase a member's personal data (confirm with their name, or ERASE)",
)
def erase_member(request: HttpRequest, id: PathId, payload: EraseIn) -> dict:  # noqa: A002
    caller = require(request, "data.erase")
    member = member_of(caller, id)
    if member.merged_into_id:
        member = member_of(caller, member.merged_into_id)
    if member.erased_at:
        raise conflict(_("This member is already erased."))
    form = EraseForm({"confirmation": payload.confirmation}, member=member)
    if not form.is_valid():
        message = " ".join(str(e) for e in form.errors.get("confirmation", []))
        raise Problem(
            422,
            message,
            slug="validation",
            errors=[{"field": "confirmation", "in": "body", "message": message}],
        )
    done = gdpr.erase(member, request, by=caller.user)
    member.refresh_from_db()
    return {"id": member.pk, "erased_at": member.erased_at, "done": done}
