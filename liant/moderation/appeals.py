"""Appeals: the author of a held or removed message contests the decision.

The author has no Liant account, so the key is a signed, expiring link naming one decision
(a LogEntry); the warning a moderator's "remove and warn" sends includes it, and the action log
shows it for any other notice. The appeal waits at the top of the review queue with the
original decision; a moderator other than the one who decided upholds or reverses it.
Reversing takes back on the network what can be taken back (a mute or ban is lifted through
the connector where it has a verb; a deleted message cannot be restored anywhere, and the log
says so) and approves the item. Every step is a LogEntry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from liant.connectors.base import Problem
from liant.core.models import User
from liant.moderation import actions, lifting
from liant.moderation.models import (
    Action,
    Appeal,
    AppealState,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Report,
)

SALT = "liant.moderation.appeal"
APPEAL_DAYS = 30  # after a month, a decision stands
MAX_TEXT = 5000
# Decisions that held or removed something, by a rule or a person.
APPEALABLE = (
    Action.HOLD,
    Action.HIDE,
    Action.DELETE,
    Action.MUTE,
    Action.BAN,
    Decision.REMOVE,
    Decision.REMOVE_WARN,
    Decision.REMOVE_MUTE,
)
# A moderator's decisions that deleted the message on the network (a moderator's "ban" also
# deletes; a rule's "ban" does not: see queue.STEPS).
DELETING = (Action.DELETE, Decision.REMOVE, Decision.REMOVE_WARN, Decision.REMOVE_MUTE)
UPHOLD, REVERSE = "uphold", "reverse"


# What the network (or Liant) said about one step: the English for the log, the detail to
# show it in the reader's language.
Said = tuple[str, Any]


class SameModerator(Exception):
    """The person who took a decision may not judge its appeal."""


def appealable(entry: LogEntry) -> bool:
    # Pending or undone: nothing happened yet. Not applied: the item went back to the queue,
    # and a person decides again.
    return entry.action in APPEALABLE and entry.outcome in (Outcome.APPLIED, Outcome.RECORDED)


def appeal_path(entry: LogEntry) -> str:
    signed = signing.TimestampSigner(salt=SALT).sign_object(entry.pk)
    return reverse("moderation_appeal", kwargs={"signed": signed})


def appeal_url(entry: LogEntry) -> str:
    return settings.SITE_URL + appeal_path(entry)


def notice(entry: LogEntry, language: str) -> str:
    """The line a warning ends with, in the author's (the workspace's) language."""
    with translation.override(language):
        return gettext("To contest this decision: %(link)s") % {"link": appeal_url(entry)}


def entry_of(signed: str) -> LogEntry:
    """The decision a signed value names, if it can still be appealed; else a 404 (forged,
    expired and unknown look the same to whoever holds none of them)."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign_object(signed, max_age=APPEAL_DAYS * 86400)
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    if not isinstance(pk, int):
        raise Http404
    entry = (
        LogEntry.objects.select_related("workspace", "charter", "rule", "item")
        .filter(pk=pk)
        .first()
    )
    if entry is None or not appealable(entry):
        raise Http404
    return entry


def submit(entry: LogEntry, text: str, language: str) -> Appeal:
    """The author's appeal; a second one on the same decision returns the first."""
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                workspace_id=entry.workspace_id,
                entry=entry,
                item_id=entry.item_id,
                text=text.strip()[:MAX_TEXT],
                language=language[:8],
            )
    except IntegrityError:
        return Appeal.objects.get(entry=entry)


def decide(
    appeal: Appeal, decision: str, user: User, answer: str = "", now: datetime | None = None
) -> LogEntry | None:
    """Uphold or reverse; None when someone else decided it first."""
    now = now or timezone.now()
    original = appeal.entry
    if original.actor_id is not None and original.actor_id == user.pk:
        raise SameModerator
    state = AppealState.UPHELD if decision == UPHOLD else AppealState.REVERSED
    claimed = Appeal.objects.filter(pk=appeal.pk, state=AppealState.OPEN).update(
        state=state, decided_by=user, decided_at=now, answer=answer.strip()[:MAX_TEXT]
    )
    if not claimed:
        return None
    outcome: str = Outcome.RECORDED
    said: list[Said] = []
    if state == AppealState.REVERSED:
        outcome, said = _take_back(original, user, now)
        if original.item_id:
            Item.objects.filter(pk=original.item_id).update(state=ItemState.DONE, decided_at=now)
            # The reports that led to a reversed decision were wrong: they weigh less next time.
            Report.objects.filter(item_id=original.item_id).update(upheld=False)
    return LogEntry.objects.create(
        workspace_id=original.workspace_id,
        item_id=original.item_id,
        event_id=original.event_id,
        action="appeal_upheld" if state == AppealState.UPHELD else "appeal_reversed",
        actor=user,
        charter_id=original.charter_id,
        article=original.article,
        text=original.text,
        author_remote_id=original.author_remote_id,
        outcome=outcome,
        detail="; ".join(message for message, _detail in said)[:2000],
        detail_json=[detail for _message, detail in said if detail] or None,
        lifts=original,
        created_at=now,
    )


def _take_back(original: LogEntry, user: User, now: datetime) -> tuple[str, list[Said]]:
    """Undo on the network what the decision did there, as far as the network allows."""
    if original.outcome != Outcome.APPLIED:
        return Outcome.RECORDED, []  # nothing reached the network (a hold, a refused action)
    outcomes: list[str] = []
    said: list[Said] = []
    if original.action in lifting.MUTES or original.action in lifting.BANS:
        lifted = lifting.lift(original.pk, actor=user, now=now)
        if lifted is not None:
            outcomes.append(lifted.outcome)
            if lifted.detail:
                said.append((lifted.detail, lifted.detail_json))
    if original.action == Action.HIDE and original.event is not None:
        result = actions.lift_on_network(original.event, Action.HIDE)
        outcomes.append(result.outcome)
        if result.problem:
            said.append((result.problem.message, result.problem.detail()))
    if original.action in DELETING or (
        original.action == Decision.BAN and original.actor_id is not None
    ):
        gone = Problem(_("A deleted message cannot be restored: the author may post it again."))
        outcomes.append(Outcome.NOT_APPLIED)
        said.append((gone.message, gone.detail()))
    if Outcome.NOT_APPLIED in outcomes:
        return Outcome.NOT_APPLIED, said
    if Outcome.APPLIED in outcomes:
        return Outcome.APPLIED, said
    return Outcome.RECORDED, said
