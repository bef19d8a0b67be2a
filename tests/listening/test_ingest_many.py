"""ingest_many: batch n is written by a writer thread while batch n+1 is analysed.

These tests commit for real (transaction=True): inside the test's transaction a second
connection could not see its rows, and ingest_many writes inline there (last test). They ask
for the writer thread (threaded=True), which by default runs on PostgreSQL only, so that it
is tested on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from liant.listening import ingest as ingest_module
from liant.listening.ingest import Incoming, ingest, ingest_many
from liant.listening.models import Mention, MentionMatch, Query, Rollup

T0 = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)


@pytest.fixture
def brand(workspace):
    return Query.objects.create(
        workspace=workspace, name="Marque", kind="brand", text='"maison lumière"'
    )


def item(n, text=None):
    return Incoming(
        source="mastodon",
        remote_id=str(n),
        text=text or f"Maison Lumière, visite numéro {n}",
        occurred_at=T0 + timedelta(minutes=n),
    )


@pytest.fixture
def writes(monkeypatch):
    """The thread each batch was written in."""
    threads: list[str] = []
    write = ingest_module._write

    def recorded(workspace, batch):
        threads.append(threading.current_thread().name)
        write(workspace, batch)

    monkeypatch.setattr(ingest_module, "_write", recorded)
    return threads


@pytest.mark.django_db(transaction=True)
def test_a_batch_prepared_before_the_previous_one_commits_stores_nothing_twice(
    workspace, brand, monkeypatch
):
    """Batch 2 is analysed while batch 1 is not yet written: its copy of an item of batch 1
    is still seen as stored, and its repost still points at batch 1's mention."""
    second_prepared = threading.Event()
    prepare, write = ingest_module._prepare, ingest_module._write
    calls = {"prepare": 0, "write": 0}
    threads = []

    def prepare_then_signal(*args, **kwargs):
        batch = prepare(*args, **kwargs)
        calls["prepare"] += 1
        if calls["prepare"] == 2:
            second_prepared.set()
        return batch

    def write_after_second_prepared(workspace, batch):
        calls["write"] += 1
        threads.append(threading.current_thread())
        if calls["write"] == 1:
            assert second_prepared.wait(10), "batch 2 was not prepared before batch 1 was written"
        write(workspace, batch)

    monkeypatch.setattr(ingest_module, "_prepare", prepare_then_signal)
    monkeypatch.setattr(ingest_module, "_write", write_after_second_prepared)
    repost = "Maison Lumière : café brûlé ce matin"
    report = ingest_many(
        workspace,
        [
            [item(1), item(2, repost)],
            [item(1), item(3, repost), item(4)],
        ],
        threaded=True,
    )
    assert (report.seen, report.already_stored, report.stored, report.copies) == (5, 1, 4, 1)
    assert all(thread is not threading.main_thread() for thread in threads)
    assert Mention.objects.filter(remote_id="1").count() == 1
    first, copy = Mention.objects.get(remote_id="2"), Mention.objects.get(remote_id="3")
    assert (first.duplicate_of_id, copy.duplicate_of_id) == (None, first.pk)
    assert Rollup.objects.get(query=brand, period=Rollup.DAY).mentions == 4


@pytest.mark.django_db(transaction=True)
def test_the_writer_failing_stops_the_run_with_its_error_and_nothing_half_stored(
    workspace, brand, monkeypatch, writes
):
    add_to_rollups = ingest_module.add_to_rollups
    calls = []

    def fail_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after batch 2's mentions and matches were inserted
            raise RuntimeError("disk full")
        add_to_rollups(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "add_to_rollups", fail_on_the_second_batch)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_many(workspace, [[item(1), item(2)], [item(3), item(4)], [item(5)]], threaded=True)
    assert writes and all(name.startswith("listening-writer") for name in writes)
    assert sorted(Mention.objects.values_list("remote_id", flat=True)) == ["1", "2"]
    assert MentionMatch.objects.count() == 2
    assert Rollup.objects.get(query=brand, period=Rollup.DAY).mentions == 2
    # The run can be done again: what was stored is skipped, the rest stored once.
    monkeypatch.setattr(ingest_module, "add_to_rollups", add_to_rollups)
    again = ingest_many(
        workspace, [[item(1), item(2)], [item(3), item(4)], [item(5)]], threaded=True
    )
    assert (again.already_stored, again.stored) == (2, 3)
    assert Rollup.objects.get(query=brand, period=Rollup.DAY).mentions == 5


