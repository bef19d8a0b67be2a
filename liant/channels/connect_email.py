"""Connecting a mailbox: IMAP and SMTP settings, a test button, then the channel."""

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
from liant.connectors.email.connector import EmailConnector
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.urlsafety import allowed_private_hosts
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view

SECURITY = [
    ("ssl", gettext_lazy("TLS (SSL)")),
    ("starttls", gettext_lazy("STARTTLS")),
    ("none", gettext_lazy("None (local servers only)")),
]


class EmailForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150)
    address = forms.EmailField(label=gettext_lazy("E-mail address"))
    display_name = forms.CharField(
        label=gettext_lazy("Sender name"), max_length=150, required=False
    )
    username = forms.CharField(
        label=gettext_lazy("User name"), help_text=gettext_lazy("Often the address itself.")
    )
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(render_value=False)
    )
    imap_host = forms.CharField(label=gettext_lazy("IMAP server"))
    imap_port = forms.IntegerField(
        label=gettext_lazy("IMAP port"), initial=993, min_value=1, max_value=65535
    )
    imap_security = forms.ChoiceField(
        label=gettext_lazy("IMAP security"), choices=SECURITY, initial="ssl"
    )
    mailbox = forms.CharField(label=gettext_lazy("Folder"), initial="INBOX")
    smtp_host = forms.CharField(label=gettext_lazy("SMTP server"))
    smtp_port = forms.IntegerField(
        label=gettext_lazy("SMTP port"), initial=587, min_value=1, max_value=65535
    )
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("SMTP security"), choices=SECURITY[:2] + SECURITY[2:], initial="starttls"
    )
    smtp_username = forms.CharField(
        label=gettext_lazy("SMTP user name"),
        required=False,
        help_text=gettext_lazy("Leave empty to use the IMAP one."),
    )
    smtp_password = forms.CharField(
        label=gettext_lazy("SMTP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    SETTINGS = (
        "address",
        "display_name",
        "imap_host",
        "imap_port",
        "imap_security",
        "mailbox",
        "smtp_host",
        "smtp_port",
        "smtp_security",
    )
    CREDENTIALS = ("username", "password", "smtp_username", "smtp_password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Without TLS the password crosses the network in clear: only for local test servers.
        local = allowed_private_hosts()
        for side in ("imap", "smtp"):
            if (
                data.get(f"{side}_security") == "none"
                and data.get(f"{side}_host", "").lower() not in local
            ):
                self.add_error(
                    f"{side}_security",
                    _("Choose TLS or STARTTLS: without it the password travels in clear."),
                )
        return data

    def settings(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.SETTINGS}

    def credentials(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.CREDENTIALS if self.cleaned_data.get(k)}


@workspace_view("channels.manage")
def connect_email(request: WorkspaceRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with HttpClient(MemoryRecorder()) as http:
                who = EmailConnector(form.settings(), form.credentials(), http).check_connection()
        except ConnectorError as exc:
            form.add_error(
                None, _("The connection test failed: %(error)s") % {"error": exc.translated()}
            )
        else:
            if "test" in request.POST:
                messages.success(
                    request,
                    _("Both servers answered: %(who)s can receive and send.") % {"who": who},
                )
            else:
                channel = Channel(
                    workspace=request.workspace,
                    kind="email",
                    name=form.cleaned_data["name"],
                    settings=form.settings(),
                    fetch_interval=registry.connector_class("email").fetch_interval,
                    created_by=request.user,
                )
                channel.credentials = form.credentials()
                channel.save()
                audit.record(
                    request, "channel.connected", target=channel, kind="email", address=who
                )
                tasks.fetch_channel(channel.pk)  # the worker reads it at once
                messages.success(request, _("Mailbox connected."))
                return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    return render(request, "channels/connect_email.html", {"form": form})
