"""Replies go out through the conversation's channel once, and a failure stays visible.

The same discipline as the publisher: a reply is stored (queued) before anything is sent;
a worker claims it with one conditional update (queued → sending); the connector is called
with the reply's idempotency key; the remote id is recorded in the same update that marks it
sent. A worker that dies after calling the network leaves the reply in `sending`: the sweep
marks it failed with a warning, because a reply cannot be unsent and a person must look
before sending it again. Nothing is ever sent again without a person asking.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liant.channels import fetching
from liant.channels.models import Channel, Health
from liant.channels.models import Event as StoredEvent
from liant.channels.sanitize import clean_url
from liant.connectors import base
from liant.connectors.base import Capability, Connector, ConnectorError, Draft, ErrorKind
from liant.inbox.models import Conversation, Direction, Message, SavedReply, SendState

log = logging.getLogger(__name__)

# Longer than a send can take (SMTP and HTTP timeouts, a few retries).
STUCK_AFTER = timedelta(minutes=10)
VARIABLE = re.compile(r"\{\s*(\w+)\s*\}")


def variables(conversation: Conversation, agent: Any = None) -> dict[str, str]:
    agent_name = ""
    if agent is not None:
        agent_name = agent.get_short_name() if hasattr(agent, "get_short_name") else str(agent)
    return {
        "member_name": conversation.contact_name or conversation.contact_handle,
        "channel": conversation.channel.name,
        "agent_name": agent_name or conversation.workspace.name,
    }


def render(text: str, values: dict[str, str]) -> str:
    """Fill {member_name}, {channel}, {agent_name}; an unknown name is left as written."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def saved_reply_text(saved: SavedReply, conversation: Conversation, agent: Any = None) -> str:
    language = conversation.language or conversation.workspace.language
    return render(saved.text_for(language), variables(conversation, agent))


def last_inbound(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .select_related("event")
        .order_by("-occurred_at", "-id")
        .first()
    )


def queue_reply(
    conversation: Conversation, text: str, *, user: Any = None, automatic: bool = False
) -> Message:
    """Store the reply, then wake a worker once the transaction is committed."""
    now = timezone.now()
    parent = last_inbound(conversation)
    message = Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        direction=Direction.OUT,
        author_name=(user.get_full_name() if user is not None else conversation.workspace.name),
        text=text,
        language=conversation.language,
        occurred_at=now,
        sent_by=user if getattr(user, "is_authenticated", False) else None,
        automatic=automatic,
        in_reply_to=parent,
        state=SendState.QUEUED,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=now)
    enqueue(message.pk)
    return message


def enqueue(message_id: int) -> None:
    from liant.inbox import tasks  # noqa: PLC0415 - tasks import this module

    transaction.on_commit(lambda: tasks.send_reply(message_id))


def base_event(stored: StoredEvent) -> base.Event:
    """The stored event in the shape connectors take."""
    return base.Event(
        kind=base.EventKind(stored.kind),
        remote_id=stored.remote_id,
        author=base.Author(
            remote_id=stored.author_remote_id,
            handle=stored.author_handle,
            name=stored.author_name,
            url=stored.author_url,
        ),
        occurred_at=stored.occurred_at,
        text=stored.text,
        url=stored.url,
        parent_remote_id=stored.parent_remote_id,
        thread_remote_id=stored.thread_remote_id,
        language=stored.language,
        raw=stored.raw,
    )


def call_network(connector: Connector, message: Message) -> base.RemotePost:
    conversation = message.conversation
    draft = Draft(text=message.text, idempotency_key=message.idempotency_key)
    parent = message.in_reply_to.event if message.in_reply_to else None
    if parent is not None and connector.can(Capability.REPLY):
        return connector.reply(base_event(parent), draft)
    if connector.can(Capability.SEND_DIRECT) and conversation.contact_remote_id:
        recipient = base.Author(
            remote_id=conversation.contact_remote_id,
            handle=conversation.contact_handle,
            name=conversation.contact_name,
        )
        if conversation.channel.kind == "email":
            # The e-mail connector reads a subject from `link` (Draft has no subject yet);
            # any other network would append it to the message as a link.
            draft.link = conversation.subject
        return connector.send_direct(recipient, draft)
    raise ConnectorError(
        _("%(channel)s cannot answer this conversation.") % {"channel": conversation.channel},
        ErrorKind.PERMANENT,
    )


