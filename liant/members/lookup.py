"""Finding the member behind an account, for the modules that hold only the account
(inbox conversations, moderation items, routing rules)."""

from __future__ import annotations

from django.db.models import Q

from liant.members.models import Activity, Identity, Member

PANEL_ACTIVITY = 10


def member_for(workspace_id: int, network: str, remote_id: str) -> Member | None:
    """The member holding this account on this network (following merges), if any."""
    if not remote_id:
        return None
    identity = (
        Identity.objects.filter(workspace_id=workspace_id, network=network)
        .filter(
            Q(remote_id=remote_id) | Q(key=remote_id.lower() if network == "email" else remote_id)
        )
        .select_related("member")
        .first()
    )
    if identity is None:
        return None
    return current(identity.member)


def current(member: Member) -> Member | None:
    """A merged member's page is the kept one's; an erased member is nobody."""
    seen = {member.pk}
    while member.merged_into_id and member.merged_into_id not in seen:
        member = Member.objects.get(pk=member.merged_into_id)
        seen.add(member.pk)
    return None if member.erased_at else member


def member_of_event(event) -> Member | None:
    """The member who wrote a stored event, attaching it first when the members module has not
    read it yet (routing may run before the members sweep)."""
    from liant.members import attach  # noqa: PLC0415 - attach imports channels models

    found = Activity.objects.filter(event=event).select_related("member").first()
    if found is None:
        attach.attach(event.workspace_id, [event])
        found = Activity.objects.filter(event=event).select_related("member").first()
    if found is None:
        return None
    return (
        member_for(event.workspace_id, event.channel.kind, event.author_remote_id) or found.member
    )


def recent_activity(member: Member) -> list[Activity]:
    return list(member.activities.select_related("event", "event__channel")[:PANEL_ACTIVITY])
