"""What an API token may do: its scope, on top of what its creator may do.

A token never does more than the person who made it may do in the workspace (their role,
read at every call: a demoted or removed creator takes their tokens' power with them). The
scope narrows it further:

- read: every "*.view" permission (channels, posts, inbox, listening, members, leads...).
- publish: read, plus the everyday writing of a community manager — posts (write, approve,
  schedule), replies from the inbox, member records and leads.
- moderate: read, plus the inbox replies and moderation actions. It does not include
  publish: acting on what others said is not speaking for the brand.
- admin: everything the creator's role allows (so publish and moderate too).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liant.core.permissions import PERMISSIONS


class Scope(models.TextChoices):
    READ = "read", _("Read only")
    PUBLISH = "publish", _("Read and publish")
    MODERATE = "moderate", _("Read and moderate")
    ADMIN = "admin", _("Administration")


READ = frozenset(name for name in PERMISSIONS if name.endswith(".view"))
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    Scope.READ: READ,
    Scope.PUBLISH: READ
    | {
        "posts.write",
        "posts.approve",
        "posts.publish",
        "inbox.reply",
        "members.manage",
        "leads.manage",
    },
    Scope.MODERATE: READ | {"inbox.reply", "moderation.act"},
    Scope.ADMIN: frozenset(PERMISSIONS),
}


def scope_allows(scope: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    return permission in SCOPE_PERMISSIONS.get(scope, frozenset())
