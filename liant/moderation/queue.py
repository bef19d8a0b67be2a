"""A moderator's decisions on queued items: recorded at once, sent after a short undo window.

A decision waits UNDO_SECONDS before anything reaches the network, because most of what it
does cannot be taken back there (a Matrix redaction is final, a ban is seen by the member).
Until then "undo" puts the item back in the queue and nothing was sent. The worker sends due
decisions (a task scheduled at decision time, and a sweep every minute for any it missed); a
decision is claimed with one conditional update, so two workers never send it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from liant.core.models import User
from liant.moderation import actions, appeals
from liant.moderation.engine import refresh_risk
from liant.moderation.models import (
    Action,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Reason,
    Report,
)

UNDO_SECONDS = 30
MUTE_MINUTES = 60 * 24
# What each decision does on the network, in order.
STEPS: dict[str, tuple[str, ...]] = {
    Decision.APPROVE: (),
    Decision.REMOVE: (Action.DELETE,),
    Decision.REMOVE_WARN: (Action.DELETE, Action.WARN),
    Decision.REMOVE_MUTE: (Action.DELETE, Action.MUTE),
    Decision.BAN: (Action.DELETE, Action.BAN),
}


def decide(item: Item, decision: str, user: User, now: datetime | None = None) -> LogEntry:
    now = now or timezone.now()
    with transaction.atomic():
        entry = LogEntry.objects.create(
            workspace_id=item.workspace_id,
            item=item,
            event_id=item.event_id,
            action=decision,
            rule=item.rule,
            actor=user,
            article=item.rule.article if item.rule else None,
            text=item.text,
            author_remote_id=item.author_remote_id,
            outcome=Outcome.PENDING,
            apply_after=now + timedelta(seconds=UNDO_SECONDS),
        )
        item.state, item.decided_at = ItemState.DONE, now
        item.save(update_fields=["state", "decided_at"])
        upheld = decision != Decision.APPROVE
        Report.objects.filter(item=item, upheld__isnull=True).update(upheld=upheld)
    return entry


def undo(entry: LogEntry, now: datetime | None = None) -> bool:
    """Take a decision back while it is still waiting; False once it has been sent."""
    now = now or timezone.now()
    with transaction.atomic():
        taken = LogEntry.objects.filter(
            pk=entry.pk, outcome=Outcome.PENDING, apply_after__gt=now
        ).update(outcome=Outcome.UNDONE, apply_after=None)
        if not taken:
            return False
        if entry.item_id:
            Item.objects.filter(pk=entry.item_id).update(state=ItemState.QUEUED, decided_at=None)
            Report.objects.filter(item_id=entry.item_id).update(upheld=None)
    return True


def send(entry_id: int, now: datetime | None = None) -> str | None:
    """Send a due decision to the network; None when it is not due or not ours to send."""
    now = now or timezone.now()
    claimed = LogEntry.objects.filter(
        pk=entry_id, outcome=Outcome.PENDING, apply_after__lte=now
    ).update(apply_after=None)
    if not claimed:
        return None
    entry = LogEntry.objects.select_related(
        "event", "event__channel", "event__workspace", "rule", "item"
    ).get(pk=entry_id)
    event = entry.event
    outcome, details, sent = Outcome.RECORDED, [], ""
    if event is not None:
        for step in STEPS.get(entry.action, ()):
            if step == Action.WARN:
                language = event.workspace.language
                cited = actions.citation(event.workspace, entry.article, language)
                sent = actions.warning_text(
                    entry.rule.warning if entry.rule else "",
                    str(cited) if cited else None,
                    language,
                )
                # The warning is the notice of a removal: it carries the way to contest it.
                sent = f"{sent}\n\n{appeals.notice(entry, language)}"
                result = actions.send_warning(event, sent)
            else:
                result = actions.send_to_network(event, step)
            if result.outcome == Outcome.APPLIED and outcome != Outcome.NOT_APPLIED:
                outcome = Outcome.APPLIED
            if result.outcome == Outcome.NOT_APPLIED:
                outcome = Outcome.NOT_APPLIED
                if result.problem:
                    details.append(result.problem)
    entry.outcome = outcome
    entry.sent = sent
    if details:
        entry.detail = "; ".join(p.message for p in details)[:2000]
        entry.detail_json = details[0].detail()
    if entry.action == Decision.REMOVE_MUTE and outcome == Outcome.APPLIED:
        entry.mute_until = now + timedelta(minutes=MUTE_MINUTES)
    entry.save(update_fields=["outcome", "sent", "detail", "detail_json", "mute_until"])
    if outcome == Outcome.NOT_APPLIED and entry.item is not None:
        # Back to the queue with the network's reason: a person chooses another way.
        item = entry.item
        item.state, item.reason = ItemState.QUEUED, Reason.NOT_APPLIED
        item.why, item.why_detail = entry.detail, entry.detail_json
        item.save(update_fields=["state", "reason", "why", "why_detail"])
    return outcome


def send_due(now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = LogEntry.objects.filter(outcome=Outcome.PENDING, apply_after__lte=now).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if send(pk, now))


def report(item: Item, reporter: str, note: str = "") -> Report:
    """A member or teammate reports an item already stored; it comes back to the queue."""
    created = Report.objects.create(
        workspace_id=item.workspace_id, item=item, reporter=reporter, note=note[:2000]
    )
    if item.state != ItemState.QUEUED:
        item.state, item.reason = ItemState.QUEUED, Reason.REPORTED
        item.save(update_fields=["state", "reason"])
    refresh_risk(item)
    return created
