"""Connecting a WhatsApp Business phone number of the Cloud API with a system user's token.

The page checks the token and the number (GET /{phone-number-id}), that the number belongs
to the WhatsApp Business Account given, and subscribes Liant's Meta app to that account's
webhooks, before anything is saved. Messages then arrive at /hooks/whatsapp/.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liant.channels import tasks
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.apps import app_settings
from liant.connectors.base import ConnectorError
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.whatsapp.connector import inspect, subscribe
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view


def client() -> HttpClient:
    """The HTTP client of the connect step (tests replace it with a replayed Graph API)."""
    return HttpClient(MemoryRecorder())


class WhatsAppForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150, required=False)
    phone_number_id = forms.RegexField(
        label=gettext_lazy("Phone number ID"),
        regex=r"^\d{5,30}$",
        help_text=gettext_lazy("In Meta's App Dashboard: WhatsApp → API Setup."),
    )
    waba_id = forms.RegexField(
        label=gettext_lazy("WhatsApp Business Account ID"),
        regex=r"^\d{5,30}$",
    )
    access_token = forms.CharField(
        label=gettext_lazy("System user access token"),
        max_length=1000,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Create a system user in Meta Business Suite, give it the WhatsApp account and "
            "the whatsapp_business_messaging and whatsapp_business_management permissions."
        ),
    )


@workspace_view("channels.manage")
def connect_whatsapp(request: WorkspaceRequest) -> HttpResponse:
    form = WhatsAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = data["access_token"].strip()
        try:
            with client() as http:
                settings = inspect(http, token, data["phone_number_id"], data["waba_id"])
                try:
                    subscribe(http, token, data["waba_id"])
                    subscribed = True
                except ConnectorError:
                    subscribed = False
        except ConnectorError as exc:
            form.add_error(None, _("WhatsApp refused: %(error)s") % {"error": exc.translated()})
        else:
            channel = Channel.objects.filter(
                workspace=request.workspace,
                kind="whatsapp",
                settings__account_id=settings["account_id"],
            ).first() or Channel(
                workspace=request.workspace,
                kind="whatsapp",
                fetch_interval=registry.connector_class("whatsapp").fetch_interval,
                created_by=request.user,
            )
            channel.name = (
                data["name"] or settings["verified_name"] or settings["display_phone_number"]
            )[:150]
            channel.settings = settings
            channel.credentials = {"access_token": token}
            channel.health = "ok"
            channel.save()
            audit.record(
                request,
                "channel.connected",
                target=channel,
                kind="whatsapp",
                number=settings["display_phone_number"],
            )
            tasks.fetch_channel(channel.pk)
            messages.success(request, _("WhatsApp number connected."))
            if not subscribed:
                messages.warning(
                    request,
                    _(
                        "Meta did not subscribe Liant's app to this account's webhooks: do it "
                        "in the App Dashboard, or no message will arrive."
                    ),
                )
            return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    app = app_settings("whatsapp")
    return render(
        request,
        "channels/connect_whatsapp.html",
        {
            "form": form,
            "hook_url": request.build_absolute_uri(
                reverse("network_webhook", kwargs={"kind": "whatsapp"})
            ),
            "configured": bool(app.get("client_secret") and app.get("verify_token")),
            "connector_limitations": registry.connector_class("whatsapp").limitations,
        },
    )
