"""Creating workspaces and changing their settings."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liant.core import audit
from liant.core.access import AuthedRequest, WorkspaceRequest, workspace_view
from liant.core.models import Membership, Organisation, Workspace
from liant.core.permissions import Role

TIMEZONES = sorted(zoneinfo.available_timezones())


class WorkspaceForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(tz, tz) for tz in TIMEZONES]
    )

    class Meta:
        model = Workspace
        fields = ["name", "language", "timezone"]


class NewWorkspaceForm(WorkspaceForm):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none()
    )

    class Meta(WorkspaceForm.Meta):
        fields = ["organisation", "name", "language", "timezone"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


def organisations_managed_by(user: Any) -> Any:
    """An owner or admin of any workspace of an organisation may open new ones in it."""
    return Organisation.objects.filter(
        workspaces__memberships__user=user,
        workspaces__memberships__role__in=[Role.OWNER, Role.ADMIN],
    ).distinct()


def unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@login_required
def new_workspace(request: AuthedRequest) -> HttpResponse:
    organisations = organisations_managed_by(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = NewWorkspaceForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": organisations.first(), "timezone": settings.TIME_ZONE},
    )
    if request.method == "POST" and form.is_valid():
        for _attempt in range(3):  # two people naming a workspace alike at the same moment
            try:
                with transaction.atomic():
                    workspace = form.save(commit=False)
                    workspace.slug = unique_slug(workspace.name)
                    workspace.save()
                    Membership.objects.create(
                        workspace=workspace, user=request.user, role=Role.OWNER
                    )
                    audit.record(
                        request, "workspace.created", workspace=workspace, target=workspace
                    )
                break
            except IntegrityError:
                continue
        messages.success(request, _("Workspace created."))
        return redirect("dashboard", ws=workspace.slug)
    return render(request, "core/workspace_new.html", {"form": form})


@workspace_view("workspace.manage")
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceForm(request.POST or None, instance=workspace)
    if request.method == "POST" and form.is_valid():
        changed = {name: str(form.cleaned_data[name]) for name in form.changed_data}
        form.save()
        if changed:
            audit.record(request, "workspace.settings_changed", target=workspace, changes=changed)
        messages.success(request, _("Settings saved."))
        return redirect("workspace_settings", ws=workspace.slug)
    return render(request, "core/workspace_settings.html", {"form": form})
