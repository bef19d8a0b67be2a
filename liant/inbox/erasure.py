"""What the inbox holds about one member, for the GDPR export and erasure (liant/members/gdpr.py).

A conversation is theirs when they are its contact. A private one is about them from end to
end (our replies and the team's notes included). A public thread they started also has other
people's replies, which stay: there only their messages, our answers to them, and the team's
notes go. In a thread someone else started, only their own messages and our answers to them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.inbox.models import Conversation, Direction, Message, Note
from liant.members.gdpr import (
    Section,
    Subject,
    collect_personal_data,
    erase_personal_data,
    forget_audit_labels,
    rows,
)


def _conversations(subject: Subject) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        subject.author_q(
            "contact_remote_id", "contact_handle", channel="channel_id", network="channel__kind"
        ),
        workspace_id=subject.workspace_id,
    )


def _messages(subject: Subject, conversations: QuerySet[Conversation]) -> QuerySet[Message]:
    scoped = Message.objects.filter(workspace_id=subject.workspace_id)
    theirs = scoped.filter(subject.events_q("event_id")).values("pk")
    return scoped.filter(
        Q(pk__in=theirs)
        | Q(in_reply_to_id__in=theirs, direction=Direction.OUT)
        | Q(conversation__in=conversations.filter(key__startswith="person:"))
    )


@receiver(collect_personal_data)
def export_inbox(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    conversations = _conversations(subject)
    return [
        Section(
            "inbox_conversations",
            _("Inbox conversations"),
            [
                {
                    "id": c.pk,
                    "channel": c.channel.name,
                    "subject": c.subject,
                    "status": c.status,
                    "message_count": c.message_count,
                    "created_at": c.created_at,
                }
                for c in conversations.select_related("channel").order_by("created_at")
            ],
        ),
        Section(
            "inbox_messages",
            _("Inbox messages"),
            rows(
                _messages(subject, conversations)
                .order_by("occurred_at", "pk")
                .values("conversation", "direction", "occurred_at", "author_name", "text")
            ),
        ),
    ]


@receiver(erase_personal_data)
def erase_inbox(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    conversations = _conversations(subject)
    ids = list(conversations.values_list("pk", flat=True))
    # update() skips Message.save(), so the folded search copy is blanked by hand too.
    messages = _messages(subject, conversations).update(
        author_name="", text="", html="", search_text="", last_error=""
    )
    notes = Note.objects.filter(conversation_id__in=ids).update(text="")
    for pk in ids:
        # The key of a private conversation holds the sender's account id.
        Conversation.objects.filter(pk=pk).update(
            key=f"erased:{pk}",
            contact_remote_id="",
            contact_handle="",
            contact_name="",
            subject="",
        )
    forget_audit_labels(Conversation, ids)
    return {"inbox_conversations": len(ids), "inbox_messages": messages, "inbox_notes": notes}
