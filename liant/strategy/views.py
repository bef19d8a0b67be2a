"""The strategy page: objectives and KPIs, audiences, and the editorial line, each with a small
form to add to it; what the calendar plans, measured against the rhythm and the pillars."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.publishing.calendar import today_in
from liant.strategy import forms, plan
from liant.strategy.models import Audience, Format, Kpi, Objective, Pillar, Rhythm, Tone

# kind in the URL -> (model, form, how to find a row of this workspace)
KINDS: dict[str, tuple[type[Model], type[forms.WorkspaceForm], str]] = {
    "objective": (Objective, forms.ObjectiveForm, "workspace"),
    "kpi": (Kpi, forms.KpiForm, "objective__workspace"),
    "audience": (Audience, forms.AudienceForm, "workspace"),
    "pillar": (Pillar, forms.PillarForm, "workspace"),
    "tone": (Tone, forms.ToneForm, "workspace"),
    "format": (Format, forms.FormatForm, "workspace"),
    "rhythm": (Rhythm, forms.RhythmForm, "channel__workspace"),
}
LOOKAHEAD_WEEKS = 4


@workspace_view("strategy.view")
def strategy_home(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    today = today_in(workspace)
    monday = today - timedelta(days=today.weekday())
    end = monday + timedelta(weeks=LOOKAHEAD_WEEKS)
    return render(
        request,
        "strategy/home.html",
        {
            "objectives": Objective.objects.filter(workspace=workspace).prefetch_related("kpis"),
            "audiences": Audience.objects.filter(workspace=workspace).prefetch_related("channels"),
            "pillars": Pillar.objects.filter(workspace=workspace),
            "tones": Tone.objects.filter(workspace=workspace),
            "formats": Format.objects.filter(workspace=workspace),
            "rhythms": Rhythm.objects.filter(channel__workspace=workspace).select_related(
                "channel"
            ),
            "shortfalls": plan.rhythm_shortfalls(workspace, monday, end),
            "neglected": plan.neglected_pillars(workspace, monday, end),
            "weeks": LOOKAHEAD_WEEKS,
            "forms": {
                kind: form_class(workspace=workspace, prefix=kind)
                for kind, (_model, form_class, _path) in KINDS.items()
            },
            "can_manage": request.membership.can("strategy.manage"),
        },
    )


@workspace_view("strategy.manage")
@require_POST
def strategy_add(request: WorkspaceRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    model, form_class, _path = KINDS[kind]
    form = form_class(request.POST, workspace=request.workspace, prefix=kind)
    if form.is_valid():
        if kind == "rhythm":
            saved, _created = Rhythm.objects.update_or_create(
                channel=form.cleaned_data["channel"],
                defaults={"posts_per_week": form.cleaned_data["posts_per_week"]},
            )
        else:
            saved = form.save()
        audit.record(request, f"strategy.{kind}_added", target=saved)
        messages.success(request, _("Saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect("strategy", ws=request.workspace.slug)


@workspace_view("strategy.manage")
@require_POST
def strategy_delete(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    model, _form, path = KINDS[kind]
    row = get_object_or_404(model, pk=pk, **{path: request.workspace})
    audit.record(request, f"strategy.{kind}_deleted", target=row)
    row.delete()
    messages.success(request, _("Deleted."))
    return redirect("strategy", ws=request.workspace.slug)
