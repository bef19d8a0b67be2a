"""Who may do what in a workspace.

The table below is the single source of truth; views ask `core.access` which reads it.
Adding a module = adding its permissions here, with the roles that get them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    MODERATOR = "moderator", _("Moderator")
    ANALYST = "analyst", _("Analyst")
    CLIENT_APPROVER = "client_approver", _("Client approver")


O, A, CM, MOD, AN, CL = (  # noqa: E741 - short names keep the table readable
    Role.OWNER,
    Role.ADMIN,
    Role.COMMUNITY_MANAGER,
    Role.MODERATOR,
    Role.ANALYST,
    Role.CLIENT_APPROVER,
)
EVERYONE = frozenset(Role)

# permission -> (description, roles that have it)
PERMISSIONS: dict[str, tuple[StrOrPromise, frozenset[str]]] = {
    "workspace.view": (_("See the workspace"), EVERYONE),
    "workspace.manage": (_("Change the workspace's settings"), frozenset({O, A})),
    "workspace.delete": (_("Delete the workspace"), frozenset({O})),
    "team.view": (_("See the team"), frozenset({O, A, CM, MOD, AN})),
    "team.manage": (_("Invite people and change roles"), frozenset({O, A})),
    "audit.view": (_("Read the audit log"), frozenset({O, A})),
    "channels.view": (_("See channels and their health"), frozenset({O, A, CM, MOD, AN})),
    "channels.manage": (_("Connect and disconnect channels"), frozenset({O, A, CM})),
    "strategy.view": (_("See the strategy"), frozenset({O, A, CM, AN, CL})),
    "strategy.manage": (_("Edit the strategy and editorial line"), frozenset({O, A, CM})),
    "posts.view": (_("See posts and the calendar"), EVERYONE),
    "posts.write": (_("Write and schedule posts"), frozenset({O, A, CM})),
    "posts.approve": (_("Approve posts"), frozenset({O, A, CM, CL})),
    "posts.publish": (_("Publish posts"), frozenset({O, A, CM})),
    "inbox.view": (_("Read the inbox"), frozenset({O, A, CM, MOD})),
    "inbox.reply": (_("Reply from the inbox"), frozenset({O, A, CM, MOD})),
    "inbox.manage": (
        _("Edit routing rules, saved replies, departments and SLA policies"),
        frozenset({O, A, CM}),
    ),
    "listening.view": (_("Read listening results"), frozenset({O, A, CM, AN})),
    "listening.manage": (_("Edit listening queries"), frozenset({O, A, CM})),
    "moderation.view": (_("See the review queue"), frozenset({O, A, CM, MOD})),
    "moderation.act": (_("Take moderation actions"), frozenset({O, A, CM, MOD})),
    "moderation.manage": (_("Edit the charter and rules"), frozenset({O, A, CM})),
    "members.view": (_("See community members"), frozenset({O, A, CM, MOD, AN})),
    "members.manage": (_("Edit, merge and tag members"), frozenset({O, A, CM})),
    "animation.manage": (_("Run polls, contests, quizzes and events"), frozenset({O, A, CM})),
    "newsletters.manage": (_("Write and send newsletters"), frozenset({O, A, CM})),
    "leads.view": (_("See leads"), frozenset({O, A, CM, AN})),
    "leads.manage": (_("Manage leads"), frozenset({O, A, CM})),
    "feedback.manage": (_("Route verbatims and ideas"), frozenset({O, A, CM})),
    "analytics.view": (_("See dashboards and reports"), frozenset({O, A, CM, AN, CL})),
    "reports.manage": (_("Write and schedule reports"), frozenset({O, A, CM})),
    "space.manage": (_("Run the community space"), frozenset({O, A, CM})),
    "data.export": (_("Export personal data"), frozenset({O, A})),
    "data.erase": (_("Erase a person's data"), frozenset({O})),
}


def role_has(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission][1]
    except KeyError:
        # A typo in a permission name must fail loudly in tests, not silently deny.
        raise KeyError(f"Unknown permission {permission!r}") from None


def permissions_of(role: str) -> set[str]:
    return {name for name, (_desc, roles) in PERMISSIONS.items() if role in roles}


# Who may grant which role: nobody grants a role above their own.
ROLE_RANK: dict[str, int] = {O: 5, A: 4, CM: 3, MOD: 2, AN: 2, CL: 1}


def can_grant(granter_role: str, role: str) -> bool:
    if granter_role == Role.OWNER:
        return True
    return role_has(granter_role, "team.manage") and ROLE_RANK[role] < ROLE_RANK[granter_role]