def send_reply(message_id: int) -> str:
    """Send one queued reply; returns its state afterwards."""
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, direction=Direction.OUT, state=SendState.QUEUED
    ).update(state=SendState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    message = (
        Message.objects.select_related(
            "conversation",
            "conversation__channel",
            "conversation__workspace",
            "in_reply_to__event",
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None or claimed != 1:
        return message.state if message else ""
    channel = message.conversation.channel
    with translation.override(message.conversation.workspace.language):
        if channel.health in (Health.AUTH_EXPIRED, Health.DISCONNECTED):
            # Nothing is tried on a channel known to be unreachable; reconnecting it and
            # sending again is a person's move.
            return record_failure(
                message,
                channel,
                ConnectorError(
                    _("%(channel)s is not connected (%(health)s): reconnect it, then send again.")
                    % {"channel": channel.name, "health": channel.get_health_display()},
                    ErrorKind.PERMANENT,
                ),
            )
        try:
            remote = fetching.with_fresh_credentials(
                channel, lambda connector: call_network(connector, message)
            )
        except ConnectorError as exc:
            return record_failure(message, channel, exc)
        except Exception as exc:  # a connector bug: the reply may or may not have left
            log.exception("sending reply %s failed", message_id)
            return record_failure(
                message,
                channel,
                ConnectorError(f"{type(exc).__name__}: {exc}", ErrorKind.TRANSIENT),
            )
    return record_sent(message, remote)


def record_sent(message: Message, remote: base.RemotePost) -> str:
    sent_at = remote.published_at or timezone.now()
    with transaction.atomic():
        done = Message.objects.filter(pk=message.pk, state=SendState.SENDING).update(
            state=SendState.SENT,
            remote_id=remote.remote_id[:500],
            remote_url=clean_url(remote.url)[:1000],
            claimed_at=None,
            last_error="",
        )
        if not done:
            # The sweep gave up on a slow worker meanwhile: the network's answer settles it.
            done = Message.objects.filter(pk=message.pk, state=SendState.FAILED).update(
                state=SendState.SENT,
                remote_id=remote.remote_id[:500],
                remote_url=clean_url(remote.url)[:1000],
                claimed_at=None,
                last_error="",
            )
        answered(message.conversation, sent_at)
    return SendState.SENT if done else message.state


def answered(conversation: Conversation, at: datetime) -> None:
    """The member has had an answer: the response clocks stop until they write again."""
    Conversation.objects.filter(pk=conversation.pk, first_response_at__isnull=True).update(
        first_response_at=at
    )
    Conversation.objects.filter(pk=conversation.pk, last_inbound_at__lte=at).update(
        awaiting_reply=False, next_response_due=None
    )


def record_failure(message: Message, channel: Channel, exc: ConnectorError) -> str:
    if exc.kind is ErrorKind.AUTH_EXPIRED:
        Channel.objects.filter(pk=channel.pk).update(
            **fetching.failure_update(channel, exc, timezone.now())
        )
    error = exc.message
    if exc.kind is ErrorKind.TRANSIENT and exc.status != -1:
        error = _("%(error)s It may have reached the member: check before sending again.") % {
            "error": exc.message
        }
    Message.objects.filter(pk=message.pk, state=SendState.SENDING).update(
        state=SendState.FAILED, claimed_at=None, last_error=error
    )
    return SendState.FAILED


def retry(message: Message) -> bool:
    """A person asks to send a failed reply again, with the same key."""
    moved = Message.objects.filter(pk=message.pk, state=SendState.FAILED).update(
        state=SendState.QUEUED, last_error=""
    )
    if moved:
        enqueue(message.pk)
    return moved == 1


def sweep(now: datetime | None = None) -> int:
    """Replies whose worker vanished mid-send are shown failed, never resent by themselves."""
    now = now or timezone.now()
    stuck = Message.objects.filter(state=SendState.SENDING, claimed_at__lt=now - STUCK_AFTER)
    count = 0
    for message in stuck.select_related("conversation__workspace"):
        with translation.override(message.conversation.workspace.language):
            note = _(
                "The worker stopped while sending; the reply may have reached the member. "
                "Check before sending it again."
            )
        count += Message.objects.filter(
            pk=message.pk, state=SendState.SENDING, claimed_at=message.claimed_at
        ).update(state=SendState.FAILED, claimed_at=None, last_error=note)
    # Queued replies whose job was lost (a queue flushed, a worker restarted) go out now.
    for message_id in Message.objects.filter(
        state=SendState.QUEUED, occurred_at__lt=now - timedelta(minutes=2)
    ).values_list("pk", flat=True):
        from liant.inbox import tasks  # noqa: PLC0415

        tasks.send_reply(message_id)
    return count
