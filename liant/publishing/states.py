"""The states of a post and of its variants, and the only moves allowed between them.

A post walks the editorial path (idea → draft → in review → approved → scheduled); each of its
variants, one per channel, then walks the publishing path on its own (scheduled → publishing →
published, or failed / unconfirmed / held on the way). Both use this one table, so a move that
is not written here cannot happen anywhere: not in a view, not in the publisher.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    IDEA = "idea", _("Idea")
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # The worker stopped after calling a network that cannot tell whether the post arrived:
    # a person looks, then says "it is there" or "publish it again".
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    # Overdue by more than the workspace allows (the workers were down): a person decides.
    HELD = "held", _("Held: overdue")


S = State
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDEA: frozenset({S.DRAFT, S.CANCELLED}),
    S.DRAFT: frozenset({S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.CANCELLED}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.DRAFT, S.SCHEDULED, S.CANCELLED}),
    # scheduled → published is the post's own move once every variant is out.
    S.SCHEDULED: frozenset({S.DRAFT, S.PUBLISHING, S.HELD, S.PUBLISHED, S.CANCELLED}),
    # publishing → scheduled: a retry (transient error, or a crash the network lets us check).
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED, S.SCHEDULED, S.UNCONFIRMED}),
    # failed/held → draft: the post went back to draft to be fixed, then scheduled again.
    S.FAILED: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    S.UNCONFIRMED: frozenset({S.PUBLISHED, S.SCHEDULED, S.CANCELLED}),
    S.HELD: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset({S.DRAFT}),
}

# A post can still be edited in these states; after them its text is what went out.
EDITABLE = frozenset({S.IDEA, S.DRAFT, S.IN_REVIEW, S.APPROVED})
# Variant states that need a person.
NEEDS_ATTENTION = frozenset({S.FAILED, S.UNCONFIRMED, S.HELD})
FINAL = frozenset({S.PUBLISHED, S.CANCELLED})


class TransitionError(Exception):
    """A move the table does not allow."""


def allowed(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, frozenset())


def check(current: str, to: str) -> None:
    if not allowed(current, to):
        raise TransitionError(f"{current} → {to} is not allowed")
