from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from liant.core.navigation import MODULES, module_url
from liant.core.permissions import permissions_of, role_has


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation for the current workspace, showing only what the role may open."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if membership is None or user is None or not user.is_authenticated:
        return {}
    slug = membership.workspace.slug
    items = [
        {"module": m, "url": url, "built": bool(m.url_name), "active": request.path.startswith(url)}
        for m in MODULES
        for url in [module_url(m, slug)]
        if role_has(membership.role, m.permission)
    ]
    return {
        "nav_modules": items,
        "current_workspace": membership.workspace,
        "current_membership": membership,
        # For showing links only; every view checks the permission itself.
        "ws_perms": permissions_of(membership.role),
        "user_workspaces": list(user.workspaces()),
    }
