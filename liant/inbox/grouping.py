"""Stored events that need an answer become messages of conversations, once.

A cursor per workspace remembers the last event read. A batch is taken by moving the cursor
with a conditional update inside the transaction that writes the batch: two workers that read
the same batch cannot both write it, and running the grouping again adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liant.channels.models import Event, EventKindChoices
from liant.core.csvexport import zone_of
from liant.core.models import Workspace
from liant.inbox import department_mail
from liant.inbox.models import (
    Conversation,
    Cursor,
    Department,
    Direction,
    Message,
    Note,
    Notification,
    SlaPolicy,
    Status,
)
from liant.inbox.sla import start_clocks
from liant.text import Analysis, analyse

log = logging.getLogger(__name__)

# What a person may expect an answer to; posts, reactions, follows and joins are not asked.
NEEDS_ANSWER = [
    EventKindChoices.COMMENT,
    EventKindChoices.MENTION,
    EventKindChoices.DIRECT_MESSAGE,
]
# On the brand's own community space a member opening a topic is asking the brand, as a
# mention is elsewhere; on the networks a post is the author's own business.
ASKING_POSTS_ON = ("space",)
BATCH = 500
LOOKBACK = 2000


@dataclass
class Grouped:
    messages: list[Message] = field(default_factory=list)
    first_of_conversation: set[int] = field(default_factory=set)  # message ids


def needs_answer(event: Event) -> bool:
    return event.kind in NEEDS_ANSWER or (
        event.kind == EventKindChoices.POST and event.channel.kind in ASKING_POSTS_ON
    )


def conversation_key(event: Event) -> str:
    """A private message belongs to its sender's conversation; anything public to its thread."""
    if event.kind == EventKindChoices.DIRECT_MESSAGE:
        return f"person:{event.author_remote_id or event.author_handle}"[:520]
    root = event.thread_remote_id or event.parent_remote_id or event.remote_id
    return f"thread:{root}"[:520]


def our_own(events: list[Event], workspace_id: int) -> set[int]:
    """Our own replies come back when a channel is read again; they are not questions."""
    sent = set(
        Message.objects.filter(
            workspace_id=workspace_id,
            direction=Direction.OUT,
            remote_id__in=[e.remote_id for e in events],
        ).values_list("remote_id", flat=True)
    )
    own = set()
    for event in events:
        address = str(event.channel.settings.get("address", "")).lower()
        if event.remote_id in sent or (address and event.author_remote_id.lower() == address):
            own.add(event.pk)
    return own


def subject_of(event: Event) -> str:
    subject = str((event.raw or {}).get("subject", "")).strip()
    return (subject or " ".join(event.text.split())[:80])[:300]


def group_workspace(workspace_id: int) -> Grouped:
    """Read every new event of the workspace, batch by batch, then the late ones."""
    total = Grouped()
    for late in (False, True):
        while True:
            done = _group_batch(workspace_id, late)
            if done is None:
                break
            total.messages += done.messages
            total.first_of_conversation |= done.first_of_conversation
            if late:
                break  # one look back per run is enough
    return total


def _group_batch(workspace_id: int, late: bool = False) -> Grouped | None:
    """One batch past the cursor; or (late) the unanswered-kind events just below it.

    On PostgreSQL, ids are handed out when rows are inserted, not when they are committed:
    a fetch that commits after another one may bring ids below the cursor. The look back
    reads the last LOOKBACK ids again and keeps those that have no message yet; the unique
    event of a message makes reading one twice harmless.
    """
    cursor, _ = Cursor.objects.get_or_create(workspace_id=workspace_id)
    last = cursor.last_event_id
    rows = Event.objects.filter(workspace_id=workspace_id).select_related("channel", "workspace")
    if late:
        if not last:
            return None
        rows = rows.filter(
            Q(kind__in=NEEDS_ANSWER)
            | Q(kind=EventKindChoices.POST, channel__kind__in=ASKING_POSTS_ON),
            pk__gt=max(0, last - LOOKBACK),
            pk__lte=last,
            inbox_message__isnull=True,
            inbox_note__isnull=True,
        )
    else:
        rows = rows.filter(pk__gt=last)
    events = list(rows.order_by("pk")[:BATCH])
    if not events:
        return None
    grouped = Grouped()
    own = our_own(events, workspace_id)
    answers = {e.pk: found for e in events if (found := department_mail.answered(e))}
    wanted = [e for e in events if needs_answer(e) and e.pk not in own and e.pk not in answers]
    analyses = list(analyse([e.text for e in wanted]))
    policy = SlaPolicy.of(workspace_id)
    with transaction.atomic():
        # The conditional update is the claim (and, on PostgreSQL, a row lock held until
        # commit): two workers never write the same batch.
        moved = Cursor.objects.filter(pk=cursor.pk, last_event_id=last).update(
            last_event_id=last if late else events[-1].pk
        )
        if moved != 1:
            return Grouped()  # another worker took this batch; the loop reads the next one
        for event in events:
            if event.pk in answers:
                add_department_answer(event, *answers[event.pk])
        for event, analysis in zip(wanted, analyses, strict=True):
            if Message.objects.filter(event=event).exists():
                continue
            if (edited := edited_message(event)) is not None:
                apply_edit(edited, event)
                continue
            message, first = _add(event, analysis, policy)
            grouped.messages.append(message)
            if first:
                grouped.first_of_conversation.add(message.pk)
    return grouped


