"""Listening on the networks' own search (Mastodon, Bluesky), beyond what the connected
accounts are told about. Each query's positive terms are searched one by one (the networks'
search has no boolean syntax); the precise query then decides, in ingest."""

from __future__ import annotations

import logging

from liant.channels.fetching import with_fresh_credentials
from liant.channels.models import Channel, Health
from liant.connectors import registry
from liant.connectors.base import Capability, ConnectorError, ErrorKind, Event
from liant.core.models import Workspace
from liant.listening.ingest import Incoming, Report, ingest
from liant.listening.models import Query
from liant.listening.query import Node, Not, QuerySyntaxError, Term

log = logging.getLogger(__name__)

TERMS_PER_QUERY = 5  # network calls per query and channel, each sweep


def positive_terms(node: Node, negated: bool = False) -> list[Term]:
    """Terms that can make the query match (not those under NOT), in query order."""
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_terms(node.child, not negated)
    if hasattr(node, "children"):
        return [t for child in node.children for t in positive_terms(child, negated)]
    return []


def _incoming(channel: Channel, event: Event) -> Incoming:
    author = event.author
    return Incoming(
        source=channel.kind,
        remote_id=event.remote_id,
        text=event.text,
        occurred_at=event.occurred_at,
        url=event.url,
        author_handle=author.handle if author else "",
        author_name=author.name if author else "",
        author_followers=author.followers if author else None,
        channel_id=channel.pk,
    )


def search_networks(workspace: Workspace) -> Report:
    channels = [
        channel
        for channel in Channel.objects.filter(workspace=workspace, health=Health.OK)
        if registry.connector_class(channel.kind).capabilities >= {Capability.SEARCH}
    ]
    words: list[str] = []
    for query in Query.objects.filter(workspace=workspace, active=True):
        try:
            tree = query.tree()
        except QuerySyntaxError:
            continue
        for term in positive_terms(tree)[:TERMS_PER_QUERY]:
            if term.text not in words:
                words.append(term.text)
    items: list[Incoming] = []
    for channel in channels:
        for word in words:

            def call(connector, word=word):
                if word.startswith("#") and hasattr(connector, "hashtag"):
                    return connector.hashtag(word[1:])
                return connector.search(word)

            try:
                events = with_fresh_credentials(channel, call)
            except ConnectorError as exc:
                log.info("listening search on %s stopped: %s", channel, exc)
                if exc.kind in (ErrorKind.RATE_LIMITED, ErrorKind.AUTH_EXPIRED):
                    break  # the fetch loop reports the channel's health; try next sweep
                continue
            items.extend(_incoming(channel, e) for e in events if e.text)
    return ingest(workspace, items)
