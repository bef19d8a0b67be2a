"""Polls: one vote per member (so per e-mail address), results as counts and shares."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from liant.animation.models import Poll, PollChoice, PollVote
from liant.animation.people import record_activity
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import Capability
from liant.members.models import ActivityKind, Identity, Member
from liant.publishing.models import Post, State, Variant, move
from liant.publishing.publisher import schedule


def vote(poll: Poll, choice: PollChoice, member: Member, identity: Identity | None) -> bool:
    """False when the member had already voted: the first vote stands."""
    if not poll.is_open or choice.poll_id != poll.pk:
        return False
    now = timezone.now()
    try:
        with transaction.atomic():
            PollVote.objects.create(poll=poll, choice=choice, member=member, at=now)
            record_activity(member, ActivityKind.POLL_VOTE, now, identity)
    except IntegrityError:
        return False
    return True


def network_votes(poll: Poll) -> dict[int, int]:
    """Votes the network counted for each choice position, as its last metrics said."""
    variant = poll.variant
    metrics = getattr(variant, "metrics", None) if variant is not None else None
    if metrics is None:
        return {}
    found = {}
    for key, value in (metrics.values or {}).items():
        if key.startswith("poll_option_") and key.removeprefix("poll_option_").isdigit():
            found[int(key.removeprefix("poll_option_"))] = int(value)
    return found


def results(poll: Poll) -> tuple[list[tuple[PollChoice, int, int]], int]:
    """(choice, votes, percent) in the poll's order, and the total: the votes on the public
    page plus those the network counted for the same choice."""
    remote = network_votes(poll)
    counted: list[tuple[PollChoice, int]] = [
        (c, int(c.n) + remote.get(i, 0))
        for i, c in enumerate(poll.choices.annotate(n=Count("votes")).order_by("position", "pk"))
    ]
    total = sum(n for _, n in counted)
    rows = [(c, n, round(100 * n / total) if total else 0) for c, n in counted]
    return rows, total


class NativePollRefused(Exception):
    pass


def native_channels(workspace_id: int) -> list[Channel]:
    """The workspace's channels whose network has polls of its own."""
    found = []
    for channel in Channel.objects.filter(workspace_id=workspace_id).order_by("name"):
        try:
            capabilities = registry.connector_class(channel.kind).capabilities
        except LookupError:
            continue
        if Capability.POLLS in capabilities:
            found.append(channel)
    return found


@transaction.atomic
def post_natively(poll: Poll, channel: Channel, hours: int, owner: Any) -> Variant:
    """Schedule the poll as a post on `channel` for now; the publisher does the rest. A poll
    is posted on one network once (its results are summed with the public page's)."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.variant_id is not None:
        raise NativePollRefused("already posted")
    if channel.workspace_id != poll.workspace_id or channel not in native_channels(
        poll.workspace_id
    ):
        raise NativePollRefused("no native polls on this channel")
    now = timezone.now()
    post = Post.objects.create(
        workspace_id=poll.workspace_id, owner=owner, title=poll.question[:200]
    )
    variant = Variant.objects.create(
        post=post,
        channel=channel,
        text=poll.question,
        extras={
            "poll": {
                "options": [c.text for c in poll.choices.order_by("position", "pk")],
                "expires_in": int(timedelta(hours=hours).total_seconds()),
            }
        },
    )
    move(post, State.SCHEDULED, actor=owner)
    schedule(variant, now, actor=owner)
    poll.variant = variant
    poll.save(update_fields=["variant"])
    return variant
