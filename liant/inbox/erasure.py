"""What the inbox holds about one member, for the GDPR export and erasure (liant/members/gdpr.py).

A conversation is theirs when they are its contact (a private thread, or a public thread they
started): then everything in it, our replies and the team's notes included, is about them.
In a thread someone else started, only their own messages are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.inbox.models import Conversation, Message, Note
from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data


def _conversations(subject: Subject) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        subject.author_q(
            "contact_remote_id", "contact_handle", channel="channel_id", network="channel__kind"
        ),
        workspace_id=subject.workspace_id,
    )


def _messages(subject: Subject, conversations: QuerySet[Conversation]) -> QuerySet[Message]:
    return Message.objects.filter(
        Q(event_id__in=subject.event_ids) | Q(conversation__in=conversations),
        workspace_id=subject.workspace_id,
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
            list(
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
    return {"inbox_conversations": len(ids), "inbox_messages": messages, "inbox_notes": notes}
