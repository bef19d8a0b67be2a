"""@mentions: "@handle" (or "@Name" when the display name is one word) names an account of the
same space. They are resolved when a post is saved and turned into links in the HTML that nh3
has already cleaned.

The links are put into the sanitized HTML, never built from the raw text: only text between
tags is searched (nothing inside a link, `code` or `pre`), what is matched is letters, digits
and "_" only, and the link is made with format_html, so nothing a member typed can become
markup here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import format_html

if TYPE_CHECKING:
    from liant.space.models import Post, SpaceAccount

# "@" not preceded by a word character (an e-mail address is not a mention).
MENTION = re.compile(r"(?<![\w@/.])@(\w{2,30})", re.UNICODE)
# Splitting on tags is sound on nh3's output only: it writes "<" and ">" inside attribute
# values as entities, so a ">" always ends a tag (tests/space/test_notifications.py checks it).
TAG = re.compile(r"(<[^>]*>)")
SKIP_INSIDE = {"a", "code", "pre"}
MAX_MENTIONS = 20  # a post naming more people is not a conversation, it is a broadcast


def candidates(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in MENTION.findall(text or ""):
        seen.setdefault(word.casefold(), None)
    return list(seen)[:MAX_MENTIONS]


def resolve(space_id: int, words: list[str]) -> dict[str, SpaceAccount]:
    """Word (case-folded) → account of this space: its handle, else a one-word display name.
    Accounts not confirmed, banned or erased are not mentionable."""
    from liant.space.models import SpaceAccount  # noqa: PLC0415

    if not words:
        return {}
    rows = SpaceAccount.objects.filter(
        space_id=space_id, confirmed_at__isnull=False, banned_at__isnull=True
    ).exclude(email="", staff=False)
    found: dict[str, SpaceAccount] = {}
    for account in rows.filter(handle__in=words).select_related("space__workspace"):
        found[account.handle.casefold()] = account
    names = [w for w in words if w not in found]
    if names:
        # Display names are compared in Python: the database's case folding differs
        # between SQLite (ASCII only) and PostgreSQL.
        for account in rows.filter(display_name__iregex=r"^\w+$").select_related(
            "space__workspace"
        ):
            key = account.display_name.casefold()
            if key in names and key not in found:
                found[key] = account
    return found


def link_mentions(post: Post, html: str) -> tuple[str, list[SpaceAccount]]:
    """The post's sanitized HTML with its mentions as links, and the accounts mentioned
    (not its author)."""
    words = candidates(html)
    if not words:
        return html, []
    space_id = post.topic.category.space_id
    found = resolve(space_id, words)
    if not found:
        return html, []
    parts = TAG.split(html)
    depth = 0  # inside how many a/code/pre elements
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part.strip("</ >").split(" ", 1)[0].lower()
            if name in SKIP_INSIDE:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth > 0 or "@" not in part:
            continue
        parts[index] = MENTION.sub(lambda m: _link(m, found), part)
    mentioned = [a for a in found.values() if a.pk != post.author_id]
    return "".join(parts), mentioned


def _link(match: re.Match[str], found: dict[str, SpaceAccount]) -> str:
    account = found.get(match.group(1).casefold())
    if account is None:
        return match.group(0)
    url = reverse("space_profile", kwargs={"slug": account.space.slug, "pk": account.pk})
    return str(format_html('<a href="{}" class="mention">@{}</a>', url, match.group(1)))