def _add(event: Event, analysis: Analysis, policy: SlaPolicy | None) -> tuple[Message, bool]:
    conversation, created = Conversation.objects.get_or_create(
        workspace_id=event.workspace_id,
        channel_id=event.channel_id,
        key=conversation_key(event),
        defaults={
            "contact_remote_id": event.author_remote_id,
            "contact_handle": event.author_handle,
            "contact_name": event.author_name,
            "subject": subject_of(event),
            "last_activity_at": event.occurred_at,
            "created_at": event.occurred_at,
        },
    )
    conversation.workspace = event.workspace
    language = analysis.language if analysis.language != "other" else (event.language or "")
    message = Message.objects.create(
        workspace_id=event.workspace_id,
        conversation=conversation,
        direction=Direction.IN,
        event=event,
        author_name=event.author_name or event.author_handle,
        text=event.text,
        html=event.html,
        language=language[:16],
        sentiment=analysis.sentiment,
        sentiment_score=analysis.sentiment_score,
        occurred_at=event.occurred_at,
    )
    newest = (
        conversation.last_inbound_at is None or event.occurred_at >= conversation.last_inbound_at
    )
    if newest:
        # The filters show the mood and language of what the member said last.
        conversation.language = message.language
        conversation.sentiment = message.sentiment
        conversation.last_inbound_at = event.occurred_at
        conversation.awaiting_reply = True
        start_clocks(conversation, event.occurred_at, policy)
    conversation.last_activity_at = max(conversation.last_activity_at, event.occurred_at)
    conversation.message_count += 1
    if conversation.status != Status.OPEN and newest:
        # A member writing again reopens the conversation, whatever it was waiting for.
        conversation.status = Status.OPEN
        conversation.snoozed_until = None
        conversation.closed_at = None
    conversation.save()
    return message, created


def edited_message(event: Event) -> Message | None:
    """The message an event edits: a connector that sees a message changed may store the
    new version as an event of its own naming the first in `raw["edit_of"]` (the community
    space does). None when it is no edit, or the message it edits is not in the inbox (then
    the new words come in as a message of their own)."""
    edit_of = event.raw.get("edit_of") if isinstance(event.raw, dict) else None
    if not edit_of:
        return None
    return (
        Message.objects.filter(
            workspace_id=event.workspace_id,
            direction=Direction.IN,
            event__channel_id=event.channel_id,
            event__remote_id=str(edit_of)[:500],
        )
        .select_related("conversation")
        .first()
    )


def apply_edit(message: Message, event: Event) -> Note | None:
    """The message shows the new words, marked edited, and an internal note keeps the words
    before and when they changed: one conversation, one message, nothing lost. Once per
    edit (the note holds the edit's event)."""
    if Note.objects.filter(event=event).exists():
        return None
    before = message.text
    message.text, message.html, message.edited_at = event.text, event.html, event.occurred_at
    message.save(update_fields=["text", "html", "edited_at"])
    conversation = message.conversation
    if event.kind == EventKindChoices.POST and (event.raw or {}).get("subject"):
        # A topic's opening post carries its title: an edited title is the new subject.
        conversation.subject = subject_of(event)
        conversation.save(update_fields=["subject"])
    with translation.override(event.workspace.language or None):
        text = _("%(name)s edited this message on %(when)s. Before:\n\n%(text)s") % {
            "name": message.author_name or event.author_handle,
            "when": date_format(
                timezone.localtime(event.occurred_at, zone_of(event.workspace)),
                "SHORT_DATETIME_FORMAT",
            ),
            "text": before,
        }
    return Note.objects.create(
        conversation=conversation,
        author=None,
        text=text[:20000],
        event=event,
        created_at=event.occurred_at,
    )


def add_department_answer(event: Event, conversation_id: int, department_id: int) -> Note | None:
    """A colleague's e-mailed answer becomes an internal note on the conversation, once; the
    assignee is told, and a conversation left pending on the department opens again."""
    conversation = Conversation.objects.filter(
        pk=conversation_id, workspace_id=event.workspace_id
    ).first()
    department = Department.objects.filter(
        pk=department_id, workspace_id=event.workspace_id
    ).first()
    if conversation is None or department is None or Note.objects.filter(event=event).exists():
        return None
    address = event.author_remote_id
    author = department.members.filter(email__iexact=address, is_active=True).first()
    note = Note.objects.create(
        conversation=conversation,
        author=author,
        text=department_mail.answer_text(event)[:20000],
        department=department,
        from_address=address[:300],
        event=event,
        created_at=event.occurred_at,
    )
    if conversation.assignee_id:
        Notification.objects.create(
            workspace_id=conversation.workspace_id,
            user_id=conversation.assignee_id,
            conversation=conversation,
            note=note,
        )
    if conversation.status == Status.PENDING:
        Conversation.objects.filter(pk=conversation.pk).update(status=Status.OPEN)
    return note


def group_all() -> int:
    """Every workspace that has events past its cursor; returns how many messages were added."""
    from liant.inbox import routing  # noqa: PLC0415 - routing imports grouping's results

    added = 0
    for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True):
        grouped = group_workspace(workspace_id)
        added += len(grouped.messages)
        routing.route_new(grouped)
    return added


def group_now() -> None:
    """Called right after a fetch stored something; a failure here must not fail the fetch."""
    try:
        group_all()
    except Exception:  # the periodic task tries again within a minute
        log.exception("grouping events into conversations failed")
