"""Turning what comes in (channel events, network searches) into stored mentions.

parse → drop what is already stored → match every query at once → analyse (language,
sentiment) only what matched → store mentions, matches and roll-ups in one transaction.
Matching comes before analysis because analysis is the expensive step and most of what the
channels bring matches no query.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from liant.channels.models import Event
from liant.core.models import Workspace
from liant.listening.matching import Document, Matcher
from liant.listening.models import (
    ListeningSettings,
    Mention,
    MentionMatch,
    Query,
    Rollup,
)
from liant.listening.query import QuerySyntaxError
from liant.text import analyse
from liant.text.duplicates import canonical

log = logging.getLogger(__name__)

LISTENED_KINDS = ("post", "comment", "mention")  # direct messages are private: not listening
EVENT_BATCH = 1000
LOOKUP_CHUNK = 500  # remote ids per "already stored?" query (SQLite's variable limit)


@dataclass(frozen=True)
class Incoming:
    source: str
    remote_id: str
    text: str
    occurred_at: datetime
    url: str = ""
    author_handle: str = ""
    author_name: str = ""
    author_followers: int | None = None
    channel_id: int | None = None
    event_id: int | None = None


@dataclass
class Report:
    seen: int = 0
    already_stored: int = 0
    matched: int = 0
    stored: int = 0
    copies: int = 0
    per_query: Counter[int] = field(default_factory=Counter)


# --- the compiled queries of a workspace, rebuilt when one changes ------------------------------

_matchers: dict[int, tuple[tuple[object, ...], Matcher]] = {}


def matcher_for(workspace: Workspace) -> Matcher:
    queries = Query.objects.filter(workspace=workspace, active=True)
    version = tuple(queries.aggregate(m=Max("updated_at")).values()) + (queries.count(),)
    cached = _matchers.get(workspace.pk)
    if cached and cached[0] == version:
        return cached[1]
    trees: dict[Hashable, object] = {}
    for query in queries:
        try:
            trees[query.pk] = query.tree()
        except QuerySyntaxError:  # saved before a grammar change: skipped, shown on its page
            log.warning("listening query %s no longer parses", query.pk)
    matcher = Matcher(trees)  # type: ignore[arg-type]
    _matchers[workspace.pk] = (version, matcher)
    return matcher


def dedupe_key(text: str) -> str:
    return hashlib.blake2b(canonical(text).encode(), digest_size=16).hexdigest()


def _already_stored(workspace: Workspace, items: Sequence[Incoming]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_source: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_source[item.source].append(item.remote_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            rows = Mention.objects.filter(
                workspace=workspace, source=source, remote_id__in=ids[start : start + LOOKUP_CHUNK]
            ).values_list("remote_id", flat=True)
            found.update((source, remote_id) for remote_id in rows)
    return found


def _bucket(when: datetime, period: str) -> datetime:
    start = when.replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if period == Rollup.DAY else start


def _add_to_rollups(mentions: Iterable[Mention], matches: dict[int, list[int]]) -> None:
    """Add the new mentions to the hour and day counts of each query they matched."""
    sums: dict[tuple[int, str, datetime], Counter[str]] = defaultdict(Counter)
    for mention in mentions:
        for query_id in matches[id(mention)]:
            for period in (Rollup.HOUR, Rollup.DAY):
                counts = sums[(query_id, period, _bucket(mention.occurred_at, period))]
                counts["mentions"] += 1
                counts[mention.sentiment] += 1
                counts["reach"] += mention.reach
    for (query_id, period, start), counts in sums.items():
        increments = {name: F(name) + value for name, value in counts.items()}
        rows = Rollup.objects.filter(query_id=query_id, period=period, start=start)
        if rows.update(**increments):
            continue
        try:
            with transaction.atomic():  # a savepoint: a concurrent insert must not end ours
                Rollup.objects.create(query_id=query_id, period=period, start=start, **counts)
        except IntegrityError:
            rows.update(**increments)


def ingest(workspace: Workspace, items: Sequence[Incoming]) -> Report:
    """Store the items that match a query, once. Safe to call again with the same items."""
    report = Report(seen=len(items))
    matcher = matcher_for(workspace)
    if not matcher.queries or not items:
        return report
    stored = _already_stored(workspace, items)
    fresh: dict[tuple[str, str], Incoming] = {}
    for item in items:
        key = (item.source, item.remote_id)
        if key in stored or key in fresh:
            report.already_stored += 1
        else:
            fresh[key] = item
    # Term scan first: only items a query could match go through language and sentiment.
    candidates = [
        item for item in fresh.values() if matcher.always or matcher.terms_found(item.text)
    ]
    settings = ListeningSettings.of(workspace)
    analyses = analyse((item.text for item in candidates), settings.sentiment_terms or None)
    mentions: list[Mention] = []
    matches: dict[int, list[int]] = {}
    terms_of: dict[int, dict[int, list[str]]] = {}
    for item, result in zip(candidates, analyses, strict=True):
        found = matcher.match(
            Document(
                item.text,
                language=result.language,
                source=item.source,
                author=item.author_handle,
            )
        )
        if not found:
            continue
        mention = Mention(
            workspace=workspace,
            source=item.source,
            channel_id=item.channel_id,
            event_id=item.event_id,
            remote_id=item.remote_id,
            url=item.url,
            author_handle=item.author_handle[:300],
            author_name=item.author_name[:300],
            author_followers=item.author_followers,
            text=item.text,
            language=result.language,
            sentiment=result.sentiment,
            sentiment_score=round(result.sentiment_score, 4),
            occurred_at=item.occurred_at,
            dedupe_key=dedupe_key(item.text),
        )
        mentions.append(mention)
        matches[id(mention)] = [int(q) for q in found]  # type: ignore[call-overload]
        terms_of[id(mention)] = {int(q): terms for q, terms in found.items()}  # type: ignore[call-overload]
    report.matched = len(mentions)
    if mentions:
        with transaction.atomic():
            _store(workspace, mentions, matches, terms_of, report)
    return report


def _store(
    workspace: Workspace,
    mentions: list[Mention],
    matches: dict[int, list[int]],
    terms_of: dict[int, dict[int, list[str]]],
    report: Report,
) -> None:
    keys = {m.dedupe_key for m in mentions}
    firsts: dict[str, int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = list(keys)[start : start + LOOKUP_CHUNK]
        for key, pk in (
            Mention.objects.filter(workspace=workspace, dedupe_key__in=chunk, duplicate_of=None)
            .order_by("occurred_at")
            .values_list("dedupe_key", "pk")
        ):
            firsts.setdefault(key, pk)
    Mention.objects.bulk_create(mentions, batch_size=500)
    copies = []
    for mention in sorted(mentions, key=lambda m: m.occurred_at):
        first = firsts.setdefault(mention.dedupe_key, mention.pk)
        if first != mention.pk:
            mention.duplicate_of_id = first
            copies.append(mention)
    if copies:
        Mention.objects.bulk_update(copies, ["duplicate_of"], batch_size=500)
    MentionMatch.objects.bulk_create(
        [
            MentionMatch(
                mention=mention,
                query_id=query_id,
                terms=terms_of[id(mention)][query_id],
                occurred_at=mention.occurred_at,
            )
            for mention in mentions
            for query_id in matches[id(mention)]
        ],
        batch_size=500,
    )
    _add_to_rollups(mentions, matches)
    report.stored = len(mentions)
    report.copies = len(copies)
    for mention in mentions:
        report.per_query.update(matches[id(mention)])


# --- sources ----------------------------------------------------------------------------------


def incoming_from_event(event: Event) -> Incoming:
    followers = (event.raw or {}).get("account", {}).get("followers_count") if event.raw else None
    return Incoming(
        source=event.channel.kind,
        remote_id=event.remote_id,
        text=event.text,
        occurred_at=event.occurred_at,
        url=event.url,
        author_handle=event.author_handle,
        author_name=event.author_name,
        author_followers=followers if isinstance(followers, int) else None,
        channel_id=event.channel_id,
        event_id=event.pk,
    )


def ingest_new_events(workspace: Workspace) -> Report:
    """Everything the channels stored since the last run, in id order, cursor kept in the same
    transaction as the mentions so a crash neither skips nor repeats a batch."""
    total = Report()
    while True:
        settings = ListeningSettings.of(workspace)
        events = list(
            Event.objects.filter(
                workspace=workspace, pk__gt=settings.last_event_id, kind__in=LISTENED_KINDS
            )
            .select_related("channel")
            .order_by("pk")[:EVENT_BATCH]
        )
        if not events:
            return total
        with transaction.atomic():
            # Moving the cursor first takes the batch: on PostgreSQL the row stays locked
            # until commit, so a second worker's same update waits, then finds it moved.
            moved = ListeningSettings.objects.filter(
                pk=settings.pk, last_event_id=settings.last_event_id
            ).update(last_event_id=events[-1].pk)
            if not moved:
                return total
            report = ingest(workspace, [incoming_from_event(e) for e in events if e.text])
        total.seen += report.seen
        total.stored += report.stored
        total.matched += report.matched
        total.already_stored += report.already_stored
        total.copies += report.copies
        total.per_query.update(report.per_query)
