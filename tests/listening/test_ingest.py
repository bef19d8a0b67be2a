"""Mentions are stored once, with language, sentiment, matched queries and roll-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liant.channels.models import Channel, Event
from liant.listening.ingest import Incoming, ingest, ingest_new_events
from liant.listening.models import ListeningSettings, Mention, MentionMatch, Query, Rollup

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)


@pytest.fixture
def queries(workspace):
    brand = Query.objects.create(
        workspace=workspace, name="Marque", kind="brand", text='"maison lumière" OR #maisonlumiere'
    )
    rival = Query.objects.create(
        workspace=workspace, name="Concurrent", kind="competitor", text='"café du coin"'
    )
    return brand, rival


def item(n, text, **extra):
    return Incoming(
        source="mastodon",
        remote_id=str(n),
        text=text,
        occurred_at=T0 + timedelta(minutes=n),
        **extra,
    )


def test_only_matching_items_are_stored_with_their_analysis(workspace, queries):
    brand, rival = queries
    report = ingest(
        workspace,
        [
            item(1, "J'adore le café de Maison Lumière, parfait !", author_followers=120),
            item(2, "Le Café du Coin est vraiment nul, service horrible."),
            item(3, "Rien à voir : il pleut sur Lyon."),
            item(4, "Maison Lumière ou le Café du Coin ? Love both"),
        ],
    )
    assert (report.seen, report.matched, report.stored) == (4, 3, 3)
    first = Mention.objects.get(remote_id="1")
    assert (first.language, first.sentiment) == ("fr", "positive")
    assert first.sentiment_score > 0 and first.reach == 120
    assert Mention.objects.get(remote_id="2").sentiment == "negative"
    both = Mention.objects.get(remote_id="4")
    assert set(both.queries.all()) == {brand, rival}
    assert MentionMatch.objects.get(mention=both, query=brand).terms == ["maison lumiere"]
    assert report.per_query == {brand.pk: 2, rival.pk: 2}


def test_the_same_items_twice_store_nothing_twice(workspace, queries):
    items = [item(1, "Maison Lumière !"), item(2, "Le café du coin")]
    ingest(workspace, items)
    again = ingest(workspace, items + items)
    assert (again.stored, again.already_stored) == (0, 4)
    assert Mention.objects.count() == 2
    brand, _ = queries
    assert Rollup.objects.get(query=brand, period="day").mentions == 1


def test_rollups_count_hours_days_and_sentiment(workspace, queries):
    brand, _ = queries
    ingest(
        workspace,
        [
            item(0, "Maison Lumière est géniale", author_followers=10),
            item(10, "Maison Lumière : café froid, déçu", author_followers=5),
            item(60, "#MaisonLumiere ouvre demain"),
        ],
    )
    hours = {
        r.start.hour: (r.mentions, r.positive, r.negative, r.reach)
        for r in Rollup.objects.filter(query=brand, period="hour")
    }
    assert hours == {9: (2, 1, 1, 15), 10: (1, 0, 0, 0)}
    day = Rollup.objects.get(query=brand, period="day")
    assert (day.start, day.mentions) == (datetime(2026, 11, 20, tzinfo=UTC), 3)


def test_copies_point_at_the_first_one(workspace, queries):
    ingest(workspace, [item(1, "Maison Lumière brûle le café https://x.example/a @bob")])
    ingest(
        workspace,
        [
            item(2, "maison lumiere brule le cafe https://x.example/b"),
            item(3, "MAISON LUMIÈRE brûle le café !!!"),
        ],
    )
    first = Mention.objects.get(remote_id="1")
    assert {m.remote_id for m in first.copies.all()} == {"2", "3"}


def test_a_query_change_is_seen_at_once(workspace, queries):
    brand, _ = queries
    assert ingest(workspace, [item(1, "Les croissants")]).stored == 0
    brand.text = "croissants"
    brand.save()
    assert ingest(workspace, [item(2, "Les croissants")]).stored == 1


def test_workspace_terms_change_the_sentiment(workspace, queries):
    settings = ListeningSettings.of(workspace)
    settings.sentiment_terms = {"cramé": -0.8}
    settings.save()
    ingest(workspace, [item(1, "Maison Lumière : café cramé")])
    assert Mention.objects.get().sentiment == "negative"


def test_channel_events_become_mentions_once(workspace, other_workspace, queries):
    channel = Channel.objects.create(workspace=workspace, kind="feed", name="Presse")
    theirs = Channel.objects.create(workspace=other_workspace, kind="feed", name="Autre")
    Query.objects.create(workspace=other_workspace, name="M", kind="brand", text="lumière")
    for n, (ch, kind, text) in enumerate(
        [
            (channel, "post", "Maison Lumière ouvre à Lyon"),
            (channel, "direct_message", "Maison Lumière, une question privée"),
            (channel, "reaction", ""),
            (theirs, "post", "Maison Lumière vue d'ailleurs"),
        ]
    ):
        Event.objects.create(
            workspace=ch.workspace,
            channel=ch,
            kind=kind,
            remote_id=str(n),
            text=text,
            occurred_at=T0,
        )
    assert ingest_new_events(workspace).stored == 1
    assert ingest_new_events(workspace).stored == 0
    mention = Mention.objects.get(workspace=workspace)
    assert mention.event.remote_id == "0" and mention.source == "feed"
    assert ListeningSettings.of(workspace).last_event_id == Event.objects.get(remote_id="0").pk
    assert ingest_new_events(other_workspace).stored == 1


def test_an_event_committed_late_below_the_cursor_still_becomes_a_mention(workspace, queries):
    """PostgreSQL hands ids out at insert: a slower fetch may commit a lower id after the
    ingestion has moved past it."""
    channel = Channel.objects.create(workspace=workspace, kind="feed", name="Presse")

    def event(n, text):
        return Event.objects.create(
            workspace=workspace,
            channel=channel,
            kind="post",
            remote_id=str(n),
            text=text,
            occurred_at=T0,
        )

    slow = event(1, "Maison Lumière, arrivé en retard")
    event(2, "Maison Lumière d'abord")
    slow_pk = slow.pk
    slow.delete()  # not committed yet when the ingestion runs
    assert ingest_new_events(workspace).stored == 1
    slow.pk = slow_pk
    slow.save(force_insert=True)  # ... and now it is
    assert ingest_new_events(workspace).stored == 1
    assert ingest_new_events(workspace).stored == 0
    assert Mention.objects.filter(workspace=workspace).count() == 2


def test_a_batch_stores_what_one_item_at_a_time_would(workspace):
    """Ingestion shares work across a batch (one term scan per text, one dedupe key per
    distinct text, cached word folding, roll-ups written in one statement); the rows must be
    exactly those the plain per-item path gives: analysis, matches with their terms, copies and
    roll-ups."""
    from collections import Counter

    from liant.listening.generate import stream
    from liant.listening.ingest import dedupe_key, matcher_for
    from liant.listening.matching import Document
    from liant.text import analyse

    texts = {
        "Marque": '"maison lumière" OR #maisonlumiere OR @maisonlumiere',
        "Concurrent": '"café du coin" OR #cafeducoin',
        "Produit": '"cold brew" AND (lumière OR #maisonlumiere)',
        "Français": "lang:fr AND NOT spam",
    }
    for name, text in texts.items():
        Query.objects.create(workspace=workspace, name=name, kind="topic", text=text)
    items = list(stream(T0, 2, 100, seed=3))
    items += [  # reposts of the same text under other ids, and a batch seen again
        Incoming(i.source, f"copy-{i.remote_id}", i.text, i.occurred_at + timedelta(hours=1))
        for i in items[:40]
    ]
    for first in range(0, len(items), 100):
        ingest(workspace, items[first : first + 100])
    ingest(workspace, items[:100])

    matcher = matcher_for(workspace)
    expected_matches, expected_rollups = {}, Counter()
    for i in items:
        result = next(analyse([i.text], classify=False))
        found = matcher.match(Document(i.text, result.language, i.source, i.author_handle))
        if not found:
            assert not Mention.objects.filter(remote_id=i.remote_id).exists()
            continue
        mention = Mention.objects.get(source=i.source, remote_id=i.remote_id)
        assert (mention.language, mention.sentiment, mention.sentiment_score) == (
            result.language,
            result.sentiment,
            round(result.sentiment_score, 4),
        )
        assert mention.dedupe_key == dedupe_key(i.text)
        expected_matches[mention.pk] = dict(found)
        for q in found:
            for period, start in (
                ("hour", i.occurred_at.replace(minute=0, second=0, microsecond=0)),
                ("day", i.occurred_at.replace(hour=0, minute=0, second=0, microsecond=0)),
            ):
                expected_rollups[(q, period, start, "mentions")] += 1
                expected_rollups[(q, period, start, result.sentiment)] += 1
                expected_rollups[(q, period, start, "reach")] += mention.reach
    stored = {}
    for match in MentionMatch.objects.all():
        stored.setdefault(match.mention_id, {})[match.query_id] = match.terms
    assert stored == expected_matches
    assert Mention.objects.count() == len(expected_matches)
    for mention in Mention.objects.exclude(duplicate_of=None).select_related("duplicate_of"):
        first = mention.duplicate_of
        assert first.dedupe_key == mention.dedupe_key and first.duplicate_of_id is None
        assert first.occurred_at <= mention.occurred_at
    assert Mention.objects.exclude(duplicate_of=None).count() >= 30  # the sample has copies
    rollups = Counter()
    for r in Rollup.objects.all():
        for name in ("mentions", "negative", "neutral", "positive", "reach"):
            if getattr(r, name):
                rollups[(r.query_id, r.period, r.start, name)] = getattr(r, name)
    assert rollups == +expected_rollups
