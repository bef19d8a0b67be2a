"""Channels: how fast fetched events are sanitized, deduplicated and stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection

N_EVENTS = 2000


def run(report: Callable[..., None]) -> None:
    from liant.channels.fetching import store_events
    from liant.channels.models import Channel, Event
    from liant.connectors.base import Author, EventKind, FetchResult
    from liant.connectors.base import Event as Incoming
    from liant.core.models import Organisation, Workspace

    org, _ = Organisation.objects.get_or_create(slug="bench-channels", defaults={"name": "Bench"})
    workspace, _ = Workspace.objects.get_or_create(
        slug="bench-channels", defaults={"name": "Bench", "organisation": org}
    )
    channel = Channel.objects.create(
        workspace=workspace, kind="feed", name="Bench", settings={"url": "x"}
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    html = (
        '<p>Nouveau café <a href="https://example.org">lien</a><script>x()</script> éthiopien</p>'
    )
    incoming = [
        Incoming(
            kind=EventKind.MENTION,
            remote_id=f"m{i}",
            author=Author(remote_id=f"u{i % 300}", handle=f"@u{i % 300}", name="Membre"),
            occurred_at=start + timedelta(minutes=i),
            html=html,
            url=f"https://social.example/@u/{i}",
        )
        for i in range(N_EVENTS)
    ]

    # Baseline: the same rows inserted raw, without sanitizing or deduplicating.
    other = Channel.objects.create(
        workspace=workspace, kind="feed", name="Raw", settings={"url": "y"}
    )
    rows = [
        Event(
            workspace=workspace,
            channel=other,
            kind="mention",
            remote_id=e.remote_id,
            text="x",
            html=html,
            occurred_at=e.occurred_at,
        )
        for e in incoming
    ]
    t = time.perf_counter()
    Event.objects.bulk_create(rows, batch_size=500)
    raw_rate = N_EVENTS / (time.perf_counter() - t)

    t = time.perf_counter()
    stored = store_events(channel, FetchResult(incoming, {"n": 1}))
    store_rate = N_EVENTS / (time.perf_counter() - t)
    t = time.perf_counter()
    again = store_events(channel, FetchResult(incoming, {"n": 2}))
    refetch_rate = N_EVENTS / (time.perf_counter() - t)
    assert stored == N_EVENTS and again == 0

    note = f"{N_EVENTS} mention events with HTML, {connection.vendor}"
    report(
        "raw_insert_rate", raw_rate, "events/s", note=f"baseline: bulk insert of the rows, {note}"
    )
    report("store_rate", store_rate, "events/s", note=f"sanitize (nh3) + dedupe + store, {note}")
    report("store_vs_raw_insert", store_rate / raw_rate, "ratio")
    report(
        "refetch_rate",
        refetch_rate,
        "events/s",
        note="the same window fetched again: nothing stored",
    )
