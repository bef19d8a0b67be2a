"""Connecting a Mastodon account: server address → Liant registers itself there → the person
signs in on their server (OAuth) → back here with a code → the channel, token encrypted."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liant.channels import tasks
from liant.channels.models import Channel, Health
from liant.connectors import registry
from liant.connectors.base import ConnectorError
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.mastodon.connector import (
    MastodonConnector,
    authorize_url,
    exchange_code,
    normalise_instance_url,
    read_instance_limits,
    register_app,
)
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view

SESSION_KEY = "liant.connect_mastodon"


def client() -> HttpClient:
    """The HTTP client of the connect flow (tests replace it with one on a fake server)."""
    return HttpClient(MemoryRecorder(), timeout=15)


class InstanceForm(forms.Form):
    instance = forms.CharField(
        label=gettext_lazy("Your Mastodon server"),
        max_length=255,
        help_text=gettext_lazy("For example mastodon.social, or your full @name@server."),
    )
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150, required=False)

    def clean_instance(self) -> str:
        try:
            return normalise_instance_url(self.cleaned_data["instance"])
        except ValueError:
            raise ValidationError(
                _("Give the address of a Mastodon server, such as mastodon.social.")
            ) from None


@workspace_view("channels.manage")
def connect_mastodon(request: WorkspaceRequest) -> HttpResponse:
    form = InstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        instance_url = form.cleaned_data["instance"]
        redirect_uri = request.build_absolute_uri(
            reverse("connect_mastodon_callback", kwargs={"ws": request.workspace.slug})
        )
        try:
            with client() as http:  # refuses private addresses, like every outgoing call
                app = register_app(
                    http, instance_url, redirect_uri, website=request.build_absolute_uri("/")
                )
        except ConnectorError as exc:
            form.add_error(
                "instance",
                _("%(server)s did not let Liant register: %(error)s")
                % {"server": instance_url, "error": exc.translated()},
            )
        else:
            state = secrets.token_urlsafe(32)
            # Sessions are kept on the server: the client secret never reaches the browser.
            request.session[SESSION_KEY] = {
                "workspace": request.workspace.slug,
                "instance_url": instance_url,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": redirect_uri,
                "state": state,
                "name": form.cleaned_data["name"],
            }
            return redirect(authorize_url(instance_url, app["client_id"], redirect_uri, state))
    return render(request, "channels/connect_mastodon.html", {"form": form})


@workspace_view("channels.manage")
def connect_mastodon_callback(request: WorkspaceRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not pending or pending.get("workspace") != request.workspace.slug:
        return _failed(
            request, _("This sign-in was not started from here, or it has expired. Start again.")
        )
    if not secrets.compare_digest(str(request.GET.get("state", "")), str(pending["state"])):
        # Someone else's authorization code must never be attached to this workspace.
        return _failed(
            request,
            _(
                "The answer from the Mastodon server does not match the sign-in Liant started; "
                "nothing was connected. Start again."
            ),
        )
    del request.session[SESSION_KEY]  # one answer per sign-in
    if request.GET.get("error") or not request.GET.get("code"):
        return _failed(
            request,
            _("The Mastodon server did not grant access: %(reason)s")
            % {
                "reason": request.GET.get("error_description")
                or request.GET.get("error")
                or _("no authorization code")
            },
        )
    instance_url = pending["instance_url"]
    try:
        with client() as http:
            token = exchange_code(
                http,
                instance_url,
                pending["client_id"],
                pending["client_secret"],
                request.GET["code"],
                pending["redirect_uri"],
            )
            credentials = {
                "access_token": token,
                "client_id": pending["client_id"],
                "client_secret": pending["client_secret"],
            }
            connector = MastodonConnector({"instance_url": instance_url}, credentials, http)
            account = connector.verify_credentials()
            who = connector.handle_of(account)
            limits = read_instance_limits(http, instance_url)
    except ConnectorError as exc:
        return _failed(
            request, _("The Mastodon server refused: %(error)s") % {"error": exc.translated()}
        )
    settings = {
        "instance_url": instance_url,
        "visibility": "public",
        "account_id": str(account["id"]),
        "acct": str(account["acct"]),
        "limits": limits.model_dump(exclude_none=True),
    }
    # Signing in again to the same account renews its token instead of adding a twin.
    channel = Channel.objects.filter(
        workspace=request.workspace,
        kind="mastodon",
        settings__instance_url=instance_url,
        settings__account_id=settings["account_id"],
    ).first()
    reconnected = channel is not None
    if channel is None:
        channel = Channel(
            workspace=request.workspace,
            kind="mastodon",
            name=pending.get("name") or who,
            fetch_interval=registry.connector_class("mastodon").fetch_interval,
            created_by=request.user,
        )
    channel.settings = settings
    channel.credentials = credentials
    channel.health = Health.OK
    channel.next_fetch_at = None  # due now, even if the queue loses the task below
    channel.save()
    audit.record(
        request,
        "channel.connected",
        target=channel,
        kind="mastodon",
        account=who,
        reconnected=reconnected,
    )
    tasks.fetch_channel(channel.pk)  # the worker reads it at once
    messages.success(
        request,
        _("%(account)s is connected; Liant is reading its notifications.") % {"account": who},
    )
    return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)


def _failed(request: WorkspaceRequest, error: str) -> HttpResponse:
    return render(
        request,
        "channels/connect_mastodon.html",
        {"form": InstanceForm(), "error": error},
        status=400,
    )
