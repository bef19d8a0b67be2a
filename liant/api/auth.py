"""Who is calling: an API token (Authorization: Bearer liant_…) or the signed-in session of
the web app (with its CSRF token on unsafe methods, and the workspace named in the
Liant-Workspace header — else the last one the person used)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from liant.api import ratelimit
from liant.api.models import TOKEN_PREFIX, ApiToken, hash_token
from liant.api.problems import Problem
from liant.api.scopes import scope_allows
from liant.core.access import membership_for
from liant.core.models import Membership, User, Workspace
from liant.core.permissions import role_has

WORKSPACE_HEADER = "Liant-Workspace"


@dataclass
class Caller:
    workspace: Workspace
    user: User
    role: str
    token: ApiToken | None = None

    @property
    def ident(self) -> str:
        return f"token:{self.token.pk}" if self.token else f"user:{self.user.pk}"

    def can(self, permission: str) -> bool:
        if not role_has(self.role, permission):
            return False
        return self.token is None or scope_allows(self.token.scope, permission)


def refused(detail: str) -> Problem:
    return Problem(
        401, detail, slug="invalid-token", headers={"WWW-Authenticate": 'Bearer realm="liant"'}
    )


def admit(request: HttpRequest, caller: Caller) -> Caller:
    request.liant_rate_budget = ratelimit.hit(caller.ident)  # type: ignore[attr-defined]
    return caller


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        if not token.startswith(TOKEN_PREFIX):
            raise refused(_("This is not a Liant API token."))
        found = (
            ApiToken.objects.select_related("workspace", "created_by")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if found is None:
            raise refused(_("Unknown API token."))
        if found.revoked_at is not None:
            raise refused(_("This API token was revoked."))
        if found.expired(timezone.now()):
            raise refused(_("This API token has expired."))
        creator = found.created_by
        membership = Membership.objects.filter(
            workspace_id=found.workspace_id, user=creator
        ).first()
        if membership is None or not creator.is_active:
            # A token never outlives its creator's access to the workspace.
            raise refused(_("The person who made this token no longer has access."))
        found.touch()
        return admit(
            request,
            Caller(workspace=found.workspace, user=creator, role=membership.role, token=found),
        )


class SessionAuth(APIKeyCookie):
    """The web app's own calls. APIKeyCookie checks the CSRF token on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Caller | None:
        if not request.user.is_authenticated:
            return None  # nobody signed in: a 401, not a CSRF refusal
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        slug = request.headers.get(WORKSPACE_HEADER, "")
        if not slug and user.last_workspace_id:
            slug = user.last_workspace.slug
        if not slug:
            raise Problem(
                400,
                _("Name the workspace in the Liant-Workspace header."),
                slug="workspace-required",
            )
        membership = membership_for(user, slug)  # 404 for a workspace that is not theirs
        return admit(
            request, Caller(workspace=membership.workspace, user=user, role=membership.role)
        )


def caller_of(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def require(request: HttpRequest, permission: str) -> Caller:
    """The caller, if it may do `permission`; a 403 problem otherwise."""
    caller = caller_of(request)
    if not caller.can(permission):
        raise Problem(
            403,
            _("This needs the “%(permission)s” permission, which this token or account lacks.")
            % {"permission": permission},
            slug="permission-denied",
            permission=permission,
        )
    return caller
