"""Liant's words on the space: replies from the inbox and announcements from the composer,
posted as the brand's account, signed with the agent's name when the space wants it.

The connector interface hands a `Draft` (text, idempotency key, extras) and no author: who
wrote it is found from the key, which the inbox (`inbox.Message.idempotency_key`) and the
publisher (`publishing.Variant.idempotency_key`, "-<n>" for follow-ups) make unique. The name
is stored on the post (`Post.signed_by`) so a later rename does not rewrite history; pages
show it while `Space.sign_with_agent` is on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, Draft, ErrorKind, RemotePost
from liant.space import notifications
from liant.space.models import Category, Post, Space, SpaceAccount, Topic

TITLE_LENGTH = 200


def _name(user: Any) -> str:
    return str(user.get_full_name())[:150] if user is not None else ""


def reply_author(space: Space, key: str) -> str:
    """The name of whoever sent this inbox reply ('' for an automatic one)."""
    from liant.inbox.models import Message  # noqa: PLC0415 - the inbox needs the space's connector

    if not key:
        return ""
    message = (
        Message.objects.filter(workspace_id=space.workspace_id, idempotency_key=key)
        .select_related("sent_by")
        .first()
    )
    return _name(message.sent_by) if message is not None else ""


def _variant(space: Space, key: str) -> Any:
    from liant.publishing.models import Variant  # noqa: PLC0415

    if not key:
        return None
    return (
        Variant.objects.filter(
            channel__workspace_id=space.workspace_id, idempotency_key=key.split("-", 1)[0]
        )
        .select_related("post__owner")
        .first()
    )


def title_of(draft: Draft, variant: Any) -> str:
    """The draft's title (extras["title"]), the composer post's title, else its first line
    without Markdown marks, cut at a word."""
    title = str(draft.extras.get("title") or "").strip()
    if not title and variant is not None:
        title = variant.post.title.strip()
    if not title:
        lines = (line.strip() for line in draft.text.splitlines())
        title = next((line for line in lines if line), "").lstrip("#>*-_ ").strip()
    title = " ".join(title.split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return title


def target_category(space: Space, draft: Draft) -> Category:
    """extras["category"] (an id of this space's topic categories), else the space's
    category for the composer's posts, else its first topic category."""
    forums = Category.objects.filter(space=space, kind=Category.Kind.FORUM)
    wanted = draft.extras.get("category")
    if wanted not in (None, ""):
        found = forums.filter(pk=int(wanted) if str(wanted).isdigit() else 0).first()
        if found is None:
            raise ConnectorError(
                _("This category is not one of the space's topic categories."), ErrorKind.PERMANENT
            )
        return found
    found = forums.filter(pk=space.publish_category_id or 0).first() or forums.first()
    if found is None:
        raise ConnectorError(
            _("The community space has no topic category to publish in."), ErrorKind.PERMANENT
        )
    return found


def publish(space: Space, brand: SpaceAccount, draft: Draft) -> RemotePost:
    """An announcement topic opened by the brand; a draft answering one of the brand's topics
    (a composer thread's follow-up) is a reply in it. The same key gives the same post."""
    from liant.space.connector import parse  # noqa: PLC0415
    from liant.space.posting import touch_topic  # noqa: PLC0415

    key = draft.idempotency_key[:100]
    variant = _variant(space, key)
    signed = _name(variant.post.owner) if variant is not None else ""
    body = draft.text + (f"\n\n{draft.link}" if draft.link else "")
    if not body.strip():
        raise ConnectorError(_("An announcement needs words."), ErrorKind.PERMANENT)
    with transaction.atomic():
        done = (
            Post.objects.filter(author=brand, idempotency_key=key, topic__category__space=space)
            .select_related("topic__category__space")
            .first()
            if key
            else None
        )
        if done is not None:
            return remote(done)
        if draft.reply_to:
            parent = (
                Post.objects.select_related("topic")
                .filter(pk=parse(draft.reply_to, "post") or 0, topic__category__space=space)
                .first()
            )
            if parent is None:
                raise ConnectorError(
                    _("The message answered is no longer on the community space."),
                    ErrorKind.PERMANENT,
                )
            post = Post.objects.create(
                topic=parent.topic,
                author=brand,
                body=body,
                parent=parent,
                idempotency_key=key,
                signed_by=signed,
            )
            touch_topic(post)
            notifications.on_post(post)
            return remote(post)
        category = target_category(space, draft)
        now = timezone.now()
        topic = Topic.objects.create(
            category=category,
            author=brand,
            title=title_of(draft, variant) or category.name,
            announcement=True,
            created_at=now,
            last_activity_at=now,
        )
        post = Post.objects.create(
            topic=topic,
            author=brand,
            body=body,
            created_at=now,
            idempotency_key=key,
            signed_by=signed,
        )
        notifications.on_post(post, opening=True)
    return remote(post)


def remote(post: Post) -> RemotePost:
    return RemotePost(
        remote_id=post.remote_id,
        url=django_settings.SITE_URL + post.topic.get_absolute_url() + f"#post-{post.pk}",
        published_at=post.created_at,
    )
