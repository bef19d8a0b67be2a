"""Turning what comes in (channel events, network searches) into stored mentions.

parse → drop what is already stored → match every query at once → analyse (language,
sentiment) only what matched → store mentions, matches and roll-ups in one transaction.
Matching comes before analysis because analysis is the expensive step and most of what the
channels bring matches no query.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Max
from django.db.models.expressions import RawSQL
from django.utils import timezone

from liant.channels.models import Event
from liant.core.bulkupdate import insert_many, update_many
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
LOOKBACK = 2000  # event ids below the cursor read again for late commits
LATE_WINDOW = timedelta(minutes=10)
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
    # Stopped because another worker had moved the event cursor (ingest_new_events).
    cursor_taken: bool = False

    def add(self, other: Report) -> None:
        self.seen += other.seen
        self.already_stored += other.already_stored
        self.matched += other.matched
        self.stored += other.stored
        self.copies += other.copies
        self.per_query.update(other.per_query)


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
        rows = _mentions_among(workspace, "remote_id", ids, ("remote_id",), source=source)
        found.update((source, remote_id) for (remote_id,) in rows)
    return found


def _mentions_among(
    workspace: Workspace, column: str, values: list[str], fields: tuple[str, ...], **where: object
) -> Iterator[tuple[Any, ...]]:
    """`fields` of the workspace's mentions whose `column` is one of `values` (and `where`)."""
    # order_by(): Mention's default ordering would make SQLite walk the workspace's date index
    # (every mention) rather than the index that starts with the workspace and `column`.
    query = Mention.objects.filter(workspace=workspace, **where).order_by()
    if connection.vendor == "postgresql":
        # One array parameter: an IN of 500 placeholders cost more Python to build, quote and
        # parse than the server spent answering.
        quote = connection.ops.quote_name
        name = f"{quote(Mention._meta.db_table)}.{quote(column)}"
        # The names come from the model; the values are one parameter.
        any_of = RawSQL(f"{name} = ANY(%s)", (values,), output_field=BooleanField())  # noqa: S611
        yield from query.filter(any_of).values_list(*fields)
        return
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        yield from query.filter(**{f"{column}__in": chunk}).values_list(*fields)


def _bucket(when: datetime, period: str) -> datetime:
    start = when.replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if period == Rollup.DAY else start


PERIODS = (Rollup.HOUR, Rollup.DAY)


def add_to_rollups(
    matched: Iterable[tuple[Mention | NewMention, Iterable[int]]], sign: int = 1
) -> None:
    """Add mentions (sign=-1: take them out) to the hour and day counts of the queries they
    matched. Ingestion adds new ones; marking a mention irrelevant takes it out again.

    A backfill touches hundreds of buckets per batch, so rows are read and locked in one
    query, written back in one bulk update, and the missing ones created in one insert."""
    sums: dict[tuple[int, str, datetime], Counter[str]] = defaultdict(Counter)
    for mention, query_ids in matched:
        buckets = [(period, _bucket(mention.occurred_at, period)) for period in PERIODS]
        for query_id in query_ids:
            for period, start in buckets:
                counts = sums[(query_id, period, start)]
                counts["mentions"] += sign
                counts[mention.sentiment] += sign
                counts["reach"] += sign * mention.reach
    if not sums:
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert must not end ours
            _apply(sums)
    except IntegrityError:  # another worker created one of our buckets meanwhile
        with transaction.atomic():
            _apply(sums)


ROLLUP_FIELDS = ("mentions", "negative", "neutral", "positive", "reach")


def _apply(sums: dict[tuple[int, str, datetime], Counter[str]]) -> None:
    query_ids = {key[0] for key in sums}
    periods = {key[1] for key in sums}
    starts = {key[2] for key in sums}
    # The period is named so the (query, period, start) index is used; on query alone SQLite
    # read every bucket each query ever had, once per batch.
    existing = {
        (r.query_id, r.period, r.start): r
        for r in Rollup.objects.select_for_update().filter(
            query_id__in=query_ids, period__in=periods, start__in=starts
        )
    }
    changed: list[Rollup] = []
    created: list[tuple[object, ...]] = []
    for key, counts in sums.items():
        row = existing.get(key)
        if row is None:
            if counts["mentions"] < 0:  # taking out what was never counted: nothing to do
                continue
            created.append((*key, *(counts.get(name, 0) for name in ROLLUP_FIELDS)))
            continue
        for name in ROLLUP_FIELDS:
            setattr(row, name, getattr(row, name) + counts.get(name, 0))
        changed.append(row)
    # Not bulk_update(): its CASE WHEN per column cost as much as the rest of the roll-ups.
    update_many(
        Rollup, ROLLUP_FIELDS, ((*(getattr(r, n) for n in ROLLUP_FIELDS), r.pk) for r in changed)
    )
    # insert_many, not bulk_create: on PostgreSQL bulk_create quoted every value in Python
    # (a backfill creates hundreds of buckets per batch).
    insert_many(Rollup, ("query_id", "period", "start", *ROLLUP_FIELDS), created)


