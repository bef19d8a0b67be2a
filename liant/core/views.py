"""Workspace pages of the core: dashboard, team, invitations, audit log, status."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.core import audit, csvexport
from liant.core.access import AuthedRequest, WorkspaceRequest, workspace_view
from liant.core.forms import InviteForm, RoleForm
from liant.core.models import AuditEvent, Invitation, Membership, WorkerHeartbeat, WorkerPing
from liant.core.navigation import MODULES_BY_KEY, module_url
from liant.core.permissions import PERMISSIONS, Role, can_grant, role_has


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        if settings.LIANT_DEMO:  # `make demo`: a page linking the workbench and the space
            from liant.demo.views import landing  # noqa: PLC0415

            return landing(request)
        return redirect_to_login(request.get_full_path())
    return workspace_home(request)  # type: ignore[arg-type]


@login_required
def workspace_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    workspace = user.last_workspace
    if workspace is None or not workspace.memberships.filter(user=user).exists():
        workspace = user.workspaces().first()
    if workspace is None:
        return render(request, "core/no_workspace.html")
    return redirect("dashboard", ws=workspace.slug)


@workspace_view()
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    membership = request.membership
    context = {
        "team_count": workspace.memberships.count(),
        "pending_invitations": workspace.invitations.pending().count(),
        "recent_events": (
            AuditEvent.objects.filter(workspace=workspace).select_related("actor")[:8]
            if membership.can("audit.view")
            else []
        ),
        "worker": worker_status(),
    }
    return render(request, "core/dashboard.html", context)


@workspace_view()
def module_placeholder(request: WorkspaceRequest, module: str) -> HttpResponse:
    mod = MODULES_BY_KEY.get(module)
    if mod is None:
        raise Http404
    if not request.membership.can(mod.permission):
        raise PermissionDenied
    if mod.url_name:
        # The page would say "not built yet" about a module that works: go to the module.
        return redirect(module_url(mod, request.workspace.slug))
    return render(request, "core/module_placeholder.html", {"module": mod})


@workspace_view("team.view")
def team(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    membership = request.membership
    can_manage = membership.can("team.manage")
    form = InviteForm(membership=membership) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = InviteForm(request.POST, membership=membership)
        if form.is_valid():
            invitation = send_invitation(
                request, form.cleaned_data["email"], form.cleaned_data["role"]
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("team", ws=workspace.slug)
    members = workspace.memberships.select_related("user").order_by("user__name", "user__email")
    rows = [
        {
            "membership": m,
            "role_form": RoleForm(initial={"role": m.role}, membership=membership),
            "editable": can_manage
            and m.user_id != request.user.pk
            and can_grant(membership.role, m.role),
        }
        for m in members
    ]
    return render(
        request,
        "core/team.html",
        {
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
            "invitations": workspace.invitations.pending().select_related("invited_by"),
            "permission_table": permission_table(),
            "roles": Role.choices,
        },
    )


def permission_table() -> list[dict]:
    roles = list(Role)
    return [
        {"description": desc, "cells": [role_has(r, name) for r in roles]}
        for name, (desc, _roles) in PERMISSIONS.items()
    ]


def send_invitation(request: WorkspaceRequest, email: str, role: str) -> Invitation:
    workspace = request.workspace
    with transaction.atomic():
        invitation, token = Invitation.issue(workspace, email, role, request.user)
        audit.record(request, "team.invited", target=invitation, email=email, role=role)
    link = request.build_absolute_uri(reverse("accept_invitation", kwargs={"token": token}))
    context = {
        "workspace": workspace,
        "inviter": request.user,
        "role": Role(role).label,
        "link": link,
        "days": settings.INVITATION_DAYS,
    }
    send_mail(
        subject=_("%(name)s invites you to %(workspace)s on Liant")
        % {"name": request.user, "workspace": workspace.name},
        message=render_to_string("core/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    return invitation


@workspace_view("team.manage")
@require_POST
@transaction.atomic
def change_role(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership, target = locked_pair(request, pk)
    form = RoleForm(request.POST, membership=membership)
    if target.user_id == request.user.pk:
        messages.error(request, _("You cannot change your own role."))
    elif not can_grant(membership.role, target.role) or not form.is_valid():
        raise PermissionDenied
    elif target.role == Role.OWNER and not other_owner_exists(target):
        messages.error(request, _("A workspace must keep at least one owner."))
    else:
        old = target.role
        target.role = form.cleaned_data["role"]
        target.save(update_fields=["role"])
        audit.record(request, "team.role_changed", target=target, old=old, new=target.role)
        messages.success(request, _("Role updated."))
    return redirect("team", ws=request.workspace.slug)


def locked_pair(request: WorkspaceRequest, pk: int) -> tuple[Membership, Membership]:
    """The actor's and the target's memberships, locked and read fresh.

    Two owners demoting each other at the same moment must not leave the workspace without
    an owner: the second request waits for the first, then sees that its actor lost the role.
    """
    rows = {
        m.pk: m for m in Membership.objects.select_for_update().filter(workspace=request.workspace)
    }
    if pk not in rows:
        raise Http404
    actor = rows.get(request.membership.pk)
    if actor is None or not actor.can("team.manage"):
        raise PermissionDenied
    return actor, rows[pk]


def other_owner_exists(target: Membership) -> bool:
    return (
        Membership.objects.filter(workspace=target.workspace, role=Role.OWNER)
        .exclude(pk=target.pk)
        .exists()
    )


@workspace_view("team.manage")
@require_POST
@transaction.atomic
def remove_member(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership, target = locked_pair(request, pk)
    if target.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself."))
    elif not can_grant(membership.role, target.role):
        raise PermissionDenied
    elif target.role == Role.OWNER and not other_owner_exists(target):
        messages.error(request, _("A workspace must keep at least one owner."))
    else:
        audit.record(request, "team.removed", target=target, email=target.user.email)
        target.delete()
        messages.success(request, _("%(person)s no longer has access.") % {"person": target.user})
    return redirect("team", ws=request.workspace.slug)


@workspace_view("team.manage")
@require_POST
def revoke_invitation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.pending(),
        pk=pk,
        workspace=request.workspace,
    )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(request, "team.invitation_revoked", target=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("team", ws=request.workspace.slug)


def audit_events(request: WorkspaceRequest) -> tuple[QuerySet[AuditEvent], str]:
    """The workspace's audit events, filtered by the `action` the page and its CSV share."""
    events = AuditEvent.objects.filter(workspace=request.workspace).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    return events, action


