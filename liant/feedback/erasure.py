"""What feedback holds about one member, for the GDPR export and erasure (members/gdpr.py).

A verbatim is a copy of someone's words: erased with them (the row stays so a collection's
count and themes do not move). Ideas stay, they belong to the product now, but the words
copied from the member's own message and the link to it go; votes stay as counts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.feedback.models import Idea, Proposer, StatusNotice, Verbatim, Vote
from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data, rows


def _verbatims(subject: Subject) -> Any:
    return Verbatim.objects.filter(
        Q(member_id__in=subject.member_ids)
        | Q(message__event_id__in=_event_ids(subject))
        | Q(mention__event_id__in=_event_ids(subject)),
        workspace_id=subject.workspace_id,
    )


def _event_ids(subject: Subject) -> list[int]:
    from liant.channels.models import Event

    return list(Event.objects.filter(subject.events_q("pk")).values_list("pk", flat=True)[:50000])


@receiver(collect_personal_data)
def export_feedback(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    members = subject.member_ids
    return [
        Section(
            "verbatims",
            _("Verbatims"),
            rows(_verbatims(subject).values("said_at", "author_name", "text", "url")),
        ),
        Section(
            "ideas",
            _("Ideas proposed"),
            rows(
                Proposer.objects.filter(member_id__in=members).values(
                    "idea__title", "idea__text", "idea__status"
                )
            ),
        ),
        Section(
            "idea_votes",
            _("Votes for ideas"),
            rows(Vote.objects.filter(member_id__in=members).values("idea__title")),
        ),
        Section(
            "idea_notices",
            _("Idea status notices sent to them"),
            rows(
                StatusNotice.objects.filter(member_id__in=members).values(
                    "idea__title", "status", "text", "state"
                )
            ),
        ),
    ]


@receiver(erase_personal_data)
def erase_feedback(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    members = subject.member_ids
    events = _event_ids(subject)
    ideas = Idea.objects.filter(
        Q(message__event_id__in=events) | Q(mention__event_id__in=events),
        workspace_id=subject.workspace_id,
    )
    return {
        "verbatims": _verbatims(subject).update(text="", author_name="", url=""),
        "ideas": ideas.update(text="", source_url=""),
        "idea_notices": StatusNotice.objects.filter(member_id__in=members).update(text=""),
    }
