"""Connecting a Bluesky account with an app password (never the account's main password)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liant.channels import tasks
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import ConnectorError
from liant.connectors.bluesky.connector import create_session
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view


def client() -> HttpClient:
    """The HTTP client of the connect step (tests replace it with a replayed PDS)."""
    return HttpClient(MemoryRecorder())


class BlueskyForm(forms.Form):
    handle = forms.CharField(
        label=gettext_lazy("Handle"),
        help_text=gettext_lazy("For example maisonlumiere.bsky.social"),
    )
    app_password = forms.CharField(
        label=gettext_lazy("App password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Create one in Bluesky: Settings → Privacy and security → App passwords."
        ),
    )
    service = forms.URLField(
        label=gettext_lazy("Server (PDS)"),
        initial="https://bsky.social",
        assume_scheme="https",
        required=False,
    )


@workspace_view("channels.manage")
def connect_bluesky(request: WorkspaceRequest) -> HttpResponse:
    form = BlueskyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"] or "https://bsky.social"
        handle = form.cleaned_data["handle"].lstrip("@").strip()
        try:
            with client() as http:
                session = create_session(http, service, handle, form.cleaned_data["app_password"])
        except ConnectorError as exc:
            form.add_error(None, _("Bluesky refused: %(error)s") % {"error": exc.translated()})
        else:
            channel, _created = Channel.objects.get_or_create(
                workspace=request.workspace,
                kind="bluesky",
                settings__did=session["did"],
                defaults={
                    "name": f"@{session['handle']}",
                    "settings": {
                        "service": service,
                        "handle": session["handle"],
                        "did": session["did"],
                    },
                    "fetch_interval": registry.connector_class("bluesky").fetch_interval,
                    "created_by": request.user,
                },
            )
            channel.credentials = session  # tokens only: the app password is not kept
            channel.health = "ok"
            channel.save(update_fields=[*Channel.CREDENTIAL_FIELDS, "health"])
            audit.record(
                request, "channel.connected", target=channel, kind="bluesky", did=session["did"]
            )
            tasks.fetch_channel(channel.pk)
            messages.success(request, _("Bluesky account connected."))
            return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    return render(request, "channels/connect_bluesky.html", {"form": form})
