"""Telling people: @mentions in notes, conversations routed to a department.

Mails are plain text (a member's words are never rendered as HTML in them), written in each
recipient's language, and sent after the change is committed: a mail server that is down
must not undo it, and the in-app notification is there anyway.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.core.models import Membership, User
from liant.inbox import department_mail
from liant.inbox.models import Conversation, Department, Direction, Message, Note, Notification

log = logging.getLogger(__name__)

MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*)")
EXCERPT = 600


def conversation_link(conversation: Conversation) -> str:
    return settings.SITE_URL + reverse(
        "conversation", kwargs={"ws": conversation.workspace.slug, "pk": conversation.pk}
    )


def mentioned_people(text: str, workspace_id: int) -> list[User]:
    """@camille or @camille.laurent: the e-mail's local part, or the first name, of a member."""
    wanted = {m.casefold().rstrip(".") for m in MENTION.findall(text)}
    if not wanted:
        return []
    found = []
    members = Membership.objects.filter(
        workspace_id=workspace_id, user__is_active=True
    ).select_related("user")
    for membership in members:
        user = membership.user
        names = {user.email.split("@")[0].casefold(), user.get_short_name().casefold()}
        if names & wanted and membership.can("inbox.view"):
            found.append(user)
    return found


def notify_mentions(note: Note) -> list[User]:
    conversation = note.conversation
    people = [p for p in mentioned_people(note.text, conversation.workspace_id) if p != note.author]
    for person in people:
        note.mentioned.add(person)
        Notification.objects.create(
            workspace_id=conversation.workspace_id,
            user=person,
            conversation=conversation,
            note=note,
        )
    return people


def mail_mentions(note_id: int) -> None:
    note = (
        Note.objects.select_related("conversation__workspace", "author").filter(pk=note_id).first()
    )
    if note is None:
        return
    conversation = note.conversation
    for person in note.mentioned.all():
        with translation.override(person.language or conversation.workspace.language):
            subject = _("%(author)s mentioned you: %(conversation)s") % {
                "author": note.author.get_full_name() if note.author else "Liant",
                "conversation": str(conversation)[:80],
            }
            body = _("%(note)s\n\nOpen the conversation:\n%(link)s") % {
                "note": note.text,
                "link": conversation_link(conversation),
            }
            _send(subject, body, [person.email])


def tell_department(conversation_id: int, department_id: int) -> None:
    conversation = (
        Conversation.objects.select_related("workspace", "channel")
        .filter(pk=conversation_id)
        .first()
    )
    department = Department.objects.filter(pk=department_id).first()
    if conversation is None or department is None:
        return
    people: list[Any] = list(department.members.filter(is_active=True))
    for person in people:
        Notification.objects.get_or_create(
            workspace_id=conversation.workspace_id,
            user=person,
            conversation=conversation,
            note=None,
        )
    last = (
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .order_by("-occurred_at", "-id")
        .first()
    )
    excerpt = (last.text if last else "")[:EXCERPT]
    reply_to = department_mail.reply_address(conversation, department)
    recipients: list[tuple[str, str]] = [(p.email, p.language) for p in people]
    if department.email and department.email not in {email for email, _l in recipients}:
        recipients.append((department.email, ""))
    for address, language in recipients:
        with translation.override(language or conversation.workspace.language):
            subject = _("[%(department)s] %(contact)s: %(subject)s") % {
                "department": department.name,
                "contact": conversation.contact,
                "subject": str(conversation)[:80],
            }
            body = _(
                "A conversation was routed to %(department)s.\n\n"
                "From: %(contact)s (%(channel)s)\n"
                "Messages: %(count)d\n\n"
                "%(excerpt)s\n\n"
                "Read it and answer through the community team:\n%(link)s"
            ) % {
                "department": department.name,
                "contact": conversation.contact,
                "channel": conversation.channel.name,
                "count": conversation.message_count,
                "excerpt": excerpt,
                "link": conversation_link(conversation),
            }
            if reply_to:
                body += "\n\n" + _(
                    "Or answer this e-mail: your answer is added to the conversation as an "
                    "internal note for the community team; the member does not see it."
                )
            _send(subject, body, [address], reply_to=reply_to)


def _send(subject: str, body: str, to: list[str], reply_to: str = "") -> None:
    # A subject is one line: a member's name with a newline must not add mail headers.
    subject = " ".join(subject.split())
    try:
        EmailMessage(subject, body, None, to, reply_to=[reply_to] if reply_to else None).send()
    except Exception:  # the in-app notification still says it; the log says why no mail
        log.exception("could not mail %s", to)
