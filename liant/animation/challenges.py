"""Challenges over a period: submissions from messages with the challenge's hashtag and from
the public form, and a leaderboard by days of participation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from liant.animation.models import Challenge, Submission
from liant.animation.people import record_activity
from liant.channels.models import Event
from liant.members.models import ActivityKind, Identity, Kind, Member

# Loaded by name, as contests.py does: members.attach imports channel models at import time.
_attach = import_module("liant.members.attach")
LEADERBOARD = 20


class ChallengeClosed(Exception):
    pass


def is_open(challenge: Challenge, at: datetime | None = None) -> bool:
    at = at or timezone.now()
    return challenge.starts_at <= at <= challenge.ends_at


def _tagged(text: str, tag: str) -> bool:
    return re.search(rf"(?<![\w#])#{re.escape(tag)}(?!\w)", text, re.IGNORECASE) is not None


def add(
    challenge: Challenge,
    member: Member,
    source: str,
    at: datetime,
    identity: Identity | None = None,
    event: Event | None = None,
    text: str = "",
    link: str = "",
) -> Submission | None:
    """A submission in the period; None when this message was already counted."""
    if not is_open(challenge, at):
        raise ChallengeClosed
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                challenge=challenge,
                member=member,
                identity=identity,
                source=source,
                event=event,
                text=text[:5000],
                link=link,
                submitted_at=at,
            )
            if event is None:
                # A message already counts as the member's activity; a form does not.
                record_activity(member, ActivityKind.CHALLENGE, at, identity)
    except IntegrityError:
        return None
    return submission


def collect(challenge: Challenge) -> int:
    """Messages with the hashtag, in the period, on the challenge's channel (or any)."""
    tag = challenge.hashtag.strip().lstrip("#")
    if not tag:
        return 0
    events = Event.objects.filter(
        workspace_id=challenge.workspace_id,
        occurred_at__gte=challenge.starts_at,
        occurred_at__lte=challenge.ends_at,
        text__icontains=f"#{tag}",
    ).exclude(kind="reaction")
    if challenge.channel_id:
        events = events.filter(channel_id=challenge.channel_id)
    counted = set(
        Submission.objects.filter(challenge=challenge, event__isnull=False).values_list(
            "event_id", flat=True
        )
    )
    fresh = [
        e
        for e in events.select_related("channel").order_by("occurred_at", "pk")
        if e.pk not in counted and _tagged(e.text, tag)
    ]
    people = [(e, p) for e in fresh if (p := _attach.person_of(e)) is not None]
    if not people:
        return 0
    identities = _attach.identities_for(challenge.workspace_id, [p for _, p in people])
    added = 0
    for event, person in people:
        identity = identities[(person.network, person.key)]
        member = identity.member
        while member.merged_into_id is not None:
            member = Member.objects.get(pk=member.merged_into_id)
        found = add(
            challenge,
            member,
            Submission.Source.HASHTAG,
            event.occurred_at,
            identity,
            event,
            text=event.text,
            link=event.url,
        )
        added += found is not None
    return added


@dataclass
class Standing:
    member: Member
    days: int
    submissions: int

    @property
    def public_name(self) -> str:
        """First name and initial: enough to find yourself, not enough to find someone."""
        parts = (self.member.name or "").split()
        if not parts:
            return "—"
        return f"{parts[0]} {parts[1][0]}." if len(parts) > 1 else parts[0]


def leaderboard(challenge: Challenge, size: int = LEADERBOARD) -> list[Standing]:
    """Most days of participation first, then most submissions; staff and bots left out."""
    rows = (
        Submission.objects.filter(challenge=challenge, member__kind=Kind.PERSON)
        .annotate(day=TruncDate("submitted_at", tzinfo=ZoneInfo(challenge.workspace.timezone)))
        .values("member_id", "day")
        .annotate(n=Count("pk"))
    )
    days: dict[int, int] = {}
    counts: dict[int, int] = {}
    for row in rows:
        days[row["member_id"]] = days.get(row["member_id"], 0) + 1
        counts[row["member_id"]] = counts.get(row["member_id"], 0) + row["n"]
    order = sorted(days, key=lambda m: (-days[m], -counts[m], m))[:size]
    members = Member.objects.in_bulk(order)
    return [Standing(members[m], days[m], counts[m]) for m in order if m in members]
