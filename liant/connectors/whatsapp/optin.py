"""Who may receive WhatsApp templates from Liant: members whose latest WhatsApp consent
(members.Consent, purpose "contact", source starting with "whatsapp") is a yes.

WhatsApp's Business Messaging Policy asks for the person's opt-in before a business writes
first. The connector cannot see Liant's members, so whoever sends a template (a campaign, a
notice) asks `opted_in` first; recording the member's answer keeps the proof (the wording, when,
where) as every consent does.
"""

from __future__ import annotations

from django.utils import timezone

from liant.connectors.whatsapp.connector import OPT_IN_PURPOSE, OPT_IN_SOURCE
from liant.members.models import Consent, Member


def opted_in(member: Member) -> bool:
    latest = (
        Consent.objects.filter(
            member=member, purpose=OPT_IN_PURPOSE, source__startswith=OPT_IN_SOURCE
        )
        .order_by("-at", "-pk")
        .first()
    )
    return bool(latest and latest.granted)


def record(member: Member, *, granted: bool, text: str, where: str = "") -> Consent:
    """A yes or a withdrawal; `where` says how it was given (a form, a message, a shop)."""
    source = f"{OPT_IN_SOURCE}: {where}" if where else OPT_IN_SOURCE
    return Consent.objects.create(
        member=member,
        purpose=OPT_IN_PURPOSE,
        granted=granted,
        text=text,
        source=source[:200],
        at=timezone.now(),
    )
