"""What moderation holds about one member, for the GDPR export and erasure (liant/members/gdpr.py).

The queue item and the action log keep the exact text judged and the author's account; after
an erasure they keep what was decided, by whom or which rule, under which article and when
(the workspace's accountability), and lose the text, the author and the warning sent.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.members.gdpr import (
    Section,
    Subject,
    collect_personal_data,
    erase_personal_data,
    forget_audit_labels,
    rows,
)
from liant.moderation.models import Appeal, Item, LogEntry, Report


def _items(subject: Subject) -> QuerySet[Item]:
    return Item.objects.filter(
        subject.events_q("event_id")
        | subject.author_q(
            "author_remote_id", "author_handle", channel="channel_id", network="channel__kind"
        ),
        workspace_id=subject.workspace_id,
    )


def _log(subject: Subject, items: list[int]) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(
        Q(item_id__in=items) | subject.events_q("event_id"),
        workspace_id=subject.workspace_id,
    )


def _accounts(subject: Subject) -> set[str]:
    out: set[str] = set()
    for ids, handles in [*subject.by_channel.values(), *subject.by_network.values()]:
        out |= ids | handles
    return out


def _their_reports(subject: Subject) -> QuerySet[Report]:
    return Report.objects.filter(
        workspace_id=subject.workspace_id, reporter__in=sorted(_accounts(subject))
    )


@receiver(collect_personal_data)
def export_moderation(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    items = _items(subject)
    pks = list(items.values_list("pk", flat=True))
    return [
        Section(
            "moderation_items",
            _("Messages looked at by moderation"),
            rows(
                items.order_by("created_at").values(
                    "reason", "state", "text", "author_handle", "created_at", "decided_at"
                )
            ),
        ),
        Section(
            "moderation_log",
            _("Moderation actions about them"),
            rows(
                _log(subject, pks)
                .order_by("created_at")
                .values("action", "outcome", "text", "sent", "created_at")
            ),
        ),
        Section(
            "moderation_appeals",
            _("Their appeals against moderation decisions"),
            rows(
                Appeal.objects.filter(entry__in=_log(subject, pks))
                .order_by("created_at")
                .values("text", "state", "answer", "created_at", "decided_at")
            ),
        ),
        Section(
            "moderation_reports",
            _("Reports they made"),
            rows(_their_reports(subject).values("note", "upheld", "created_at")),
        ),
    ]


@receiver(erase_personal_data)
def erase_moderation(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    pks = list(_items(subject).values_list("pk", flat=True))
    # Their appeals: their words and the answer written to them go; the outcome stays.
    appeals = Appeal.objects.filter(entry__in=_log(subject, pks)).update(text="", answer="")
    log = _log(subject, pks).update(
        text="", author_remote_id="", sent="", detail="", detail_json=None
    )
    # The reason in English and its template values may quote the words that matched.
    items = Item.objects.filter(pk__in=pks).update(
        text="", author_remote_id="", author_handle="", why="", why_detail=None
    )
    forget_audit_labels(Item, pks)
    forget_audit_labels(LogEntry, _log(subject, pks).values_list("pk", flat=True))
    # Reports on their messages describe them; reports they made name them as reporter.
    notes = Report.objects.filter(item_id__in=pks).update(note="")
    reports = 0
    for report in _their_reports(subject):
        report.reporter, report.note = f"erased:{report.pk}", ""
        report.save(update_fields=["reporter", "note"])
        reports += 1
    # Charter acceptances are the member's Consent rows (charter.py): Members' erasure handles
    # them with the other consents.
    return {
        "moderation_items": items,
        "moderation_log": log,
        "moderation_report_notes": notes,
        "moderation_appeals": appeals,
        "moderation_reports_made": reports,
    }
