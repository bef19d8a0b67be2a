"""Leads: list, read, and move along the pipeline (which may e-mail sales and call the
workspace's webhook, hence the idempotency key)."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from liant.api import idempotency
from liant.api.auth import Caller, require
from liant.api.idempotency import IdempotencyKey
from liant.api.pagination import Cursor, Limit, page
from liant.api.types import Id, PathId, Text150
from liant.core import audit
from liant.leads import pipeline
from liant.leads.models import Lead, Stage

router = Router(tags=["leads"])


class LeadOut(Schema):
    id: int
    name: str
    email: str
    company: str
    phone: str
    stage: str
    source: str
    campaign: str
    owner: int | None
    member: int | None
    value: Decimal | None
    currency: str
    created_at: datetime
    stage_changed_at: datetime


class LeadPage(Schema):
    items: list[LeadOut]
    next: str | None


class StageIn(Schema):
    stage: Stage


def lead_out(lead: Lead) -> dict:
    return {
        "id": lead.pk,
        "name": lead.name,
        "email": lead.email,
        "company": lead.company,
        "phone": lead.phone,
        "stage": lead.stage,
        "source": lead.source,
        "campaign": lead.campaign,
        "owner": lead.owner_id,
        "member": lead.member_id,
        "value": lead.value,
        "currency": lead.currency,
        "created_at": lead.created_at,
        "stage_changed_at": lead.stage_changed_at,
    }


def lead_of(caller: Caller, pk: int) -> Lead:
    return get_object_or_404(Lead, pk=pk, workspace=caller.workspace)


@router.get("/leads", response=LeadPage, summary="List leads, newest first")
def list_leads(
    request: HttpRequest,
    limit: Limit = 50,
    cursor: Cursor = None,
    stage: Stage | None = None,
    owner: Id | None = None,
    source: Text150 | None = None,
) -> dict:
    caller = require(request, "leads.view")
    rows = Lead.objects.filter(workspace=caller.workspace)
    if stage:
        rows = rows.filter(stage=stage)
    if owner:
        rows = rows.filter(owner_id=owner)
    if source:
        rows = rows.filter(source=source)
    found, next_url = page(
        request, rows, name="leads", limit=limit, cursor=cursor, key="created_at"
    )
    return {"items": [lead_out(lead) for lead in found], "next": next_url}


@router.get("/leads/{id}", response=LeadOut, summary="Read a lead")
def get_lead(request: HttpRequest, id: PathId) -> dict:  # noqa: A002
    caller = require(request, "leads.view")
    return lead_out(lead_of(caller, id))


@router.post("/leads/{id}/stage", response=LeadOut, summary="Move a lead to another stage")
def move_lead(
    request: HttpRequest,
    id: PathId,  # noqa: A002
    payload: StageIn,
    idempotency_key: IdempotencyKey,
) -> HttpResponse | dict:
    caller = require(request, "leads.manage")
    lead = lead_of(caller, id)
    replay = idempotency.begin(request, idempotency_key)
    if replay is not None:
        return replay
    change = pipeline.do_move(lead, payload.stage, caller.user)
    if change is not None:  # already there: nothing moved, nothing to record
        audit.record(
            request,
            "leads.moved",
            workspace=caller.workspace,
            target=lead,
            actor=caller.user,
            from_stage=change.from_stage,
            to_stage=payload.stage,
        )
    return lead_out(lead_of(caller, id))
