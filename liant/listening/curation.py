"""What a community manager's judgement does to the figures: an irrelevant mention leaves the
counts at once, and the words irrelevant mentions share become suggested exclusions."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from liant.connectors import registry
from liant.connectors.base import Capability
from liant.core.models import User, Workspace
from liant.listening.ingest import add_to_rollups
from liant.listening.models import Mention, MentionMatch, Query
from liant.listening.query import terms_of
from liant.text.keywords import rising_terms

SUGGESTION_SAMPLE = 500


def set_irrelevant(workspace: Workspace, ids: list[int], irrelevant: bool) -> int:
    """Mark mentions (and take them out of, or put them back in, the roll-ups). Returns how
    many changed; a mention already in that state is left alone, so a double submit counts
    nothing twice."""
    with transaction.atomic():
        changing = list(
            Mention.objects.select_for_update()
            .filter(workspace=workspace, pk__in=ids)
            .exclude(irrelevant=irrelevant)
        )
        if not changing:
            return 0
        Mention.objects.filter(pk__in=[m.pk for m in changing]).update(irrelevant=irrelevant)
        queries_of: dict[int, list[int]] = defaultdict(list)
        for mention_id, query_id in MentionMatch.objects.filter(mention__in=changing).values_list(
            "mention_id", "query_id"
        ):
            queries_of[mention_id].append(query_id)
        add_to_rollups(((m, queries_of[m.pk]) for m in changing), sign=-1 if irrelevant else 1)
    return len(changing)


def suggest_exclusions(query: Query, top: int = 8) -> list[str]:
    """Words far more common in this query's irrelevant mentions than in its relevant ones."""
    mentions = Mention.objects.filter(matches__query=query).order_by("-occurred_at")
    noise = list(
        mentions.filter(irrelevant=True).values_list("text", flat=True)[:SUGGESTION_SAMPLE]
    )
    if len(noise) < 2:
        return []
    signal = list(
        mentions.filter(irrelevant=False).values_list("text", flat=True)[:SUGGESTION_SAMPLE]
    )
    # The query's own words are in every mention: never suggest excluding them.
    own = {word for term in terms_of(query.tree()) for word in term.key.lstrip("#@").split()}
    return [
        found.term
        for found in rising_terms(noise, signal, min_count=2)
        if not own & set(found.term.split()) and found.z > 0
    ][:top]


def to_ideas(workspace: Workspace, user: User, ids: list[int]) -> int:
    """Each mention becomes a publishing idea that keeps its words and its source link; a
    mention already turned into an idea (same link) is not turned again."""
    from liant.publishing.models import Post  # noqa: PLC0415 - apps talk through models
    from liant.publishing.states import State  # noqa: PLC0415

    made = 0
    for mention in Mention.objects.filter(workspace=workspace, pk__in=ids):
        if (
            mention.url
            and Post.objects.filter(workspace=workspace, source_url=mention.url).exists()
        ):
            continue
        Post.objects.create(
            workspace=workspace,
            owner=user,
            title=mention.text[:200],
            state=State.IDEA,
            source_url=mention.url if mention.url.startswith(("http://", "https://")) else "",
        )
        made += 1
    return made


def to_conversations(workspace: Workspace, ids: list[int]) -> tuple[int, int]:
    """Mentions found by listening become inbox conversations, answered through the channel
    that found them. Returns (opened, refused): a mention from a channel that cannot reply
    (a feed) or without a channel stays where it is."""
    from liant.channels.models import Event  # noqa: PLC0415
    from liant.inbox.grouping import group_workspace  # noqa: PLC0415

    opened = refused = 0
    for mention in Mention.objects.filter(workspace=workspace, pk__in=ids).select_related(
        "channel", "event"
    ):
        channel = mention.channel
        if (
            channel is None
            or Capability.REPLY not in registry.connector_class(channel.kind).capabilities
        ):
            refused += 1
            continue
        event = mention.event
        if event is None:
            event, _created = Event.objects.get_or_create(
                workspace=workspace,
                channel=channel,
                kind="mention",
                remote_id=mention.remote_id,
                defaults={
                    "author_handle": mention.author_handle,
                    "author_name": mention.author_name,
                    "text": mention.text,
                    "url": mention.url,
                    "language": mention.language,
                    "occurred_at": mention.occurred_at,
                    "raw": {"uri": mention.remote_id} if mention.source == "bluesky" else {},
                },
            )
            Mention.objects.filter(pk=mention.pk).update(event=event)
        opened += 1
    if opened:
        group_workspace(workspace.pk)
    return opened, refused
