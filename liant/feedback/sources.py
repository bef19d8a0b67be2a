"""What was said, and by whom: an inbox message or a listening mention in one shape.

Verbatims and ideas both start from "something a person said somewhere"; reading it once
here keeps the copy (words, author, channel, link, date, sentiment, language) the same
whichever module it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from liant.channels.models import Channel, Event
from liant.inbox.models import Direction, Message
from liant.listening.models import Mention
from liant.members import attach
from liant.members.models import Identity, Member


@dataclass
class Said:
    text: str
    author_name: str
    author_handle: str
    channel: Channel | None
    channel_name: str
    network: str
    url: str
    at: datetime
    sentiment: str
    language: str
    event: Event | None
    message: Message | None = None
    mention: Mention | None = None
    inbound: bool = True  # our own replies have no member behind them


def from_message(message: Message) -> Said:
    conversation = message.conversation
    channel = conversation.channel
    event = message.event
    inbound = message.direction == Direction.IN
    return Said(
        text=message.text,
        author_name=message.author_name or (conversation.contact if inbound else ""),
        author_handle=(event.author_handle if event else "")
        or (conversation.contact_handle if inbound else ""),
        channel=channel,
        channel_name=channel.name,
        network=channel.kind,
        url=(event.url if event else "") or message.remote_url,
        at=message.occurred_at,
        sentiment=message.sentiment,
        language=message.language,
        event=event,
        message=message,
        inbound=inbound,
    )


def from_mention(mention: Mention) -> Said:
    channel = mention.channel
    return Said(
        text=mention.text,
        author_name=mention.author_name or mention.author_handle,
        author_handle=mention.author_handle,
        channel=channel,
        channel_name=channel.name if channel else mention.source,
        network=mention.source,
        url=mention.url,
        at=mention.occurred_at,
        sentiment=mention.sentiment,
        language=mention.language,
        event=mention.event,
        mention=mention,
    )


def live(member: Member | None) -> Member | None:
    """A merged member hands over to the one it was merged into."""
    seen = set()
    while member is not None and member.merged_into_id and member.pk not in seen:
        seen.add(member.pk)
        member = member.merged_into
    if member is not None and member.erased_at is not None:
        return None
    return member


def identity_of(workspace_id: int, said: Said, *, create: bool = False) -> Identity | None:
    """The author's account on that network, keyed as the members module keys it.

    With `create`, an author the members worker has not read yet gets their member and
    identity now (the same function the worker runs, so it finds them done later)."""
    if not said.inbound:
        return None
    if said.event is not None:
        person = attach.person_of(said.event)
        if person is None:  # a feed's author, or our own account
            return None
        found = Identity.objects.filter(
            workspace_id=workspace_id, network=person.network, key=person.key
        ).first()
        if found is None and create:
            attach.attach(workspace_id, [said.event])
            found = Identity.objects.filter(
                workspace_id=workspace_id, network=person.network, key=person.key
            ).first()
        return found
    if said.author_handle:
        # A mention found by a network search has no stored event: the handle on that
        # network is all there is to match.
        return (
            Identity.objects.filter(
                workspace_id=workspace_id, network=said.network, handle=said.author_handle
            )
            .order_by("pk")
            .first()
        )
    return None


def member_of(
    workspace_id: int, said: Said, *, create: bool = False
) -> tuple[Member | None, Identity | None]:
    identity = identity_of(workspace_id, said, create=create)
    if identity is None:
        return None, None
    return live(identity.member), identity
