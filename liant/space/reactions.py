"""Reactions on posts: a small fixed set, one of each per account and post, toggled.

A reaction is stored as a channels.Event of kind "reaction" of the space's channel, like a
post, so members count it in engagement with no case for the space. Its remote id names the
post, the account and the reaction, so reacting again after taking it back is the same event
(storing dedups per remote id): toggling cannot inflate anyone's score. Taking a reaction
back leaves the event: it happened, as a like later withdrawn on another network does.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

from liant.channels.fetching import store_events
from liant.channels.models import Channel
from liant.connectors.base import Author, Event, EventKind, FetchResult
from liant.space import notifications
from liant.space.connector import first_posts
from liant.space.models import Post, Reaction, SpaceAccount

log = logging.getLogger(__name__)


class CannotReact(Exception):
    pass


def toggle(account: SpaceAccount, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back; True when it is now there."""
    if kind not in Reaction.Kind.values:
        raise CannotReact("unknown reaction")
    if not account.can_post or post.author_id == account.pk or not post.visible:
        raise CannotReact("not allowed")
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(post=post, account=account, kind=kind).delete()
        if deleted:
            notifications.on_reaction_removed(post, account, kind)
            return False
        try:
            with transaction.atomic():
                reaction = Reaction.objects.create(post=post, account=account, kind=kind)
        except IntegrityError:  # the same click twice at once: it is there
            return True
        publish(reaction)
        notifications.on_reaction(post, account, kind)
    return True


def to_event(reaction: Reaction) -> Event:
    post = reaction.post
    topic = post.topic
    first_id = first_posts({topic.pk}).get(topic.pk)
    account = reaction.account
    return Event(
        kind=EventKind.REACTION,
        remote_id=reaction.remote_id,
        author=Author(
            remote_id=account.remote_id, handle=account.display_name, name=account.display_name
        ),
        occurred_at=reaction.created_at,
        text=Reaction.Kind(reaction.kind).label,
        url=django_settings.SITE_URL + topic.get_absolute_url() + f"#post-{post.pk}",
        parent_remote_id=post.remote_id,
        thread_remote_id=f"post:{first_id}",
        raw={"reaction": reaction.kind, "topic_id": topic.pk, "space_id": topic.category.space_id},
    )


def publish(reaction: Reaction) -> int:
    """Store the reaction as an event now; a failure is logged and loses nothing else."""
    space = reaction.post.topic.category.space
    channel = Channel.objects.filter(pk=space.channel_id).first() if space.channel_id else None
    if channel is None:
        return 0
    try:
        with transaction.atomic():
            return store_events(channel, FetchResult([to_event(reaction)], channel.cursor))
    except Exception:
        log.exception("storing space reaction %s as an event failed", reaction.pk)
        return 0


def counts(posts: list[Post], account: SpaceAccount | None) -> None:
    """Sets `post.reaction_list` on each: (kind, emoji, count, mine) for every kind."""
    ids = [p.pk for p in posts]
    rows = Reaction.objects.filter(post_id__in=ids).values_list("post_id", "kind", "account_id")
    totals: Counter[tuple[int, str]] = Counter()
    mine: set[tuple[int, str]] = set()
    for post_id, kind, account_id in rows:
        totals[(post_id, kind)] += 1
        if account is not None and account_id == account.pk:
            mine.add((post_id, kind))
    for post in posts:
        post.reaction_list = [  # type: ignore[attr-defined]
            (kind, label, totals[(post.pk, kind)], (post.pk, kind) in mine)
            for kind, label in Reaction.Kind.choices
        ]
