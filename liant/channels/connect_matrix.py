"""Connecting a Matrix account: homeserver, then a password login (or an access token)."""

from __future__ import annotations

from typing import Any

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
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.matrix.connector import MatrixConnector, login
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view


class MatrixForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150)
    homeserver = forms.URLField(
        label=gettext_lazy("Homeserver"), assume_scheme="https", initial="https://matrix.org"
    )
    user = forms.CharField(
        label=gettext_lazy("User"), help_text=gettext_lazy("For example @brand:matrix.org")
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    access_token = forms.CharField(
        label=gettext_lazy("Or an access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Liant never stores the password: it signs in once and keeps the token."
        ),
    )
    rooms = forms.CharField(
        label=gettext_lazy("Rooms to follow"),
        required=False,
        help_text=gettext_lazy(
            "Room ids (!abc:server), one per line; empty: every room the account joined."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password") and not data.get("access_token"):
            raise forms.ValidationError(_("Give the password or an access token."))
        return data

    def room_ids(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data.get("rooms", "").splitlines() if line.strip()
        ]


@workspace_view("channels.manage")
def connect_matrix(request: WorkspaceRequest) -> HttpResponse:
    form = MatrixForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with HttpClient(MemoryRecorder()) as http:
                if data["access_token"]:
                    credentials = {"access_token": data["access_token"]}
                else:
                    credentials = login(http, data["homeserver"], data["user"], data["password"])
                rooms = form.room_ids()
                settings = {
                    "homeserver": data["homeserver"],
                    "rooms": rooms,
                    "default_room": rooms[0] if rooms else "",
                }
                user_id = MatrixConnector(settings, credentials, http).check_connection()
        except ConnectorError as exc:
            form.add_error(
                None, _("The homeserver refused: %(error)s") % {"error": exc.translated()}
            )
        else:
            channel = Channel(
                workspace=request.workspace,
                kind="matrix",
                name=data["name"],
                settings=settings | {"user_id": user_id},
                fetch_interval=registry.connector_class("matrix").fetch_interval,
                created_by=request.user,
            )
            channel.credentials = credentials
            channel.save()
            audit.record(request, "channel.connected", target=channel, kind="matrix", user=user_id)
            tasks.fetch_channel(channel.pk)  # the worker reads it at once
            messages.success(request, _("Matrix account connected."))
            return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    return render(request, "channels/connect_matrix.html", {"form": form})
