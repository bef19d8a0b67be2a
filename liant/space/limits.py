"""Posting limits per trust level: newcomers open fewer topics and replies an hour than
regulars.

The trust level is the member's engagement level from Members (observer, participant,
contributor, ambassador), the same one Moderation's rules read with "author's level at most";
an account Liant does not know as a member yet is an observer, as it is for Moderation.

Why not Moderation's flood-control rule: that rule judges a message after it is stored, on
every channel, and holds it for a moderator; on the space Liant can refuse before anything is
stored, and tell the member how long to wait. Both count stored messages (here the space's
`Post` rows, so right across workers with nothing kept in memory); a workspace may use both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liant.members.models import LEVEL_ORDER, Identity, Level, Member
from liant.space.connector import first_posts
from liant.space.models import Post, PostingLimit, Space, SpaceAccount, Topic

WINDOW = timedelta(hours=1)
NETWORK = "space"  # accounts.NETWORK, not imported: accounts reads posting's neighbours

# Level → (topics, replies) an hour when the space has not set its own; 0 is no limit.
DEFAULTS: dict[str, tuple[int, int]] = {
    Level.OBSERVER: (3, 20),
    Level.PARTICIPANT: (10, 60),
    Level.CONTRIBUTOR: (20, 120),
    Level.AMBASSADOR: (0, 0),
}


@dataclass
class OverLimit(Exception):
    """The account reached its level's hourly limit of topics (or replies)."""

    level: str
    limit: int
    wait: int  # seconds until the oldest counted post leaves the hour
    topics: bool

    def message(self) -> str:
        minutes = max(1, -(-self.wait // 60))
        level = str(Level(self.level).label)
        if self.topics:
            said = ngettext(
                "At your level in the community (%(level)s) you can open %(limit)s topic an hour.",
                "At your level in the community (%(level)s) you can open %(limit)s topics an hour.",
                self.limit,
            )
        else:
            said = ngettext(
                "At your level in the community (%(level)s) you can post %(limit)s reply an hour.",
                "At your level in the community (%(level)s) you can post %(limit)s replies an "
                "hour.",
                self.limit,
            )
        wait = ngettext(
            "You can post again in %(count)s minute.",
            "You can post again in %(count)s minutes.",
            minutes,
        )
        more = _("Taking part regularly raises your level, and the limit with it.")
        return " ".join(
            [said % {"level": level, "limit": self.limit}, wait % {"count": minutes}, more]
        )


def level_of(account: SpaceAccount) -> str:
    """The engagement level of the member behind the account (read only, merges followed)."""
    identity = (
        Identity.objects.filter(
            workspace_id=account.space.workspace_id, network=NETWORK, key=account.remote_id
        )
        .select_related("member")
        .first()
    )
    member: Member | None = identity.member if identity is not None else None
    hops = 0
    while member is not None and member.merged_into_id is not None and hops < 10:
        member = Member.objects.filter(pk=member.merged_into_id).first()
        hops += 1
    if member is None or member.level not in LEVEL_ORDER:
        return Level.OBSERVER
    return member.level


def limits_of(space: Space) -> dict[str, tuple[int, int]]:
    """Every level's (topics, replies) an hour: the space's own, else the defaults."""
    found = dict(DEFAULTS)
    for row in PostingLimit.objects.filter(space=space):
        if row.level in found:
            found[row.level] = (row.topics_per_hour, row.replies_per_hour)
    return found


def save_limits(space: Space, values: dict[str, tuple[int, int]]) -> None:
    for level, (topics, replies) in values.items():
        PostingLimit.objects.update_or_create(
            space=space,
            level=level,
            defaults={"topics_per_hour": topics, "replies_per_hour": replies},
        )


def check(account: SpaceAccount, *, topic: bool, now: datetime | None = None) -> None:
    """Raise OverLimit when one more topic (or reply) would pass the account's hourly limit.
    Replies are the account's posts of the hour that did not open a topic (chat messages
    are replies). A topic opened just before the hour whose first post is inside it (the
    same instant) is too rare to count apart."""
    if account.staff:
        return
    now = now or timezone.now()
    level = level_of(account)
    topics_limit, replies_limit = limits_of(account.space)[level]
    limit = topics_limit if topic else replies_limit
    if not limit:
        return
    since = now - WINDOW
    opened = Topic.objects.filter(author=account, created_at__gt=since)
    if topic:
        times = list(opened.order_by("-created_at").values_list("created_at", flat=True))
    else:
        # The posts that opened a topic are not replies (the first post of each topic).
        openings = first_posts(set(opened.values_list("pk", flat=True))).values()
        times = list(
            Post.objects.filter(author=account, created_at__gt=since)
            .exclude(pk__in=list(openings))
            .order_by("-created_at")
            .values_list("created_at", flat=True)
        )
    if len(times) >= limit:
        oldest_counted = times[limit - 1]
        wait = max(1, int((oldest_counted + WINDOW - now).total_seconds()) + 1)
        raise OverLimit(level=level, limit=limit, wait=wait, topics=topic)
