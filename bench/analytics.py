"""Analytics: the overview dashboard's server time over a year of data, and the backfill.

Defaults are sized for a laptop run on SQLite; the issue's goal (1 M mentions, 10 k posts,
200 k messages, on PostgreSQL, ≤ 500 ms p95) is reached with DATABASE_URL and
LIANT_BENCH_ANALYTICS_MENTIONS=1000000 LIANT_BENCH_ANALYTICS_CONVERSATIONS=50000.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import connection

N_MENTIONS = int(os.environ.get("LIANT_BENCH_ANALYTICS_MENTIONS", "100000"))
N_POSTS = int(os.environ.get("LIANT_BENCH_ANALYTICS_POSTS", "10000"))
# About four messages a conversation: 50 k conversations stand for 200 k messages.
N_CONVERSATIONS = int(os.environ.get("LIANT_BENCH_ANALYTICS_CONVERSATIONS", "20000"))
DAYS = 365
RUNS = 15


def _seed(workspace, rng: random.Random) -> None:
    from django.utils import timezone

    from liant.channels.models import Channel
    from liant.inbox.models import Conversation
    from liant.listening.models import Mention, MentionMatch, Query
    from liant.publishing.models import Post, Variant, VariantMetrics

    now = timezone.now()
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="Bench")
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")

    def moment() -> object:
        return now - timedelta(seconds=rng.randrange(DAYS * 86400))

    batch = 5000
    for start in range(0, N_MENTIONS, batch):
        rows = [
            Mention(
                workspace=workspace,
                source="mastodon",
                remote_id=f"m{n}",
                text="Maison Lumière",
                sentiment=rng.choice(["negative", "neutral", "positive"]),
                sentiment_score=0.0,
                occurred_at=moment(),
                dedupe_key=f"k{n}",
            )
            for n in range(start, min(start + batch, N_MENTIONS))
        ]
        Mention.objects.bulk_create(rows)
        MentionMatch.objects.bulk_create(
            MentionMatch(mention=m, query=brand, occurred_at=m.occurred_at) for m in rows
        )
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, state="published") for _ in range(N_POSTS)
    )
    variants = Variant.objects.bulk_create(
        Variant(post=p, channel=channel, state="published", published_at=moment()) for p in posts
    )
    VariantMetrics.objects.bulk_create(
        VariantMetrics(variant=v, engagement=rng.randrange(50)) for v in variants
    )
    conversations = []
    for n in range(N_CONVERSATIONS):
        created = moment()
        conversations.append(
            Conversation(
                workspace=workspace,
                channel=channel,
                key=f"thread:{n}",
                created_at=created,
                first_response_at=created + timedelta(minutes=rng.randrange(5, 600)),
                first_response_due=created + timedelta(hours=4),
            )
        )
    Conversation.objects.bulk_create(conversations, batch_size=batch)


def run(report: Callable[..., None]) -> None:
    from django.conf import settings
    from django.test import Client

    from liant.analytics import rollup
    from liant.core.models import Membership, Organisation, User, Workspace

    org, _ = Organisation.objects.get_or_create(slug="bench-analytics", defaults={"name": "B"})
    workspace, _ = Workspace.objects.get_or_create(
        slug="bench-analytics", defaults={"name": "Bench", "organisation": org}
    )
    user = User.objects.create_user("bench-analytics@example.org", "x")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    _seed(workspace, random.Random(7))
    database = connection.vendor
    data = f"{N_MENTIONS} mentions, {N_POSTS} posts, {N_CONVERSATIONS} conversations over a year"

    began = time.perf_counter()
    written = rollup.backfill(workspace, DAYS)
    took = time.perf_counter() - began
    report(
        "backfill_365_days",
        took,
        "s",
        f"every KPI for {DAYS} days ({written} values) on {database}, {data}",
    )

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    for period in ("30", "90"):
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            response = client.get(f"/w/{workspace.slug}/analytics/?period={period}")
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        note = f"overview dashboard, {period} days vs the {period} before, {RUNS} requests"
        report(f"dashboard_{period}d_p50", statistics.median(times), "ms", f"{note}, {data}")
        report(f"dashboard_{period}d_p95", times[int(0.95 * RUNS) - 1], "ms", "goal ≤ 500 ms")
