"""Writing in the space: topics and replies, the rate limit, and handing each post to the
other modules at once.

A post is stored as a channels.Event in the same transaction that saves it (through
liant.channels.fetching.store_events, the path every fetch takes), so moderation, inbox,
members and listening see it within seconds; the connector's `fetch` catches up on anything
this path missed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from liant.channels.fetching import store_events
from liant.channels.models import Channel
from liant.connectors.base import FetchResult
from liant.core.models import User, Workspace
from liant.space import limits, notifications
from liant.space.connector import first_posts, to_edit_event, to_event
from liant.space.models import Category, Post, PostRevision, Space, SpaceAccount, Topic

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(minutes=1)


@dataclass
class TooFast(Exception):
    """The account posted `limit` times within the last minute; `wait` seconds to go."""

    limit: int
    wait: int


def check_rate(account: SpaceAccount, now: datetime | None = None) -> None:
    """At most `space.posts_per_minute` posts (and edits) per account within any minute, read
    from the posts and revisions stored (nothing to keep in memory or in a cache, and right
    across workers)."""
    now = now or timezone.now()
    limit = account.space.posts_per_minute
    if not limit:
        return
    since = now - RATE_WINDOW
    # An edit counts as a post: rewriting a message again and again is posting again.
    recent = sorted(
        [
            *Post.objects.filter(author=account, created_at__gt=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit],
            *PostRevision.objects.filter(post__author=account, replaced_at__gt=since)
            .order_by("-replaced_at")
            .values_list("replaced_at", flat=True)[:limit],
        ],
        reverse=True,
    )[:limit]
    if len(recent) >= limit:
        oldest = recent[-1]
        wait = max(1, int((oldest + RATE_WINDOW - now).total_seconds()) + 1)
        raise TooFast(limit=limit, wait=wait)


def start_topic(account: SpaceAccount, category: Category, title: str, body: str) -> Post:
    check_rate(account)
    limits.check(account, topic=True)
    with transaction.atomic():
        now = timezone.now()
        topic = Topic.objects.create(
            category=category, author=account, title=title, created_at=now, last_activity_at=now
        )
        post = Post.objects.create(topic=topic, author=account, body=body, created_at=now)
        publish_to_modules(post, first_id=post.pk)
        notifications.follow(account, topic=topic)
        notifications.on_post(post, opening=True)
    return post


def reply(account: SpaceAccount, topic: Topic, body: str, parent: Post | None = None) -> Post:
    check_rate(account)
    limits.check(account, topic=False)
    with transaction.atomic():
        post = Post.objects.create(topic=topic, author=account, body=body, parent=parent)
        touch_topic(post)
        publish_to_modules(post)
        notifications.follow(account, topic=topic)
        notifications.on_post(post)
    return post


def announce(
    space: Space, category: Category, title: str, body: str, pinned: bool, signed_by: str = ""
) -> Topic:
    """A topic opened by the brand, flagged as an announcement. Not an event: it is the
    brand's own words, like its replies."""
    brand = brand_account(space)
    with transaction.atomic():
        now = timezone.now()
        topic = Topic.objects.create(
            category=category,
            author=brand,
            title=title,
            pinned=pinned,
            announcement=True,
            created_at=now,
            last_activity_at=now,
        )
        post = Post.objects.create(
            topic=topic, author=brand, body=body, created_at=now, signed_by=signed_by[:150]
        )
        notifications.on_post(post, opening=True)
    return topic


def chat_room(category: Category) -> Topic:
    """A chat category is one topic opened by the brand (its first): members' messages are
    replies in it, so they are comments like any other and moderation judges them the same.
    The category row is locked so two first visitors make one room."""
    with transaction.atomic():
        Category.objects.select_for_update().filter(pk=category.pk).first()
        room = Topic.objects.filter(category=category).order_by("pk").first()
        if room is not None:
            return room
        brand = brand_account(category.space)
        now = timezone.now()
        room = Topic.objects.create(
            category=category,
            author=brand,
            title=category.name,
            created_at=now,
            last_activity_at=now,
        )
        Post.objects.create(
            topic=room, author=brand, body=category.description or category.name, created_at=now
        )
    return room


def touch_topic(post: Post) -> None:
    Topic.objects.filter(pk=post.topic_id, last_activity_at__lt=post.created_at).update(
        last_activity_at=post.created_at
    )


def publish_to_modules(
    post: Post, first_id: int | None = None, revision: PostRevision | None = None
) -> int:
    """Store the post (or, with `revision`, its edit) as an event of the space's channel now.
    A failure here must not lose the member's post: it is logged, and the next fetch stores
    it (an edit's event is not caught up: the post's is already there)."""
    space = post.topic.category.space
    if space.channel_id is None or post.author.staff:
        return 0
    channel = Channel.objects.filter(pk=space.channel_id).first()
    if channel is None:
        return 0
    if first_id is None:
        first_id = first_posts({post.topic_id}).get(post.topic_id)
    try:
        with transaction.atomic():
            # The cursor is the catch-up's; storing one post leaves it where it is.
            event = (
                to_event(post, first_id)
                if revision is None
                else to_edit_event(post, revision, first_id)
            )
            return store_events(channel, FetchResult([event], channel.cursor))
    except Exception:
        log.exception("storing space post %s as an event failed; the next fetch will", post.pk)
        return 0


# --- Setting the space up -------------------------------------------------------------------


def space_of(workspace: Workspace) -> Space:
    """The workspace's space, created closed the first time someone looks at it."""
    space, _ = Space.objects.get_or_create(workspace=workspace, defaults={"title": workspace.name})
    return space


def brand_account(space: Space) -> SpaceAccount:
    account = SpaceAccount.objects.filter(space=space, staff=True).order_by("pk").first()
    if account is None:
        account = SpaceAccount.objects.create(
            space=space,
            display_name=space.workspace.name[:80],
            language=space.workspace.language[:8] or "fr",
            staff=True,
            confirmed_at=timezone.now(),
        )
    return account


def open_channel(space: Space, user: User | None = None) -> Channel:
    """The space's channel, created when the space is first enabled (or again if it was
    removed from the channels page): from then on it is a channel like the others."""
    brand = brand_account(space)
    channel = Channel.objects.filter(pk=space.channel_id).first() if space.channel_id else None
    settings = {"space_id": space.pk, "account_id": brand.remote_id}
    if channel is None:
        channel = Channel.objects.create(
            workspace=space.workspace,
            kind="space",
            name=space.title[:150],
            settings=settings,
            fetch_interval=300,
            created_by=user,
        )
        space.channel = channel
        space.save(update_fields=["channel"])
    elif channel.settings != settings:
        channel.settings = settings
        channel.save(update_fields=["settings"])
    return channel
