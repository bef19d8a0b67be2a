"""{% media_url item "thumbnail" %}: a library file's address for the current workspace —
plain, or signed and expiring when its owner's workspace is private (liant/media/addresses.py)."""

from __future__ import annotations

from typing import Any

from django import template

from liant.media import addresses

register = template.Library()


@register.simple_tag(takes_context=True)
def media_url(context: template.Context, obj: Any, kind: str = "file") -> str:
    # The owners' settings are read once per page, however many files it shows.
    cache: Any = context.render_context
    known: dict[int, bool] = cache.setdefault("liant_media_private", {})
    return addresses.address(context["current_workspace"], kind, obj, known=known)
