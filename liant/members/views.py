"""Members pages: the list, a member's profile, the to-do list, merges, segments, settings."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from liant.core.access import WorkspaceRequest, workspace_view
from liant.members.models import Member


@workspace_view("members.view")
def member_list(request: WorkspaceRequest) -> HttpResponse:
    members = Member.objects.filter(workspace=request.workspace, merged_into__isnull=True)[:100]
    return render(request, "members/list.html", {"members": members})
