"""Listening pages: the queries a workspace watches, and a tester on what is already stored."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.channels.models import Event
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.listening.matching import Document, Matcher
from liant.listening.models import Query
from liant.listening.query import QuerySyntaxError, parse

TESTED_EVENTS = 2000  # the most recent stored events a query is tried on
SHOWN_MATCHES = 50


class QueryForm(forms.ModelForm):
    class Meta:
        model = Query
        fields = ["name", "kind", "text", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})}


@workspace_view("listening.view")
def query_list(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "listening/list.html",
        {
            "queries": Query.objects.filter(workspace=request.workspace),
            "can_manage": request.membership.can("listening.manage"),
        },
    )


@workspace_view("listening.manage")
def query_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    query = get_object_or_404(Query, pk=pk, workspace=request.workspace) if pk else None
    instance = query or Query(workspace=request.workspace, created_by=request.user)
    form = QueryForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()
        except Exception:  # the unique name, raced by a teammate
            form.add_error("name", _("Another query already has this name."))
        else:
            audit.record(
                request,
                "listening.query_saved",
                target=saved,
                created=query is None,
                text=saved.text,
            )
            messages.success(request, _("The query “%(name)s” is saved.") % {"name": saved.name})
            return redirect("listening", ws=request.workspace.slug)
    return render(request, "listening/edit.html", {"form": form, "query": query})


@workspace_view("listening.manage")
@require_POST
def query_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    query = get_object_or_404(Query, pk=pk, workspace=request.workspace)
    audit.record(request, "listening.query_deleted", target=query, text=query.text)
    query.delete()
    messages.success(request, _("The query “%(name)s” is deleted.") % {"name": query.name})
    return redirect("listening", ws=request.workspace.slug)


@workspace_view("listening.view")
def tester(request: WorkspaceRequest) -> HttpResponse:
    """Try a query on the workspace's recent stored events before saving it."""
    text = request.GET.get("q", "")
    context: dict[str, object] = {"q": text}
    if text.strip():
        try:
            tree = parse(text)
        except QuerySyntaxError as error:
            context["error"] = error.translated()
            context["error_column"] = error.column
        else:
            matcher = Matcher({"q": tree})
            events = Event.objects.filter(workspace=request.workspace).select_related("channel")
            recent = list(events.order_by("-occurred_at")[:TESTED_EVENTS])
            found = []
            for event in recent:
                hit = matcher.match(
                    Document(
                        event.text,
                        language=event.language,
                        source=event.channel.kind,
                        author=event.author_handle,
                    )
                )
                if hit:
                    found.append((event, hit["q"]))
            context |= {
                "tree": str(tree),
                "tested": len(recent),
                "match_count": len(found),
                "matches": found[:SHOWN_MATCHES],
            }
    partial = request.headers.get("HX-Request") == "true"
    template = "listening/tester_results.html" if partial else "listening/tester.html"
    return render(request, template, context)