@pytest.mark.django_db(transaction=True)
def test_an_error_while_analysing_is_raised_after_the_batch_being_written_is_done(
    workspace, brand, monkeypatch, writes
):
    prepare = ingest_module._prepare
    calls = []

    def fail_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("bad input")
        return prepare(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_prepare", fail_on_the_second_batch)
    with pytest.raises(ValueError, match="bad input"):
        ingest_many(workspace, [[item(1)], [item(2)]], threaded=True)
    assert list(Mention.objects.values_list("remote_id", flat=True)) == ["1"]
    assert writes == ["listening-writer_0"]


@pytest.mark.django_db
def test_inside_a_transaction_the_batches_are_written_inline_as_ingest_does(
    workspace, brand, writes
):
    report = ingest_many(workspace, [[item(1), item(2)], [item(2), item(3)]], threaded=True)
    assert writes == [threading.main_thread().name] * 2
    assert (report.seen, report.already_stored, report.stored) == (4, 1, 3)
    assert ingest(workspace, [item(3)]).already_stored == 1


@pytest.mark.django_db(transaction=True)
def test_by_default_the_writer_thread_runs_on_postgresql_only(workspace, brand, writes):
    from django.db import connection

    report = ingest_many(workspace, [[item(1)], [item(2)]])
    assert report.stored == 2
    threaded = connection.vendor == "postgresql"
    assert all(name.startswith("listening-writer") == threaded for name in writes)


@pytest.fixture
def feed_events(workspace):
    from liant.channels.models import Channel, Event

    channel = Channel.objects.create(workspace=workspace, kind="feed", name="Presse")
    return [
        Event.objects.create(
            workspace=workspace,
            channel=channel,
            kind="post",
            remote_id=f"e{n}",
            text=f"Maison Lumière, article {n}",
            occurred_at=T0 + timedelta(minutes=n),
        )
        for n in range(7)
    ]


@pytest.mark.django_db(transaction=True)
def test_channel_events_go_through_ingest_many_with_their_cursor(
    workspace, brand, feed_events, monkeypatch
):
    """Batches of 2 events: each batch moves the cursor in its own transaction (written by
    the writer thread on PostgreSQL), and a second run finds nothing new."""
    from liant.listening.ingest import ingest_new_events
    from liant.listening.models import ListeningSettings

    monkeypatch.setattr(ingest_module, "EVENT_BATCH", 2)
    report = ingest_new_events(workspace)
    assert report.stored == 7 and not report.cursor_taken
    assert ListeningSettings.of(workspace).last_event_id == feed_events[-1].pk
    assert ingest_new_events(workspace).stored == 0
    assert Mention.objects.filter(workspace=workspace).count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_cursor_another_worker_moved_stops_the_run_without_storing_that_batch(
    workspace, brand, feed_events, monkeypatch
):
    from liant.listening.ingest import ingest_new_events
    from liant.listening.models import ListeningSettings

    monkeypatch.setattr(ingest_module, "EVENT_BATCH", 3)
    move = ingest_module._move_cursor
    calls = {"n": 0}

    def second_is_taken(settings_pk, old, new):
        calls["n"] += 1
        if calls["n"] == 2:
            return False  # as when another worker moved it first
        return move(settings_pk, old, new)

    monkeypatch.setattr(ingest_module, "_move_cursor", second_is_taken)
    report = ingest_new_events(workspace)
    assert report.cursor_taken and report.stored == 3
    assert Mention.objects.filter(workspace=workspace).count() == 3
    assert ListeningSettings.of(workspace).last_event_id == feed_events[2].pk
