"""What listening holds about one member, for the GDPR export and erasure (liant/members/gdpr.py).

A mention is theirs when it came from one of their events, or its author handle is one of
theirs on that source. Erased mentions stay (volume and sentiment counts and rollups do not
move); what they wrote and who they are goes, in the mention and in influencer alerts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.listening.models import Alert, AlertKind, Mention
from liant.members.gdpr import (
    Section,
    Subject,
    collect_personal_data,
    erase_personal_data,
    forget_audit_labels,
    rows,
)


def _mentions(subject: Subject) -> QuerySet[Mention]:
    return Mention.objects.filter(
        subject.events_q("event_id")
        | subject.author_q(None, "author_handle", channel="channel_id", network="source"),
        workspace_id=subject.workspace_id,
    )


@receiver(collect_personal_data)
def export_listening(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    mentions = _mentions(subject).order_by("occurred_at", "pk")
    return [
        Section(
            "listening_mentions",
            _("Mentions found by listening"),
            rows(
                mentions.values(
                    "source", "occurred_at", "author_handle", "author_name", "text", "url"
                )
            ),
        )
    ]


@receiver(erase_personal_data)
def erase_listening(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    terms = [t.lower() for t in subject.terms()]
    mentions = list(_mentions(subject).values_list("pk", "remote_id", "author_handle"))
    handles = {h for _pk, _r, h in mentions if h}
    for pk, remote_id, _handle in mentions:
        fields: dict[str, Any] = {
            "author_handle": "",
            "author_name": "",
            "author_followers": None,
            "text": "",
            "url": "",
            # Copies of one text share this key; an erased text is nobody's copy.
            "dedupe_key": f"erased:{pk}"[:32],
        }
        # An opaque post id stays, so the same post found again is known as stored; one
        # that spells their account (a Bluesky at:// URI holds the DID) is replaced.
        if any(t in remote_id.lower() for t in terms):
            fields["remote_id"] = f"erased:{pk}"
        Mention.objects.filter(pk=pk).update(**fields)
    # An influencer alert is keyed and described by the author's handle.
    alerts = 0
    influencer = Alert.objects.filter(workspace_id=subject.workspace_id, kind=AlertKind.INFLUENCER)
    found = Q(mentions__in=[pk for pk, _r, _h in mentions])
    for handle in handles:
        found |= Q(key__startswith=f"{handle}:")
    for alert in influencer.filter(found).distinct():
        alert.key = f"erased:{alert.pk}"
        alert.figures = {k: v for k, v in (alert.figures or {}).items() if k != "author"}
        alert.save(update_fields=["key", "figures"])
        forget_audit_labels(Alert, [alert.pk])
        alerts += 1
    return {"listening_mentions": len(mentions), "listening_alerts": alerts}