@workspace_view("audit.view")
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    events, action = audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(workspace=request.workspace)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    return render(
        request, "core/audit_log.html", {"page": page, "action": action, "actions": actions}
    )


@workspace_view("audit.view")
def audit_log_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    events, _action = audit_events(request)
    header = [_("When"), _("Who"), _("Action"), _("Details"), _("On"), _("Object"), _("From")]
    rows = (
        (
            e.created_at,
            e.actor_label or (e.actor.email if e.actor else ""),
            e.action,
            json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else "",
            e.target_label,
            f"{e.target_type}:{e.target_id}" if e.target_type else "",
            e.ip_address or "",
        )
        for e in events.iterator(chunk_size=2000)
    )
    return csvexport.response(request.workspace, "audit-log", header, rows)


def worker_status() -> dict:
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    age = (timezone.now() - latest.seen_at) if latest is not None else None
    alive = age is not None and age < timedelta(minutes=3)
    return {
        "latest": latest,
        "alive": alive,
        "just_now": age is not None and age < timedelta(minutes=1),
    }


@workspace_view("workspace.manage")
def status(request: WorkspaceRequest) -> HttpResponse:
    from liant.core.tasks import handle_ping

    if request.method == "POST":
        ping = WorkerPing.objects.create(requested_by=request.user)
        handle_ping(ping.pk)
        messages.info(request, _("A test job was sent to the worker."))
        return redirect("status", ws=request.workspace.slug)
    return render(
        request,
        "core/status.html",
        {
            "worker": worker_status(),
            "heartbeats": WorkerHeartbeat.objects.order_by("-seen_at")[:10],
            "pings": WorkerPing.objects.filter(requested_by=request.user)[:5],
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "queue": str(settings.HUEY["huey_class"]).rsplit(".", 1)[-1],
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})
