from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from liant.core.models import AuditEvent, Workspace


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a proxy, axes/ipware-style trust would be configured; REMOTE_ADDR is the honest
    # default because X-Forwarded-For is client-controlled without a trusted proxy.
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest | None,
    action: str,
    *,
    workspace: Workspace | None = None,
    target: models.Model | None = None,
    actor: Any = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit event. `action` is a dotted verb like 'team.role_changed'."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if workspace is None and request is not None:
        workspace = getattr(request, "workspace", None)
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=str(getattr(actor, "email", "") or ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        ip_address=client_ip(request),
        data=data,
    )
