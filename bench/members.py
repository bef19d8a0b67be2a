"""Members: attaching stored events to members, scoring everyone, merge suggestions, and the
members list page, on generated data.

Scale: LIANT_BENCH_MEMBERS_EVENTS events (default 100,000) from LIANT_BENCH_MEMBERS_PEOPLE
authors (default 20,000) on two channels over six months. Baselines measured in the same run
on the same database: storing those events (bulk insert) for attaching, and one grouped
COUNT over the activities for scoring, so the ratios say what Liant adds to the raw work.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

EVENTS = int(os.environ.get("LIANT_BENCH_MEMBERS_EVENTS", "100000"))
PEOPLE = int(os.environ.get("LIANT_BENCH_MEMBERS_PEOPLE", "20000"))
RUNS = 20
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def run(report: Callable[..., None]) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from liant.channels.models import Channel, Event
    from liant.core.models import Membership, Organisation, User, Workspace
    from liant.members import attach, engagement, suggestions
    from liant.members.models import Activity, Member

    org, _ = Organisation.objects.get_or_create(slug="bench-members", defaults={"name": "Bench"})
    workspace = Workspace.objects.create(
        organisation=org, slug="bench-members", name="Bench members"
    )
    channels = [
        Channel.objects.create(workspace=workspace, kind=kind, name=kind, settings={})
        for kind in ("mastodon", "bluesky")
    ]
    rng = random.Random(7)
    # A few very active people and a long tail, as communities are.
    weights = [1 / (i + 1) ** 0.9 for i in range(PEOPLE)]
    authors = rng.choices(range(PEOPLE), weights=weights, k=EVENTS)
    rows = []
    for n, person in enumerate(authors):
        channel = channels[person % 2]
        rows.append(
            Event(
                workspace=workspace,
                channel=channel,
                kind=rng.choice(["comment", "comment", "post", "reaction", "mention"]),
                remote_id=f"e{n}",
                author_remote_id=f"p{person}",
                author_handle=f"person{person}",
                author_name=f"Person {person}",
                author_url=f"https://net.example/@person{person}",
                text="Bonjour #cafe #espresso",
                parent_remote_id=f"e{rng.randrange(n)}" if n and rng.random() < 0.3 else "",
                occurred_at=NOW - timedelta(days=rng.uniform(0, 182)),
            )
        )
    start = time.perf_counter()
    Event.objects.bulk_create(rows, batch_size=2000)
    store_s = time.perf_counter() - start
    report("store_events", EVENTS / store_s, "events/s", "baseline: bulk insert of the events")

    start = time.perf_counter()
    attached = attach.attach_workspace(workspace.pk)
    attach_s = time.perf_counter() - start
    members = Member.objects.filter(workspace=workspace).count()
    report(
        "attach",
        attached / attach_s,
        "events/s",
        f"{attached} events attached to {members} members (identities created on the way)",
    )
    report("attach_vs_store", (attached / attach_s) / (EVENTS / store_s), "ratio")

    start = time.perf_counter()
    list(
        Activity.objects.filter(workspace=workspace)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    count_s = time.perf_counter() - start
    start = time.perf_counter()
    result = engagement.score_workspace(workspace.pk, NOW)
    score_s = time.perf_counter() - start
    report(
        "score",
        score_s,
        "s",
        f"{result['members']} members scored, {result['slipping']} slipping, "
        f"{result['ambassadors']} possible ambassadors; baseline grouped COUNT {count_s:.3f} s",
    )
    report("score_vs_count", score_s / count_s, "ratio")

    start = time.perf_counter()
    found = suggestions.suggest(workspace.pk)
    report("suggest", time.perf_counter() - start, "s", f"{found} merge suggestions")

    owner = User.objects.create_user("bench-members@example.org", "x" * 16)
    Membership.objects.create(workspace=workspace, user=owner, role="owner")
    client = Client()
    client.force_login(owner)
    pages = {
        "list": "/w/bench-members/members/",
        "list_filtered": "/w/bench-members/members/?levels=contributor&q=person1&sort=recent",
        "profile": f"/w/bench-members/members/{Member.objects.order_by('-score').first().pk}/",
    }
    for name, url in pages.items():
        timings = _timings(client, url)
        report(f"{name}_p50", statistics.median(timings), "ms")
        report(f"{name}_p95", _p95(timings), "ms")
    connection.close()


def _timings(client: Any, url: str) -> list[float]:
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
