"""What people do to a whole post: schedule it, take it back, cancel it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liant.media.library import alt_text_problems, video_problems
from liant.publishing import publisher, utm
from liant.publishing.models import Post, Variant, move
from liant.publishing.states import State, allowed
from liant.publishing.validation import check_variant


def problems_of(post: Post) -> list[str]:
    """Everything that stops the post from being scheduled, per channel, in plain words."""
    variants = list(post.variants.select_related("channel").prefetch_related("media__library_item"))
    if not variants:
        return [_("Choose at least one channel.")]
    found = []
    for variant in variants:
        link = utm.link_for(post, variant.link, variant.channel.kind)  # counted as sent
        check = check_variant(
            variant.channel,
            utm.tagged_text(variant.text, variant.link, link),
            link,
            variant.content_warning,
            list(variant.thread),
            # A library image goes as a rendition made to fit the network: its size is not
            # the original's, so only its type is checked here (videos go as they are).
            [
                (
                    item.content_type,
                    0
                    if item.library_item_id and not item.content_type.startswith("video/")
                    else item.size,
                )
                for item in variant.media.all()
            ],
        )
        found += [f"{variant.channel.name}: {problem}" for problem in check.problems]
    # Media library hook: images without a description stop scheduling if the workspace says so.
    blocking, missing = alt_text_problems(variants, post.workspace)
    found += video_problems(variants)
    return found + missing if blocking else found


def schedule_post(post: Post, at: datetime, actor: Any) -> list[str]:
    """Schedule every draft variant at `at`; returns the problems that prevented it."""
    if not allowed(post.state, State.SCHEDULED):
        return [_("Only a draft or an approved post can be scheduled.")]
    problems = problems_of(post)
    if problems:
        return problems
    with transaction.atomic():
        if not move(post, State.SCHEDULED, actor=actor):
            return [_("The post changed meanwhile; reload the page.")]
        for variant in post.variants.filter(state=State.DRAFT):
            publisher.schedule(variant, at, actor)
    return []


def unschedule_post(post: Post, actor: Any) -> bool:
    """Back to draft, with the variants that are waiting or failed, to be fixed. Variants
    out, going out or unconfirmed keep their state: what may be out is not rewritten."""
    with transaction.atomic():
        if not move(post, State.DRAFT, actor=actor):
            return False
        for variant in post.variants.filter(state__in=[State.SCHEDULED, State.FAILED, State.HELD]):
            move(variant, State.DRAFT, actor=actor, due_at=None)
    return True


def cancel_variant(variant: Variant, actor: Any) -> bool:
    with transaction.atomic():
        done = move(variant, State.CANCELLED, actor=actor, due_at=None)
        if done:
            variant.post.settle(actor)
    return done


def cancel_post(post: Post, actor: Any) -> bool:
    """Cancel the post and every variant not yet out; one being published finishes."""
    with transaction.atomic():
        if not move(post, State.CANCELLED, actor=actor):
            return False
        for variant in post.variants.all():
            if allowed(variant.state, State.CANCELLED):
                move(variant, State.CANCELLED, actor=actor, due_at=None)
    return True