def ingest(workspace: Workspace, items: Sequence[Incoming]) -> Report:
    """Store the items that match a query, once. Safe to call again with the same items."""
    batch = _prepare(workspace, items)
    if batch.mentions:
        _write(workspace, batch)
    return batch.report


@dataclass
class Claimed:
    """A batch that may be stored only if `claim()`, run first in its transaction, says so
    (ingest_new_events: the event cursor moved from this batch's start to its end)."""

    items: Sequence[Incoming]
    claim: Callable[[], bool]


class CursorTaken(Exception):
    """A batch's claim failed: another worker is storing these events."""


def ingest_many(
    workspace: Workspace,
    batches: Iterable[Sequence[Incoming] | Claimed],
    threaded: bool | None = None,
) -> Report:
    """`ingest` each batch in turn (each batch in its own transaction, as `ingest` does),
    analysing batch n+1 while batch n is written when the database allows it.

    On PostgreSQL most of a batch's write is the server's time (index inserts, foreign-key
    checks), spent on another core: a writer thread with its own connection stores batch n
    while this thread analyses batch n+1 (psycopg lets go of the GIL while it waits).
    `threaded=None` does so on PostgreSQL only: SQLite's writing is this process's own CPU,
    and with a writer thread ingestion was slower (README, "Measured"); True does so wherever
    a second connection can work (the tests, on SQLite too); False never.

    Stopped at the first batch that fails, with that batch's error; the batches before it
    stay stored, none is stored half. A Claimed batch whose claim fails stops the run
    quietly (`cursor_taken`), with the figures of the batches stored before it."""
    if threaded is None:
        threaded = connection.vendor == "postgresql"
    writer = _Writer() if threaded and _can_overlap() else None
    stored: list[Report] = []  # the reports of the batches committed
    writing: Report | None = None  # the report of the batch the writer has
    in_flight: set[tuple[str, str]] = set()
    taken = False
    try:
        for entry in batches:
            items, claim = (
                (entry.items, entry.claim) if isinstance(entry, Claimed) else (entry, None)
            )
            batch = _prepare(workspace, items, in_flight)
            batch.claim = claim
            needed = bool(batch.mentions) or claim is not None
            if writer is None:
                if needed:
                    _write(workspace, batch)
                stored.append(batch.report)
                continue
            writer.wait()  # batch n-1 is committed (or its error raised here)
            if writing is not None:
                stored.append(writing)
                writing = None
            # Until batch n commits, its mentions are invisible to this thread's connection:
            # the next batch's "already stored?" must count them as stored.
            in_flight = {(m.source, m.remote_id) for m in batch.mentions}
            if needed:
                writer.submit(workspace, batch)
                writing = batch.report
            else:
                stored.append(batch.report)
        if writer is not None:
            writer.wait()
            if writing is not None:
                stored.append(writing)
    except CursorTaken:
        taken = True
    finally:
        if writer is not None:
            writer.stop()
    total = Report(cursor_taken=taken)
    for report in stored:
        total.add(report)
    return total


def _can_overlap() -> bool:
    """Whether a second connection can write the batches: not inside a transaction of the
    caller's (a second connection would not see its uncommitted rows, nor be undone with it;
    the test suite's transactions are such), nor on an in-memory SQLite database (a second
    connection opens another, empty, database)."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


class _Writer:
    """One thread, its own database connection, one batch at a time, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="listening-writer")
        self._pending: Future[None] | None = None

    def submit(self, workspace: Workspace, batch: _Batch) -> None:
        self._pending = self._pool.submit(_write, workspace, batch)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # the writer's error, raised in the caller's thread

    def stop(self) -> None:
        """Let the batch under way finish (or fail: its error was or will be raised by
        wait(), or the caller is already raising its own), then close the thread's
        connection, which Django would otherwise leave open."""
        if self._pending is not None:
            try:
                self._pending.result()
            except Exception:  # the caller's own error is the one on its way up
                log.exception("listening writer failed while its caller was failing")
        # A lambda: `connection.close` would be looked up here, as this thread's connection.
        self._pool.submit(lambda: connection.close()).result()
        self._pool.shutdown()


@dataclass
class _Batch:
    """A batch analysed and matched, ready to be written."""

    mentions: list[NewMention]
    matches: dict[int, list[int]]
    terms_of: dict[int, dict[int, list[str]]]
    report: Report
    claim: Callable[[], bool] | None = None


