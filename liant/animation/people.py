"""People on animation's public forms: the member behind the e-mail they typed (shared with
newsletters and leads, in liant/members/people.py) and the activity they did in Liant."""

from __future__ import annotations

from datetime import datetime

from liant.members.models import Activity, Identity, Member
from liant.members.people import member_for_email

__all__ = ["member_for_email", "record_activity"]


def record_activity(
    member: Member, kind: str, at: datetime, identity: Identity | None = None, network: str = ""
) -> Activity:
    """One activity for something done in Liant; members' last activity moves with it."""
    activity = Activity.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        identity=identity,
        kind=kind,
        network=network or (identity.network if identity else ""),
        occurred_at=at,
    )
    Member.objects.filter(pk=member.pk, last_active_at__isnull=True).update(last_active_at=at)
    Member.objects.filter(pk=member.pk, last_active_at__lt=at).update(last_active_at=at)
    return activity
