"""The idea box: ideas, their proposers and voters, merges of duplicates, status changes."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liant.feedback import notify
from liant.feedback.models import Idea, IdeaStatus, Proposer, Vote
from liant.feedback.sources import Said, member_of
from liant.members.models import Activity, ActivityKind, Identity, Member

TITLE_LENGTH = 120


class MergeRefused(Exception):
    pass


def visible(workspace_id: int) -> QuerySet[Idea]:
    """The ideas of the box: duplicates merged away are not shown again."""
    return (
        Idea.objects.filter(workspace_id=workspace_id, merged_into__isnull=True)
        .select_related("department")
        # A vote left on a member merged away (members.merging keeps a row that would break
        # the one-vote rule with its kept member) is that same person's: it does not count.
        .annotate(
            vote_count=Count(
                "votes", filter=Q(votes__member__merged_into__isnull=True), distinct=True
            )
        )
    )


def title_from(text: str) -> str:
    line = " ".join(text.split())
    if len(line) <= TITLE_LENGTH:
        return line
    return line[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def from_said(workspace_id: int, said: Said, user: Any = None) -> tuple[Idea, bool]:
    """An idea from a message or a mention, its author as proposer; one per source."""
    existing = Idea.objects.filter(workspace_id=workspace_id)
    if said.message is not None:
        existing = existing.filter(message=said.message)
    elif said.mention is not None:
        existing = existing.filter(mention=said.mention)
    found = existing.order_by("pk").first()
    if found is not None:
        return found.merged_into or found, False
    with transaction.atomic():
        idea = Idea.objects.create(
            workspace_id=workspace_id,
            title=title_from(said.text) or said.author_name or "—",
            text=said.text,
            message=said.message,
            mention=said.mention,
            source_url=said.url[:1000],
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        member, identity = member_of(workspace_id, said, create=True)
        if member is not None:
            propose(idea, member, identity=identity, channel=said.channel, event=said.event)
    return idea, True


def propose(
    idea: Idea,
    member: Member,
    *,
    identity: Identity | None = None,
    channel: Any = None,
    event: Any = None,
) -> Proposer | None:
    """Add a proposer; their profile gets an "idea" activity the first time."""
    try:
        with transaction.atomic():
            proposer = Proposer.objects.create(
                idea=idea, member=member, identity=identity, channel=channel, event=event
            )
            Activity.objects.create(
                workspace_id=idea.workspace_id,
                member=member,
                identity=identity,
                kind=ActivityKind.IDEA,
                network=identity.network if identity else "",
                occurred_at=proposer.created_at,
            )
    except IntegrityError:
        return None  # already a proposer
    return proposer


def vote(
    idea: Idea,
    member: Member,
    *,
    identity: Identity | None = None,
    channel: Any = None,
    event: Any = None,
) -> Vote | None:
    """One vote per member and idea (the database refuses a second one)."""
    target = idea.merged_into or idea
    try:
        with transaction.atomic():
            return Vote.objects.create(
                idea=target, member=member, identity=identity, channel=channel, event=event
            )
    except IntegrityError:
        return None


@transaction.atomic
def merge(kept: Idea, duplicate: Idea) -> dict[str, int]:
    """Votes and proposers of the duplicate move to the kept idea; a person on both sides
    stays once (their duplicate row is dropped, so a double voter counts one vote)."""
    kept = Idea.objects.select_for_update().get(pk=kept.pk)
    duplicate = Idea.objects.select_for_update().get(pk=duplicate.pk)
    if kept.pk == duplicate.pk or kept.workspace_id != duplicate.workspace_id:
        raise MergeRefused("not two ideas of one workspace")
    if kept.merged_into_id or duplicate.merged_into_id:
        raise MergeRefused("one of them is already merged")
    counts = {"votes": 0, "proposers": 0, "dropped": 0}
    for model, key in ((Vote, "votes"), (Proposer, "proposers")):
        already = set(model.objects.filter(idea=kept).values_list("member_id", flat=True))
        rows = model.objects.filter(idea=duplicate)
        counts["dropped"] += rows.filter(member_id__in=already).delete()[0]
        counts[key] = rows.update(idea=kept)
    kept.themes.add(*duplicate.themes.all())
    if kept.department_id is None and duplicate.department_id:
        kept.department_id = duplicate.department_id
        kept.save(update_fields=["department"])
    duplicate.merged_into = kept
    duplicate.merged_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "merged_at"])
    # Later merges pointing at the duplicate follow it to the kept idea.
    Idea.objects.filter(merged_into=duplicate).update(merged_into=kept)
    return counts


def change_status(idea: Idea, status: str, reason: str) -> int:
    """Set the status and its public reason; when the status moved, everyone behind the
    idea who came from a channel is told. Returns how many were queued."""
    status = IdeaStatus(status)
    with transaction.atomic():
        current = Idea.objects.select_for_update().get(pk=idea.pk)
        moved = current.status != status
        current.status = status
        current.public_reason = reason
        fields = ["status", "public_reason"]
        if moved:
            current.status_changed_at = timezone.now()
            fields.append("status_changed_at")
        current.save(update_fields=fields)
        idea.status, idea.public_reason = current.status, current.public_reason
        idea.status_changed_at = current.status_changed_at
        if not moved:
            return 0
        return notify.queue_for(current)
