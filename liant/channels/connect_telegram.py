"""Connecting a Telegram bot to the channel or group it manages.

The page checks the token and the chat at once (getMe, getChat, the bot's rights with
getChatMember, getWebhookInfo) and says what is missing before anything is saved.
"""

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
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.telegram.connector import inspect
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view


def client() -> HttpClient:
    """The HTTP client of the connect step (tests replace it with a replayed Bot API)."""
    return HttpClient(MemoryRecorder())


class TelegramForm(forms.Form):
    bot_token = forms.CharField(
        label=gettext_lazy("Bot token"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Create a bot with @BotFather in Telegram (/newbot); it gives the token."
        ),
    )
    chat = forms.CharField(
        label=gettext_lazy("Channel or group"),
        max_length=100,
        help_text=gettext_lazy(
            "A public channel or group's @username, or a numeric id such as -1001234567890. "
            "Add the bot to it as an administrator first."
        ),
    )

    def clean_chat(self) -> str:
        chat = self.cleaned_data["chat"].strip()
        if chat.startswith("https://t.me/"):
            chat = "@" + chat.removeprefix("https://t.me/").strip("/")
        if not (chat.startswith("@") or chat.lstrip("-").isdigit()):
            raise forms.ValidationError(_("Give an @username or a numeric chat id."))
        return chat


@workspace_view("channels.manage")
def connect_telegram(request: WorkspaceRequest) -> HttpResponse:
    form = TelegramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["bot_token"].strip()
        found = None
        try:
            with client() as http:
                found = inspect(http, token, form.cleaned_data["chat"])
        except ConnectorError as exc:
            form.add_error(None, _("Telegram refused: %(error)s") % {"error": exc.translated()})
        else:
            for problem in found.blocking:
                form.add_error(None, problem.translated())
        if found is not None and form.is_valid():
            settings = found.settings
            channel, _created = Channel.objects.get_or_create(
                workspace=request.workspace,
                kind="telegram",
                settings__chat_id=settings["chat_id"],
                defaults={
                    "name": settings["chat_title"] or settings["chat"],
                    "settings": settings,
                    "fetch_interval": registry.connector_class("telegram").fetch_interval,
                    "created_by": request.user,
                },
            )
            channel.settings = channel.settings | settings
            channel.credentials = {"bot_token": token}
            channel.health = "ok"
            channel.save(update_fields=["settings", "credentials_json", "health"])
            audit.record(
                request,
                "channel.connected",
                target=channel,
                kind="telegram",
                chat=settings["chat_id"],
                bot=found.bot,
            )
            tasks.fetch_channel(channel.pk)
            messages.success(request, _("Telegram bot connected."))
            if found.missing:
                messages.warning(
                    request,
                    _("The bot lacks %(rights)s: Telegram will refuse those actions.")
                    % {"rights": ", ".join(p.translated() for p in found.missing)},
                )
            return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    return render(request, "channels/connect_telegram.html", {"form": form})
