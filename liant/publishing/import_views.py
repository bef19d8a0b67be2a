"""CSV import and curation (an item read on a channel made a draft idea)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from liant.channels.models import Event
from liant.core import audit
from liant.core.access import WorkspaceRequest, check, workspace_view
from liant.publishing import importing
from liant.publishing.models import Post
from liant.publishing.states import State


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    schedule = forms.BooleanField(
        label=gettext_lazy("Schedule the posts (else they are drafts)"), required=False
    )


@workspace_view("posts.write")
def import_page(request: WorkspaceRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        schedule = form.cleaned_data["schedule"]
        if schedule:
            check(request.membership, "posts.publish")
        upload = form.cleaned_data["file"]
        report = importing.import_csv(
            request.workspace, upload.read(importing.MAX_BYTES + 1), request.user, schedule
        )
        audit.record(
            request,
            "posts.imported" if report.imported else "posts.import_refused",
            rows=len(report.rows),
            imported=report.imported,
            refused=len(report.refused),
        )
        if report.imported:
            messages.success(
                request,
                ngettext("%(count)d post imported.", "%(count)d posts imported.", report.imported)
                % {"count": report.imported},
            )
    return render(
        request,
        "publishing/import.html",
        {
            "form": form,
            "report": report,
            "zone": request.workspace.timezone,
            "can_schedule": request.membership.can("posts.publish"),
        },
    )


@workspace_view("posts.write")
def curation_page(request: WorkspaceRequest) -> HttpResponse:
    events = (
        Event.objects.filter(workspace=request.workspace)
        .select_related("channel")
        .order_by("-occurred_at")[:100]
    )
    used = set(
        Post.objects.filter(workspace=request.workspace)
        .exclude(source_url="")
        .values_list("source_url", flat=True)
    )
    return render(request, "publishing/curation.html", {"events": events, "used": used})


@workspace_view("posts.write")
@require_POST
def curate(request: WorkspaceRequest, event_pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_pk, workspace=request.workspace)
    title = (event.text or event.url or str(event.channel))[:200]
    post = Post.objects.create(
        workspace=request.workspace,
        owner=request.user,
        title=title,
        state=State.IDEA,
        source_url=event.url,
    )
    audit.record(request, "post.curated", target=post, event=event.pk, source=event.url)
    messages.success(request, _("Kept as an idea, with its source."))
    return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)
