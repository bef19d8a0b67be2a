"""Connecting a Discord bot to a server, in two steps.

1. The bot token and the server id: Liant checks the token, and if the bot is not in the
   server yet, shows the install link (OAuth2 bot scope, with the permissions it needs).
2. The channels to watch and the one to publish in, chosen from the server's text channels.

Between the two the token waits in the session, encrypted with the server's key.
"""

from __future__ import annotations

from typing import Any

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
from liant.connectors.base import ConnectorError
from liant.connectors.discord.connector import (
    ANNOUNCEMENT,
    PERMISSIONS,
    PERMISSIONS_INTEGER,
    guild_of,
    identify,
    install_url,
    text_channels,
)
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core import audit, crypto
from liant.core.access import WorkspaceRequest, workspace_view

SESSION_KEY = "liant.discord_connect"


def client() -> HttpClient:
    """The HTTP client of the connect steps (tests replace it with a replayed API)."""
    return HttpClient(MemoryRecorder())


class TokenForm(forms.Form):
    bot_token = forms.CharField(
        label=gettext_lazy("Bot token"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Discord Developer Portal → your application → Bot → Reset Token. Turn on the "
            "Message Content intent on the same page."
        ),
    )
    guild_id = forms.RegexField(
        label=gettext_lazy("Server id"),
        regex=r"^\d{15,21}$",
        error_messages={"invalid": gettext_lazy("A server id is a number of 15 to 21 digits.")},
        help_text=gettext_lazy(
            "In Discord: Settings → Advanced → Developer Mode, then right-click the server → "
            "Copy Server ID."
        ),
    )


class ChannelsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels to watch"), widget=forms.CheckboxSelectMultiple
    )
    publish_channel = forms.ChoiceField(label=gettext_lazy("Channel Liant publishes to"))

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("channels", "publish_channel"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


def _choices(pending: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (c["id"], f"#{c['name']}" + (" 📣" if c["type"] == ANNOUNCEMENT else ""))
        for c in pending["channels"]
    ]


@workspace_view("channels.manage")
def connect_discord(request: WorkspaceRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if pending and pending.get("workspace") != request.workspace.pk:
        pending = None
    context: dict[str, Any] = {
        "permissions": sorted(PERMISSIONS),
        "permissions_integer": PERMISSIONS_INTEGER,
    }
    if request.method == "POST" and request.POST.get("step") == "channels" and pending:
        form = ChannelsForm(_choices(pending), request.POST)
        if form.is_valid():
            return _create(request, pending, form.cleaned_data)
        return render(
            request, "channels/connect_discord.html", context | {"form": form, "pending": pending}
        )
    if request.method == "GET" and pending and request.GET.get("step") == "channels":
        form = ChannelsForm(_choices(pending))
        return render(
            request, "channels/connect_discord.html", context | {"form": form, "pending": pending}
        )
    if request.method == "POST" and request.POST.get("step") == "channels":
        # The first step is gone (another browser, a cleared session): it starts again.
        messages.error(request, _("The connection was started too long ago: start again."))
        return redirect("connect_discord", ws=request.workspace.slug)
    token_form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and token_form.is_valid():
        token = token_form.cleaned_data["bot_token"].strip()
        guild_id = token_form.cleaned_data["guild_id"]
        try:
            with client() as http:
                application, bot = identify(http, token)
                guild = guild_of(http, token, guild_id)
                channels = text_channels(http, token, guild_id) if guild else []
        except ConnectorError as exc:
            token_form.add_error(
                None, _("Discord refused: %(error)s") % {"error": exc.translated()}
            )
        else:
            if guild is None:
                context["install_url"] = install_url(str(application["id"]), guild_id)
                token_form.add_error(
                    None,
                    _(
                        "The bot is not in this server yet: add it with the link below, then "
                        "send this form again."
                    ),
                )
            elif not channels:
                token_form.add_error(None, _("The bot sees no text channel in this server."))
            else:
                request.session[SESSION_KEY] = {
                    "workspace": request.workspace.pk,
                    "token": crypto.encrypt(token),
                    "guild_id": guild_id,
                    "guild_name": str(guild.get("name", "")),
                    "bot_id": str(bot["id"]),
                    "application_id": str(application["id"]),
                    "channels": [
                        {"id": str(c["id"]), "name": str(c.get("name", "")), "type": c["type"]}
                        for c in channels
                    ],
                }
                url = reverse("connect_discord", kwargs={"ws": request.workspace.slug})
                return redirect(f"{url}?step=channels")
    return render(request, "channels/connect_discord.html", context | {"form": token_form})


def _create(
    request: WorkspaceRequest, pending: dict[str, Any], data: dict[str, Any]
) -> HttpResponse:
    watched = list(dict.fromkeys([*data["channels"], data["publish_channel"]]))
    announcements = [c["id"] for c in pending["channels"] if c["type"] == ANNOUNCEMENT]
    settings = {
        "guild_id": pending["guild_id"],
        "guild_name": pending["guild_name"],
        "channels": watched,
        "announcement_channels": [c for c in watched if c in announcements],
        "publish_channel": data["publish_channel"],
        "bot_id": pending["bot_id"],
        "application_id": pending["application_id"],
    }
    channel, _created = Channel.objects.get_or_create(
        workspace=request.workspace,
        kind="discord",
        settings__guild_id=pending["guild_id"],
        defaults={
            "name": pending["guild_name"] or pending["guild_id"],
            "settings": settings,
            "fetch_interval": registry.connector_class("discord").fetch_interval,
            "created_by": request.user,
        },
    )
    channel.settings = channel.settings | settings
    channel.credentials = {"bot_token": crypto.decrypt(pending["token"])}
    channel.health = "ok"
    channel.save(update_fields=["settings", "credentials_json", "health"])
    del request.session[SESSION_KEY]
    audit.record(
        request,
        "channel.connected",
        target=channel,
        kind="discord",
        guild=pending["guild_id"],
        channels=len(watched),
    )
    tasks.fetch_channel(channel.pk)
    messages.success(request, _("Discord bot connected."))
    return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
