"""Leads pages: the board (a column per stage, moved with buttons), the filtered list and its
CSV export, a lead's page with its history, the capture forms with their snippet, settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.models import User
from liant.leads import pipeline
from liant.leads.forms import FIELD_LABELS, CaptureFormForm, LeadForm, NewLeadForm, SettingsForm
from liant.leads.models import Form, Lead, LeadSettings, Stage, WebhookDelivery
from liant.leads.snippet import snippet

BOARD_PER_COLUMN = 50
LIST_SHOWN = 200


def _leads(request: WorkspaceRequest) -> QuerySet[Lead]:
    return Lead.objects.filter(workspace=request.workspace).select_related("owner")


def _may_manage(request: WorkspaceRequest) -> bool:
    return request.membership.can("leads.manage")


@workspace_view("leads.view")
def board(request: WorkspaceRequest) -> HttpResponse:
    leads = _leads(request)
    columns = []
    for value, label in Stage.choices:
        in_stage = leads.filter(stage=value).order_by("-stage_changed_at", "-id")
        columns.append(
            {
                "stage": value,
                "label": label,
                "count": in_stage.count(),
                "leads": list(in_stage[:BOARD_PER_COLUMN]),
            }
        )
    return render(
        request,
        "leads/board.html",
        {"columns": columns, "stages": Stage.choices, "can_manage": _may_manage(request)},
    )


def filtered(request: WorkspaceRequest) -> tuple[QuerySet[Lead], dict[str, str]]:
    leads = _leads(request)
    chosen = {k: request.GET.get(k, "").strip() for k in ("stage", "owner", "source", "q")}
    if chosen["stage"] in Stage.values:
        leads = leads.filter(stage=chosen["stage"])
    if chosen["owner"] == "none":
        leads = leads.filter(owner__isnull=True)
    elif chosen["owner"].isdigit():
        leads = leads.filter(owner_id=int(chosen["owner"]))
    if chosen["source"]:
        leads = leads.filter(source=chosen["source"])
    if chosen["q"]:
        q = chosen["q"]
        leads = leads.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(company__icontains=q)
            | Q(campaign__icontains=q)
        )
    return leads, chosen


def _owners(request: WorkspaceRequest) -> QuerySet[User]:
    return User.objects.filter(memberships__workspace=request.workspace).order_by("email")


@workspace_view("leads.view")
def lead_list(request: WorkspaceRequest) -> HttpResponse:
    leads, chosen = filtered(request)
    sources = (
        Lead.objects.filter(workspace=request.workspace)
        .exclude(source="")
        .values_list("source", flat=True)
        .distinct()
        .order_by("source")
    )
    return render(
        request,
        "leads/list.html",
        {
            "leads": leads[:LIST_SHOWN],
            "total": leads.count(),
            "chosen": chosen,
            "stages": Stage.choices,
            "owners": _owners(request),
            "sources": list(sources),
            "query": request.GET.urlencode(),
        },
    )


@workspace_view("leads.view")
def export_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """The filtered list. The headers stay the stable field names a CRM import maps."""
    leads, _chosen = filtered(request)
    header = (
            "id", "created_at", "stage", "name", "email", "company", "phone", "source",
            "campaign", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
            "owner", "value", "currency", "notes",
    )  # fmt: skip
    rows = (
        (
            lead.pk,
            lead.created_at,
            lead.stage,
            lead.name,
            lead.email,
            lead.company,
            lead.phone,
            lead.source,
            lead.campaign,
            lead.utm_source,
            lead.utm_medium,
            lead.utm_campaign,
            lead.utm_term,
            lead.utm_content,
            lead.owner.email if lead.owner else "",
            lead.value,
            lead.currency,
            lead.notes,
        )  # fmt: skip
        for lead in leads.select_related("owner").iterator()
    )
    return csvexport.response(request.workspace, "leads", header, rows)


@workspace_view("leads.view")
def lead_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(_leads(request).select_related("member", "submission__form"), pk=pk)
    can_manage = _may_manage(request)
    form = LeadForm(instance=lead, workspace=request.workspace)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = LeadForm(request.POST, instance=lead, workspace=request.workspace)
        if form.is_valid():
            form.save()
            messages.success(request, _("Lead saved."))
            return redirect("leads_detail", ws=request.workspace.slug, pk=lead.pk)
    return render(
        request,
        "leads/detail.html",
        {
            "lead": lead,
            "form": form,
            "can_manage": can_manage,
            "changes": lead.changes.select_related("by"),
            "sent": _sent(lead),
            "stages": Stage.choices,
        },
    )


@workspace_view("leads.manage")
def lead_new(request: WorkspaceRequest) -> HttpResponse:
    form = NewLeadForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        lead = form.save(commit=False)
        lead.workspace = request.workspace
        lead.source = form.source()
        lead.currency = LeadSettings.of(request.workspace.pk).currency or "EUR"
        lead.save()
        audit.record(request, "leads.created", target=lead)
        messages.success(request, _("Lead saved."))
        return redirect("leads_detail", ws=request.workspace.slug, pk=lead.pk)
    return render(request, "leads/new.html", {"form": form})


def _sent(lead: Lead) -> list[tuple[str, str]]:
    """What the person typed, each value under the label the form showed them."""
    if lead.submission is None:
        return []
    form = lead.submission.form
    labels: dict[str, str] = {k: str(v) for k, v in FIELD_LABELS.items()}
    for n, label in enumerate(form.custom_labels, start=1):
        labels[f"custom_{n}"] = label
    return [(labels.get(k, k), v) for k, v in lead.submission.data.items()]


@workspace_view("leads.manage")
@require_POST
def move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(_leads(request), pk=pk)
    stage = request.POST.get("stage", "")
    if stage not in Stage.values:
        messages.error(request, _("Unknown stage."))
    elif (change := pipeline.do_move(lead, stage, request.user)) is not None:
        audit.record(
            request, "leads.moved", target=lead, from_stage=change.from_stage, to_stage=stage
        )
        messages.success(
            request,
            _("%(lead)s moved to %(stage)s.") % {"lead": lead, "stage": Stage(stage).label},
        )
    back = request.POST.get("next", "")
    if back.startswith(f"/w/{request.workspace.slug}/leads/"):  # never off this workspace
        return redirect(back)
    return redirect("leads", ws=request.workspace.slug)


@workspace_view("leads.view")
def form_list(request: WorkspaceRequest) -> HttpResponse:
    forms = Form.objects.filter(workspace=request.workspace)
    return render(request, "leads/forms.html", {"forms": forms, "can_manage": _may_manage(request)})


@workspace_view("leads.manage")
def form_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = (
        get_object_or_404(Form, workspace=request.workspace, pk=pk) if pk is not None else None
    )
    form = CaptureFormForm(request.POST or None, instance=instance, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.workspace = request.workspace
        saved.save()
        audit.record(request, "leads.form_saved", target=saved)
        messages.success(request, _("Form saved."))
        return redirect("leads_form_edit", ws=request.workspace.slug, pk=saved.pk)
    language = request.workspace.language or "fr"
    return render(
        request,
        "leads/form_edit.html",
        {
            "form": form,
            "capture": instance,
            "snippet": snippet(instance, language) if instance else "",
            "submissions": instance.submissions.all()[:20] if instance else [],
        },
    )


@workspace_view("leads.manage")
def settings_page(request: WorkspaceRequest) -> HttpResponse:
    lead_settings = LeadSettings.of(request.workspace.pk)
    form = SettingsForm(request.POST or None, instance=lead_settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Which fields changed, never their values: the secret must not land in the log.
        audit.record(request, "leads.settings_saved", changed=sorted(form.changed_data))
        messages.success(request, _("Settings saved."))
        return redirect("leads_settings", ws=request.workspace.slug)
    deliveries = WebhookDelivery.objects.filter(workspace=request.workspace).select_related(
        "change__lead"
    )[:30]
    return render(
        request,
        "leads/settings.html",
        {"form": form, "deliveries": deliveries, "has_secret": bool(lead_settings.webhook_secret)},
    )
