"""Connecting an account of a network that signs in with OAuth 2 (Facebook, LinkedIn, YouTube,
X, TikTok, Slack, Reddit…): one flow for all, driven by the connector's `oauth` settings.

Start (in the workspace) → the network's sign-in page → back to one fixed address per network
(the one the operator registers with the network) → the code traded for tokens → the accounts
this sign-in may manage (pages, organisations, channels) → one is connected at once, several
are offered in a list. Tokens wait in the server-side session, never in the browser.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from liant.channels import tasks
from liant.channels.models import Channel, Health
from liant.connectors import oauth, registry
from liant.connectors.apps import app_settings
from liant.connectors.base import AccountChoice, Connector, ConnectorError
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view

SESSION_KEY = "liant.connect_oauth"
CHOICES_KEY = "liant.connect_oauth.choices"


def client() -> HttpClient:
    """The HTTP client of the connect flow (tests replace it with one on a fake host)."""
    return HttpClient(MemoryRecorder(), timeout=15)


def oauth_connector(kind: str) -> type[Connector]:
    try:
        cls = registry.connector_class(kind)
    except LookupError:
        raise Http404 from None
    if cls.oauth is None:
        raise Http404
    return cls


def redirect_uri(request: HttpRequest, kind: str) -> str:
    return request.build_absolute_uri(reverse("connect_oauth_callback", kwargs={"kind": kind}))


@workspace_view("channels.manage")
def connect_oauth(request: WorkspaceRequest, kind: str) -> HttpResponse:
    cls = oauth_connector(kind)
    app = app_settings(kind)
    configured, back = bool(app.get("client_id")), redirect_uri(request, kind)
    context = {
        "connector": cls,
        "kind": kind,
        "configured": configured,
        "redirect_uri": back,
        "env_prefix": f"LIANT_APP_{kind.upper()}_",
    }
    if request.method == "POST" and configured:
        config = cls.oauth
        assert config is not None
        state, verifier = secrets.token_urlsafe(32), oauth.new_verifier()
        request.session[SESSION_KEY] = {
            "workspace": request.workspace.slug,
            "kind": kind,
            "state": state,
            "verifier": verifier,
            "name": request.POST.get("name", "")[:150],
        }
        return redirect(oauth.authorize_url(config, app, back, state, verifier))
    return render(request, "channels/connect_oauth.html", context)


@login_required
def connect_oauth_callback(request: HttpRequest, kind: str) -> HttpResponse:
    """Outside /w/: the network sends everyone back to one address; the session says which
    workspace the sign-in was started from, and that workspace's permission is checked."""
    pending: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not pending or pending.get("kind") != kind:
        return render(
            request,
            "channels/connect_oauth_failed.html",
            {"error": _("This sign-in was not started here, or it has expired. Start again.")},
            status=400,
        )
    return _callback(request, ws=pending["workspace"], kind=kind, pending=pending)


@workspace_view("channels.manage")
def _callback(request: WorkspaceRequest, kind: str, pending: dict[str, Any]) -> HttpResponse:
    cls = oauth_connector(kind)
    if not secrets.compare_digest(str(request.GET.get("state", "")), str(pending["state"])):
        # Someone else's authorization code must never be attached to this workspace.
        return _failed(
            request,
            kind,
            _(
                "The network's answer does not match the sign-in Liant started; nothing was "
                "connected. Start again."
            ),
        )
    del request.session[SESSION_KEY]  # one answer per sign-in
    if request.GET.get("error") or not request.GET.get("code"):
        reason = (
            request.GET.get("error_description")
            or request.GET.get("error")
            or _("no authorization code")
        )
        return _failed(
            request,
            kind,
            _("%(network)s did not grant access: %(reason)s")
            % {"network": cls.label, "reason": reason[:300]},
        )
    config = cls.oauth
    assert config is not None
    try:
        with client() as http:
            credentials = oauth.exchange_code(
                config,
                app_settings(kind),
                http,
                request.GET["code"],
                redirect_uri(request, kind),
                pending["verifier"],
            )
            choices = cls.accounts_after_oauth(credentials, http)
    except ConnectorError as exc:
        return _failed(
            request,
            kind,
            _("%(network)s refused: %(error)s") % {"network": cls.label, "error": exc.translated()},
        )
    if not choices:
        return _failed(
            request,
            kind,
            _("This sign-in gives Liant no account to manage on %(network)s.")
            % {"network": cls.label},
        )
    if len(choices) == 1:
        channel = _connect(request, kind, choices[0], pending.get("name", ""))
        return redirect("channel_detail", ws=request.workspace.slug, pk=channel.pk)
    request.session[CHOICES_KEY] = {
        "workspace": request.workspace.slug,
        "kind": kind,
        "choices": [
            {"name": c.name, "settings": c.settings, "credentials": c.credentials} for c in choices
        ],
    }
    return redirect("connect_oauth_choose", ws=request.workspace.slug, kind=kind)


@workspace_view("channels.manage")
def connect_oauth_choose(request: WorkspaceRequest, kind: str) -> HttpResponse:
    cls = oauth_connector(kind)
    pending = request.session.get(CHOICES_KEY)
    if not pending or pending["workspace"] != request.workspace.slug or pending["kind"] != kind:
        return _failed(request, kind, _("This sign-in has expired. Start again."))
    choices = [AccountChoice(**c) for c in pending["choices"]]
    if request.method == "POST":
        picked = {int(v) for v in request.POST.getlist("account") if v.isdigit()}
        picked &= set(range(len(choices)))
        if picked:
            del request.session[CHOICES_KEY]
            channels = [_connect(request, kind, choices[i], "") for i in sorted(picked)]
            if len(channels) == 1:
                return redirect("channel_detail", ws=request.workspace.slug, pk=channels[0].pk)
            return redirect("channels", ws=request.workspace.slug)
        messages.error(request, _("Choose at least one account."))
    return render(
        request,
        "channels/connect_oauth_choose.html",
        {"connector": cls, "kind": kind, "choices": list(enumerate(choices))},
    )


def _connect(request: WorkspaceRequest, kind: str, choice: AccountChoice, name: str) -> Channel:
    account_id = str(choice.settings.get("account_id", ""))
    # Signing in again to the same account renews its tokens instead of adding a twin.
    channel = (
        Channel.objects.filter(
            workspace=request.workspace, kind=kind, settings__account_id=account_id
        ).first()
        if account_id
        else None
    )
    reconnected = channel is not None
    if channel is None:
        channel = Channel(
            workspace=request.workspace,
            kind=kind,
            name=(name or choice.name)[:150],
            fetch_interval=registry.connector_class(kind).fetch_interval,
            created_by=request.user,
        )
    channel.settings = choice.settings
    channel.credentials = choice.credentials
    channel.health = Health.OK
    channel.next_fetch_at = None  # due now, even if the queue loses the task below
    channel.save()
    audit.record(
        request,
        "channel.connected",
        target=channel,
        kind=kind,
        account=choice.name,
        reconnected=reconnected,
    )
    tasks.fetch_channel(channel.pk)
    messages.success(request, _("%(account)s is connected.") % {"account": choice.name})
    return channel


def _failed(request: WorkspaceRequest, kind: str, error: str) -> HttpResponse:
    return render(
        request,
        "channels/connect_oauth_failed.html",
        {"error": error, "kind": kind},
        status=400,
    )
