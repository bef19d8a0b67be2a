"""The one place views check who may see what.

Every workspace view is wrapped by `workspace_view(permission)`. A person who is not a member
of the workspace gets a 404 (we do not even confirm the workspace exists); a member without
the permission gets a 403; an anonymous visitor is sent to sign in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from liant.core.models import Membership, User, Workspace
from liant.core.permissions import role_has


class AuthedRequest(HttpRequest):
    """The request of a view that requires sign-in (for type checking only)."""

    user: User


class WorkspaceRequest(AuthedRequest):
    """The request a `workspace_view` receives."""

    workspace: Workspace
    membership: Membership


def membership_for(user: Any, slug: str) -> Membership:
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace", "workspace__organisation")
        .filter(workspace__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def check(membership: Membership, permission: str) -> None:
    if not role_has(membership.role, permission):
        raise PermissionDenied


def workspace_view(permission: str = "workspace.view") -> Callable:
    """Decorator: resolves `ws` from the URL, checks membership and permission.

    The view receives `request.workspace` and `request.membership`.
    """

    role_has("owner", permission)  # unknown permission names fail at import time

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, ws: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, ws)
            check(membership, permission)
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            user = membership.user
            if user.last_workspace_id != membership.workspace_id:
                user.last_workspace = membership.workspace
                user.save(update_fields=["last_workspace"])
            return view(request, *args, **kwargs)

        wrapper.liant_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def scoped(queryset: Any, workspace: Workspace) -> Any:
    """Every query on workspace data goes through here or filters on workspace itself."""
    return queryset.filter(workspace=workspace)