def _write(workspace: Workspace, batch: _Batch) -> None:
    with transaction.atomic():
        if batch.claim is not None and not batch.claim():
            raise CursorTaken
        if batch.mentions:
            _store(workspace, batch.mentions, batch.matches, batch.terms_of, batch.report)


def _prepare(
    workspace: Workspace,
    items: Sequence[Incoming],
    in_flight: Collection[tuple[str, str]] = (),
) -> _Batch:
    """Everything but the writing: drop what is stored (or `in_flight`: being stored),
    scan, analyse, match. Reads only."""
    report = Report(seen=len(items))
    batch = _Batch([], {}, {}, report)
    matcher = matcher_for(workspace)
    if not matcher.queries or not items:
        return batch
    stored = _already_stored(workspace, items)
    fresh: dict[tuple[str, str], Incoming] = {}
    for item in items:
        key = (item.source, item.remote_id)
        if key in stored or key in fresh or key in in_flight:
            report.already_stored += 1
        else:
            fresh[key] = item
    # Term scan first: only items a query could match go through language and sentiment.
    # The scan of each text is kept for matching below: a text is scanned once.
    scans = [(item, matcher.terms_found(item.text)) for item in fresh.values()]
    candidates = [(item, hits) for item, hits in scans if matcher.always or hits]
    settings = ListeningSettings.of(workspace)
    # A wave of reposts is the same text many times: each distinct text is analysed once.
    distinct = list(dict.fromkeys(item.text for item, _hits in candidates))
    analysed = dict(
        zip(
            distinct,
            analyse(distinct, settings.sentiment_terms or None, classify=False),
            strict=True,
        )
    )
    mentions: list[NewMention] = []
    matches: dict[int, list[int]] = {}
    terms_of: dict[int, dict[int, list[str]]] = {}
    keys: dict[str, str] = {}  # reposts share a text: its dedupe key is computed once
    for item, hits in candidates:
        result = analysed[item.text]
        found = matcher.match(
            Document(
                item.text,
                language=result.language,
                source=item.source,
                author=item.author_handle,
            ),
            hits,
        )
        if not found:
            continue
        mention = NewMention(
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
            dedupe_key=keys.get(item.text) or keys.setdefault(item.text, dedupe_key(item.text)),
        )
        mentions.append(mention)
        matches[id(mention)] = [int(q) for q in found]  # type: ignore[call-overload]
        terms_of[id(mention)] = {int(q): terms for q, terms in found.items()}  # type: ignore[call-overload]
    report.matched = len(mentions)
    batch.mentions, batch.matches, batch.terms_of = mentions, matches, terms_of
    return batch


@dataclass(slots=True)
class NewMention:
    """A mention about to be stored: the columns, without a model instance (building 2,000
    Mention objects per batch, then preparing each value through its field, was more than
    a third of ingestion; see core/bulkupdate.py)."""

    source: str
    channel_id: int | None
    event_id: int | None
    remote_id: str
    url: str
    author_handle: str
    author_name: str
    author_followers: int | None
    text: str
    language: str
    sentiment: str
    sentiment_score: float
    occurred_at: datetime
    dedupe_key: str
    duplicate_of_id: int | None = None
    pk: int | None = None

    @property
    def reach(self) -> int:  # as Mention.reach, for the roll-ups
        return self.author_followers or 0


MENTION_COLUMNS = (
    "workspace_id",
    "source",
    "channel_id",
    "event_id",
    "remote_id",
    "url",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "language",
    "sentiment",
    "sentiment_score",
    "occurred_at",
    "stored_at",
    "duplicate_of_id",
    "dedupe_key",
    "irrelevant",
)


def _insert(workspace: Workspace, mentions: list[NewMention]) -> None:
    now = timezone.now()
    pks = insert_many(
        Mention,
        MENTION_COLUMNS,
        [
            (
                workspace.pk,
                m.source,
                m.channel_id,
                m.event_id,
                m.remote_id,
                m.url,
                m.author_handle,
                m.author_name,
                m.author_followers,
                m.text,
                m.language,
                m.sentiment,
                m.sentiment_score,
                m.occurred_at,
                now,
                m.duplicate_of_id,
                m.dedupe_key,
                False,
            )
            for m in mentions
        ],
        returning_pk=True,
    )
    for mention, pk in zip(mentions, pks, strict=True):
        mention.pk = pk


