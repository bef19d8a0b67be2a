"""Polls: one vote per member (so per e-mail address), results as counts and shares."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from liant.animation.models import Poll, PollChoice, PollVote
from liant.animation.people import record_activity
from liant.members.models import ActivityKind, Identity, Member


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


def results(poll: Poll) -> tuple[list[tuple[PollChoice, int, int]], int]:
    """(choice, votes, percent) in the poll's order, and the total."""
    counted: list[tuple[PollChoice, int]] = [
        (c, int(c.n)) for c in poll.choices.annotate(n=Count("votes"))
    ]
    total = sum(n for _, n in counted)
    rows = [(c, n, round(100 * n / total) if total else 0) for c, n in counted]
    return rows, total
