"""Channel pages: the list with health, one channel's page with its exchange log, connecting."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.channels import audience as audience_data
from liant.channels import tasks
from liant.channels.models import Channel, Health
from liant.connectors import registry
from liant.connectors.base import ConnectorError
from liant.connectors.feeds.connector import discover
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.csvexport import local_today


@workspace_view("channels.view")
def channel_list(request: WorkspaceRequest) -> HttpResponse:
    channels = Channel.objects.filter(workspace=request.workspace).order_by("name")
    return render(
        request,
        "channels/list.html",
        {
            "channels": channels,
            "kinds": registry.choices(),
            "oauth_networks": [
                (kind, label)
                for kind, label in registry.choices()
                if registry.connector_class(kind).oauth is not None
            ],
            "can_manage": request.membership.can("channels.manage"),
        },
    )


@workspace_view("channels.view")
def audience(request: WorkspaceRequest) -> HttpResponse:
    """Each channel's followers as last counted, 30 days before, and the change: the rows
    behind the audience KPIs."""
    today = local_today(request.workspace)
    return render(
        request,
        "channels/audience.html",
        {
            "rows": audience_data.table(request.workspace, today),
            "days": audience_data.COMPARED_WITH_DAYS,
        },
    )


def channel_of(request: WorkspaceRequest, pk: int) -> Channel:
    return get_object_or_404(Channel, pk=pk, workspace=request.workspace)


@workspace_view("channels.view")
def channel_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    channel = channel_of(request, pk)
    return render(
        request,
        "channels/detail.html",
        {
            "channel": channel,
            "exchanges": channel.exchanges.all()[:50],
            "events": channel.events.all()[:20],
            "event_count": channel.events.count(),
            "audience": channel.audience_samples.order_by("-day").first(),
            "connector": registry.connector_class(channel.kind),
            "can_manage": request.membership.can("channels.manage"),
        },
    )


@workspace_view("channels.manage")
@require_POST
def fetch_now(request: WorkspaceRequest, pk: int) -> HttpResponse:
    channel = channel_of(request, pk)
    # The worker does the fetch: a slow network never holds a web process.
    Channel.objects.filter(pk=channel.pk).update(next_fetch_at=None)
    tasks.fetch_channel(channel.pk)
    messages.info(request, _("Fetching started; this page shows the result when it is done."))
    return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)


@workspace_view("channels.manage")
@require_POST
def disconnect(request: WorkspaceRequest, pk: int) -> HttpResponse:
    channel = channel_of(request, pk)
    channel.health = Health.DISCONNECTED
    channel.credentials = {}
    channel.save(update_fields=["health", *Channel.CREDENTIAL_FIELDS])
    audit.record(request, "channel.disconnected", target=channel, kind=channel.kind)
    messages.success(
        request, _("%(channel)s is disconnected; its history is kept.") % {"channel": channel.name}
    )
    return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)


class FeedForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of the feed or of the site"), assume_scheme="https"
    )
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150, required=False)


@workspace_view("channels.manage")
def connect_feed(request: WorkspaceRequest) -> HttpResponse:
    """Give a site or a feed address; Liant finds the feed, reads it once, then saves it."""
    form = FeedForm(request.POST or None)
    found: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        url = form.cleaned_data["url"]
        try:
            with HttpClient(MemoryRecorder(), timeout=15) as http:
                found = discover(http, url)
        except ConnectorError as exc:
            form.add_error("url", exc.translated())
        else:
            if not found:
                form.add_error("url", _("No feed was found at this address."))
            elif len(found) == 1 or request.POST.get("choice"):
                feed_url, title = found[0]
                if request.POST.get("choice"):
                    feed_url, title = next(
                        ((u, t) for u, t in found if u == request.POST["choice"]), found[0]
                    )
                channel = Channel.objects.create(
                    workspace=request.workspace,
                    kind="feed",
                    name=form.cleaned_data["name"] or title or feed_url,
                    settings={"url": feed_url},
                    fetch_interval=registry.connector_class("feed").fetch_interval,
                    created_by=request.user,
                )
                audit.record(
                    request, "channel.connected", target=channel, kind="feed", url=feed_url
                )
                tasks.fetch_channel(channel.pk)  # the worker reads it at once
                messages.success(request, _("Feed connected."))
                return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    return render(
        request,
        "channels/connect_feed.html",
        {"form": form, "found": found if len(found) > 1 else []},
    )
