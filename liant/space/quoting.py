"""Quoting a post in a reply: the "Quote" link under a post opens the reply form filled with
a Markdown blockquote, its author's name and a link to the quoted post (`?quote=<id>`, so it
works without JavaScript). `&part=<text>` quotes only that passage — accepted only when it is
really in the post (spaces folded), so nobody can put words in another member's mouth by
crafting the link; otherwise the whole post is quoted, and the member trims it.

The quote is Markdown like the rest of the reply: rendered and cleaned by nh3 on save, so a
quoted post is exactly as safe as a written one. Only a post the reader may see is quoted
(not hidden, deleted, or held — except one's own held post).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from liant.space.models import Post, SpaceAccount, Topic
from liant.space.notifications import held_post_ids

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")
MAX_PART = 2000


def escape_markdown(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def folded(text: str) -> str:
    return " ".join(text.split())


def quote_markdown(post: Post, url: str, part: str = "") -> str:
    """ "> **Name** [wrote](url):" then the words, each line prefixed with "> "."""
    words = part if part else post.body.strip()
    lines = words.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    name = escape_markdown(post.author.display_name)
    return f"> **{name}** [{_('wrote')}]({url}):\n>\n{quoted}\n\n"


def initial(request: HttpRequest, topic: Topic, account: SpaceAccount | None) -> dict[str, Any]:
    """The reply form's initial data for `?quote=`, or nothing."""
    from liant.space.public_views import post_url  # noqa: PLC0415 - views import this module

    raw = request.GET.get("quote", "")
    if account is None or not raw.isdigit():
        return {}
    post = (
        Post.objects.filter(pk=int(raw), topic=topic, hidden=False, deleted_at__isnull=True)
        .select_related("author", "topic__category__space")
        .first()
    )
    if post is None or post.author.erased:
        return {}
    if post.author_id != account.pk and held_post_ids(topic.category.space_id, [post.pk]):
        return {}
    part = folded(request.GET.get("part", ""))[:MAX_PART]
    if part and part not in folded(post.body):
        part = ""
    return {"body": quote_markdown(post, post_url(post), part), "parent": post.pk}
