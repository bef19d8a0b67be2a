"""What animation holds about one member, for the GDPR export and erasure (members/gdpr.py).

Entries, votes, RSVPs and quiz attempts stay as rows, so a contest's published draw still
verifies (it names entries by a random label, never by person) and attendance and results
keep their counts; the name and address a person typed into a form go.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.animation.models import Entry, PollVote, QuizAttempt, Rsvp
from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data, rows


@receiver(collect_personal_data)
def export_animation(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    members = subject.member_ids
    return [
        Section(
            "contest_entries",
            _("Contest entries"),
            rows(
                Entry.objects.filter(member_id__in=members).values(
                    "contest__title", "source", "label", "entered_at"
                )
            ),
        ),
        Section(
            "event_rsvps",
            _("Event registrations"),
            rows(
                Rsvp.objects.filter(member_id__in=members).values(
                    "meetup__title", "name", "email", "status", "created_at"
                )
            ),
        ),
        Section(
            "poll_votes",
            _("Poll votes"),
            rows(
                PollVote.objects.filter(member_id__in=members).values(
                    "poll__question", "choice__text", "at"
                )
            ),
        ),
        Section(
            "quiz_attempts",
            _("Quiz answers"),
            rows(
                QuizAttempt.objects.filter(member_id__in=members).values(
                    "quiz__title", "display_name", "score", "max_score", "at"
                )
            ),
        ),
    ]


@receiver(erase_personal_data)
def erase_animation(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    members = subject.member_ids
    return {
        "event_rsvps": Rsvp.objects.filter(member_id__in=members).update(name="", email=""),
        "quiz_attempts": QuizAttempt.objects.filter(member_id__in=members).update(display_name=""),
    }
