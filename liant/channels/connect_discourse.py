"""Connecting a Discourse forum: address, API key and API username, then the categories to
watch.

Step one proves the key (GET /u/{username}.json) and reads the categories the API user sees
and, with an admin key, the forum's length settings; step two creates the channel. Between
the two the key waits in the session, encrypted like a channel's credentials.
"""

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
from liant.connectors.discourse.connector import DiscourseConnector, normalise_forum_url
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core import audit, crypto
from liant.core.access import WorkspaceRequest, workspace_view

SESSION_KEY = "liant.connect_discourse"


def client() -> HttpClient:
    """The HTTP client of the connect step (tests replace it with a replayed forum)."""
    return HttpClient(MemoryRecorder())


class DiscourseForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name in Liant"), max_length=150)
    forum_url = forms.CharField(
        label=gettext_lazy("Forum address"),
        max_length=300,
        help_text=gettext_lazy("For example https://forum.example.org"),
    )
    api_username = forms.CharField(
        label=gettext_lazy("API username"),
        max_length=60,
        help_text=gettext_lazy("The forum user Liant acts as, e.g. the brand's account."),
    )
    api_key = forms.CharField(
        label=gettext_lazy("API key"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "An admin creates it in Discourse: Admin → Advanced → API keys. Moderating "
            "needs a key for a moderator or an admin."
        ),
    )

    def clean_forum_url(self) -> str:
        try:
            return normalise_forum_url(self.cleaned_data["forum_url"])
        except ValueError as exc:
            raise forms.ValidationError(_("Give the https address of a Discourse forum.")) from exc


class CategoriesForm(forms.Form):
    categories = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Categories to watch"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "A category brings its subcategories. None ticked: every category the API user can see."
        ),
    )
    default_category = forms.TypedChoiceField(
        label=gettext_lazy("Category of new topics"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        watched = self.fields["categories"]
        default = self.fields["default_category"]
        assert isinstance(watched, forms.ChoiceField) and isinstance(default, forms.ChoiceField)
        watched.choices = choices
        default.choices = [("", "—"), *choices]


@workspace_view("channels.manage")
def connect_discourse(request: WorkspaceRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if request.method == "POST" and request.POST.get("step") == "categories" and pending:
        return _choose_categories(request, pending)
    form = DiscourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        settings = {"forum_url": data["forum_url"], "api_username": data["api_username"]}
        try:
            with client() as http:
                connector = DiscourseConnector(settings, {"api_key": data["api_key"]}, http)
                user = connector.whoami()
                categories = connector.list_categories()
                limits = connector.read_limits()
        except ConnectorError as exc:
            form.add_error(None, _("Discourse refused: %(error)s") % {"error": exc.translated()})
        else:
            request.session[SESSION_KEY] = {
                "workspace": request.workspace.pk,
                "name": data["name"],
                "settings": settings
                | {
                    "api_username": str(user["username"]),
                    "user_id": int(user["id"]),
                    "limits": limits.model_dump(exclude_none=True),
                },
                "api_key": crypto.encrypt(data["api_key"]),
                "categories": categories,
            }
            return _render_categories(request, request.session[SESSION_KEY], None)
    return render(request, "channels/connect_discourse.html", {"form": form})


def _render_categories(
    request: WorkspaceRequest, pending: dict[str, Any], form: CategoriesForm | None
) -> HttpResponse:
    choices = [(int(c[0]), str(c[1])) for c in pending["categories"]]
    form = form or CategoriesForm(choices=choices)
    return render(
        request,
        "channels/connect_discourse.html",
        {
            "categories_form": form,
            "connected_as": pending["settings"]["api_username"],
            "forum": pending["settings"]["forum_url"],
        },
    )


def _choose_categories(request: WorkspaceRequest, pending: dict[str, Any]) -> HttpResponse:
    if pending.get("workspace") != request.workspace.pk:
        request.session.pop(SESSION_KEY, None)
        return redirect("connect_discourse", ws=request.workspace.slug)
    choices = [(int(c[0]), str(c[1])) for c in pending["categories"]]
    form = CategoriesForm(request.POST, choices=choices)
    if not form.is_valid():
        return _render_categories(request, pending, form)
    ticked = form.cleaned_data["categories"]
    default = form.cleaned_data["default_category"] or (ticked[0] if ticked else None)
    # A ticked category brings its subcategories: posts carry the subcategory's id only.
    watched = [int(c[0]) for c in pending["categories"] if c[0] in ticked or c[2] in ticked]
    settings = pending["settings"] | {"categories": watched, "default_category": default}
    DiscourseConnector.settings_model.model_validate(settings)  # what the worker will read
    # The same forum and user again (a new key after one was revoked): that channel, with
    # its cursor, rather than a second one reading everything twice.
    channel = Channel.objects.filter(
        workspace=request.workspace,
        kind="discourse",
        settings__forum_url=settings["forum_url"],
        settings__api_username=settings["api_username"],
    ).first() or Channel(
        workspace=request.workspace,
        kind="discourse",
        fetch_interval=registry.connector_class("discourse").fetch_interval,
        created_by=request.user,
    )
    channel.name = pending["name"]
    channel.settings = settings
    channel.credentials = {"api_key": crypto.decrypt(pending["api_key"])}
    channel.health = "ok"
    channel.save()
    request.session.pop(SESSION_KEY, None)
    audit.record(
        request,
        "channel.connected",
        target=channel,
        kind="discourse",
        user=settings["api_username"],
    )
    tasks.fetch_channel(channel.pk)  # the worker reads it at once
    messages.success(request, _("Discourse forum connected."))
    return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