def _store(
    workspace: Workspace,
    mentions: list[NewMention],
    matches: dict[int, list[int]],
    terms_of: dict[int, dict[int, list[str]]],
    report: Report,
) -> None:
    keys = list({m.dedupe_key for m in mentions})
    earliest: dict[str, tuple[datetime, int]] = {}
    # The earliest is picked here, not by ORDER BY occurred_at: asked to sort, SQLite walks
    # the workspace's date index (every mention) instead of the key index.
    for key, when, pk in _mentions_among(
        workspace, "dedupe_key", keys, ("dedupe_key", "occurred_at", "pk"), duplicate_of=None
    ):
        if key not in earliest or (when, pk) < earliest[key]:
            earliest[key] = (when, pk)
    firsts = {key: pk for key, (_when, pk) in earliest.items()}
    # Copies point at the first text seen: one stored earlier, or the earliest of this batch,
    # which is inserted first so its id is known when its copies are.
    seen_here: dict[str, NewMention] = {}
    firsts_here, copies_here = [], []
    for mention in sorted(mentions, key=lambda m: m.occurred_at):
        if mention.dedupe_key in firsts:
            mention.duplicate_of_id = firsts[mention.dedupe_key]
            firsts_here.append(mention)
        elif mention.dedupe_key in seen_here:
            copies_here.append(mention)
        else:
            seen_here[mention.dedupe_key] = mention
            firsts_here.append(mention)
    _insert(workspace, firsts_here)
    for mention in copies_here:
        mention.duplicate_of_id = seen_here[mention.dedupe_key].pk
    _insert(workspace, copies_here)
    copies = [m for m in mentions if m.duplicate_of_id]
    insert_many(
        MentionMatch,
        ("mention_id", "query_id", "terms", "occurred_at"),
        [
            (mention.pk, query_id, terms_of[id(mention)][query_id], mention.occurred_at)
            for mention in mentions
            for query_id in matches[id(mention)]
        ],
    )
    add_to_rollups((mention, matches[id(mention)]) for mention in mentions)
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
    transaction as the mentions so a crash neither skips nor repeats a batch; then one look
    back below the cursor for events committed late. Through ingest_many: on PostgreSQL the
    next batch is analysed while this one is written."""
    settings = ListeningSettings.of(workspace)
    last = settings.last_event_id

    def batches() -> Iterator[Claimed]:
        nonlocal last
        while True:
            events = list(
                Event.objects.filter(workspace=workspace, pk__gt=last, kind__in=LISTENED_KINDS)
                .select_related("channel")
                .order_by("pk")[:EVENT_BATCH]
            )
            if not events:
                return
            # The conditional update is the claim: on PostgreSQL the row stays locked until
            # commit, so a second worker's same update waits, then finds the cursor moved.
            claim = functools.partial(_move_cursor, settings.pk, last, events[-1].pk)
            last = events[-1].pk
            yield Claimed([incoming_from_event(e) for e in events if e.text], claim)

    total = ingest_many(workspace, batches())
    if total.cursor_taken:
        return total
    settings.last_event_id = last  # where the batches above moved it
    # On PostgreSQL ids are handed out at insert, not at commit: a fetch that commits after
    # another can leave events below the cursor. They are read again here; those already
    # mentions are skipped by the (source, remote id) check inside ingest().
    if last:
        made = Mention.objects.filter(workspace=workspace, event_id__gt=last - LOOKBACK)
        late = list(
            Event.objects.filter(
                workspace=workspace,
                pk__gt=max(0, last - LOOKBACK),
                pk__lte=last,
                kind__in=LISTENED_KINDS,
                # A late commit is seconds late: older events below the cursor were read.
                fetched_at__gte=timezone.now() - LATE_WINDOW,
            )
            .exclude(pk__in=made.values("event_id"))
            .select_related("channel")
            .order_by("pk")
        )
        if late:
            _ingest_claimed(workspace, settings, last, late, total)
    return total


def _move_cursor(settings_pk: int, old: int, new: int) -> bool:
    return bool(
        ListeningSettings.objects.filter(pk=settings_pk, last_event_id=old).update(
            last_event_id=new
        )
    )


def _ingest_claimed(
    workspace: Workspace,
    settings: ListeningSettings,
    new_cursor: int,
    events: list[Event],
    total: Report,
) -> bool:
    """Ingest `events` once the cursor is claimed; False when another worker had it."""
    with transaction.atomic():
        # The conditional update is the claim: on PostgreSQL the row stays locked until
        # commit, so a second worker's same update waits, then finds the cursor moved.
        moved = ListeningSettings.objects.filter(
            pk=settings.pk, last_event_id=settings.last_event_id
        ).update(last_event_id=new_cursor)
        if not moved:
            return False
        report = ingest(workspace, [incoming_from_event(e) for e in events if e.text])
    total.add(report)
    return True
