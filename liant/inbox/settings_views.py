"""What shapes the inbox: saved replies, routing rules (and their tester), departments, SLA."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.inbox import routing
from liant.inbox.forms import (
    DepartmentForm,
    RoutingRuleForm,
    RuleTestForm,
    SavedReplyForm,
    SlaPolicyForm,
)
from liant.inbox.models import (
    Department,
    RoutingRule,
    SavedReply,
    SlaBreach,
    SlaKind,
    SlaPolicy,
)
from liant.text import analyse

BREACH_REPORT_DAYS = 30


def save_form(request: WorkspaceRequest, form: Any, action: str, name_field: str = "name") -> bool:
    """Save a workspace-owned form; a name already used is said, not a server error."""
    try:
        with transaction.atomic():
            saved = form.save()
    except IntegrityError:
        form.add_error(name_field, _("This name is already used in this workspace."))
        return False
    audit.record(request, action, target=saved)
    return True


@workspace_view("inbox.view")
def saved_replies(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "inbox/saved_replies.html",
        {
            "replies": SavedReply.objects.filter(workspace=request.workspace),
            "can_manage": request.membership.can("inbox.manage"),
        },
    )


@workspace_view("inbox.manage")
def saved_reply_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = (
        get_object_or_404(SavedReply, pk=pk, workspace=request.workspace)
        if pk
        else SavedReply(workspace=request.workspace)
    )
    form = SavedReplyForm(request.POST or None, instance=instance)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_form(request, form, "inbox.saved_reply_saved")
    ):
        messages.success(request, _("The saved reply is saved."))
        return redirect("saved_replies", ws=request.workspace.slug)
    return render(request, "inbox/edit.html", {"form": form, "title": _("Saved reply")})


@workspace_view("inbox.view")
def rules(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "inbox/rules.html",
        {
            "rules": RoutingRule.objects.filter(workspace=request.workspace).select_related(
                "channel", "assign_to", "add_label", "department", "auto_reply"
            ),
            "test_form": RuleTestForm(workspace=request.workspace),
            "can_manage": request.membership.can("inbox.manage"),
        },
    )


@workspace_view("inbox.manage")
def rule_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = (
        get_object_or_404(RoutingRule, pk=pk, workspace=request.workspace)
        if pk
        else RoutingRule(workspace=request.workspace)
    )
    form = RoutingRuleForm(request.POST or None, instance=instance, workspace=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_form(request, form, "inbox.rule_saved")
    ):
        messages.success(request, _("The rule is saved."))
        return redirect("routing_rules", ws=request.workspace.slug)
    return render(request, "inbox/edit.html", {"form": form, "title": _("Routing rule")})


@workspace_view("inbox.view")
def rule_test(request: WorkspaceRequest) -> HttpResponse:
    """Which rules a sample message would trigger, in order; nothing is changed."""
    form = RuleTestForm(request.POST or request.GET or None, workspace=request.workspace)
    context: dict[str, Any] = {"test_form": form}
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["text"]
        analysis = next(analyse([text]))
        channel = form.cleaned_data["channel"]
        sample = routing.Sample(
            text=text,
            channel_id=channel.pk if channel else None,
            language=analysis.language,
            sentiment=analysis.sentiment,
            first=form.cleaned_data["first"],
            member_id=form.cleaned_data["member"].pk if form.cleaned_data["member"] else None,
        )
        context |= {
            "analysis": analysis,
            "fired": routing.evaluate(list(routing.active_rules(request.workspace.pk)), sample),
            "tested": True,
        }
    return render(request, "inbox/rule_test.html", context)


@workspace_view("inbox.view")
def departments(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "inbox/departments.html",
        {
            "departments": Department.objects.filter(workspace=request.workspace).prefetch_related(
                "members"
            ),
            "can_manage": request.membership.can("inbox.manage"),
        },
    )


@workspace_view("inbox.manage")
def department_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = (
        get_object_or_404(Department, pk=pk, workspace=request.workspace)
        if pk
        else Department(workspace=request.workspace)
    )
    form = DepartmentForm(request.POST or None, instance=instance, workspace=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_form(request, form, "inbox.department_saved")
    ):
        messages.success(request, _("The department is saved."))
        return redirect("departments", ws=request.workspace.slug)
    return render(request, "inbox/edit.html", {"form": form, "title": _("Department")})


@workspace_view("inbox.manage")
def sla_policy(request: WorkspaceRequest) -> HttpResponse:
    instance = SlaPolicy.of(request.workspace.pk) or SlaPolicy(workspace=request.workspace)
    form = SlaPolicyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(request, "inbox.sla_saved", target=saved)
        messages.success(
            request, _("The SLA policy is saved; it applies to messages that arrive from now.")
        )
        return redirect("sla_policy", ws=request.workspace.slug)
    since = timezone.now() - timedelta(days=BREACH_REPORT_DAYS)
    breaches = SlaBreach.objects.filter(workspace=request.workspace, recorded_at__gte=since)
    counts = dict(breaches.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    with timezone.override(ZoneInfo(request.workspace.timezone)):
        return render(
            request,
            "inbox/sla.html",
            {
                "form": form,
                "days": BREACH_REPORT_DAYS,
                "counts": [(label, counts.get(kind, 0)) for kind, label in SlaKind.choices],
                "recent": breaches.select_related("conversation")[:20],
            },
        )
