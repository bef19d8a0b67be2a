"""Mutes and bans come to an end: their time runs out, a moderator lifts them early, or an
appeal reverses them. Each is lifted once (claimed by setting `lifted_at` in one conditional
update, so the minute sweep and a moderator's click cannot both send it), through the channel's
connector where it has a verb for it, and logged as an "unmute" or "unban" entry pointing at
the sanction it ends.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.connectors.base import Problem
from liant.core.models import User, Workspace
from liant.moderation import actions
from liant.moderation.models import Action, Decision, LogEntry, Outcome

MUTES = (Action.MUTE, Decision.REMOVE_MUTE)
BANS = (Action.BAN,)  # a rule's "ban" and a moderator's "ban" are the same word
UNMUTE, UNBAN = "unmute", "unban"


def in_force(workspace: Workspace) -> QuerySet[LogEntry]:
    """Mutes and bans the network accepted and nobody has lifted yet."""
    return LogEntry.objects.filter(
        workspace=workspace,
        action__in=[*MUTES, *BANS],
        outcome=Outcome.APPLIED,
        lifted_at__isnull=True,
    )


def lift(
    entry_id: int, *, actor: User | None = None, now: datetime | None = None
) -> LogEntry | None:
    """End one mute or ban; None when it is not in force (already lifted, never applied)."""
    now = now or timezone.now()
    claimed = LogEntry.objects.filter(
        pk=entry_id,
        action__in=[*MUTES, *BANS],
        outcome=Outcome.APPLIED,
        lifted_at__isnull=True,
    ).update(lifted_at=now)
    if not claimed:
        return None
    entry = LogEntry.objects.select_related("event", "event__channel", "event__workspace").get(
        pk=entry_id
    )
    sanction = Action.MUTE if entry.action in MUTES else Action.BAN
    if entry.event is not None:
        result = actions.lift_on_network(entry.event, sanction)
    else:
        result = actions.Result(
            Outcome.NOT_APPLIED,
            Problem(_("The message is no longer stored: lift it on the network by hand.")),
        )
    return LogEntry.objects.create(
        workspace_id=entry.workspace_id,
        item_id=entry.item_id,
        event_id=entry.event_id,
        action=UNMUTE if sanction == Action.MUTE else UNBAN,
        actor=actor,
        charter_id=entry.charter_id,
        article=entry.article,
        text=entry.text,
        author_remote_id=entry.author_remote_id,
        outcome=result.outcome,
        detail=result.problem.message[:2000] if result.problem else "",
        detail_json=result.problem.detail() if result.problem else None,
        lifts=entry,
        created_at=now,
    )


def lift_expired(now: datetime | None = None) -> int:
    """Every mute whose time has run out, in every workspace (the minute sweep)."""
    now = now or timezone.now()
    due = LogEntry.objects.filter(
        action__in=MUTES,
        outcome=Outcome.APPLIED,
        lifted_at__isnull=True,
        mute_until__lte=now,
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if lift(pk, now=now) is not None)
