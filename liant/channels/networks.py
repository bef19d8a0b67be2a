"""The network status page: what Liant does on each network, read from what each connector
declares (capabilities, moderation actions, rules, how one connects, what the API forbids).
It is the product's own documentation of its connectors, so it can never drift from the code."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from liant.connectors import registry
from liant.connectors.apps import has_app
from liant.connectors.base import Capability, Connector, ModerationAction
from liant.core.access import WorkspaceRequest, workspace_view

CAPABILITY_LABELS = {
    Capability.PUBLISH: _("Publish"),
    Capability.REPLY: _("Reply"),
    Capability.FETCH: _("Read (inbox)"),
    Capability.SEND_DIRECT: _("Private messages"),
    Capability.METRICS: _("Metrics"),
    Capability.MODERATE: _("Moderate"),
    Capability.SEARCH: _("Listening search"),
    Capability.POLLS: _("Native polls"),
    Capability.WEBHOOKS: _("Pushed events"),
    Capability.AUDIENCE: _("Followers count"),
}

ACTION_LABELS = {
    ModerationAction.HIDE: _("hide"),
    ModerationAction.DELETE: _("delete"),
    ModerationAction.MUTE: _("mute"),
    ModerationAction.BLOCK: _("block"),
    ModerationAction.KICK: _("kick"),
    ModerationAction.BAN: _("ban"),
    ModerationAction.UNMUTE: _("unmute"),
    ModerationAction.UNBLOCK: _("unblock"),
    ModerationAction.UNBAN: _("unban"),
}


@dataclass
class NetworkRow:
    kind: str
    connector: type[Connector]
    capabilities: list[tuple[str, bool]]
    actions: list[str]
    max_length: int | None
    max_media: int
    idempotent_publish: str
    oauth_ready: bool | None  # None: the network does not sign in with OAuth


def rows() -> list[NetworkRow]:
    result = []
    for kind, _label in registry.choices():
        cls = registry.connector_class(kind)
        window = cls.publish_idempotency_window
        if Capability.PUBLISH not in cls.capabilities:
            idempotent = ""
        elif window == 0:
            idempotent = str(_("no: a doubtful publish is left to a person"))
        elif math.isinf(window):
            idempotent = str(_("yes, for as long as the post exists"))
        else:
            idempotent = str(_("yes, for %(minutes)s minutes") % {"minutes": int(window // 60)})
        result.append(
            NetworkRow(
                kind=kind,
                connector=cls,
                capabilities=[
                    (str(label), capability in cls.capabilities)
                    for capability, label in CAPABILITY_LABELS.items()
                ],
                actions=[
                    str(label)
                    for action, label in ACTION_LABELS.items()
                    if action in cls.moderation_actions
                ],
                max_length=cls.rules.max_length,
                max_media=cls.rules.max_media,
                idempotent_publish=idempotent,
                oauth_ready=has_app(kind) if cls.oauth is not None else None,
            )
        )
    return result


@workspace_view("channels.view")
def network_status(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "channels/networks.html",
        {"rows": rows(), "capability_labels": [str(v) for v in CAPABILITY_LABELS.values()]},
    )
