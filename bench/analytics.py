"""Analytics: the overview and module dashboards' server time over a year of data, and the
backfill that rolls the year up.

Defaults are sized for a laptop run on SQLite; the issue's size (1 M mentions, 10 k posts,
200 k messages, on PostgreSQL, goal ≤ 500 ms p95) is

    LIANT_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/ \
    LIANT_BENCH_ANALYTICS_MENTIONS=1000000 LIANT_BENCH_ANALYTICS_CONVERSATIONS=50000 \
    .venv/bin/python -m bench analytics

(a database created for the run and dropped after it; see bench/_database.py).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection

N_MENTIONS = int(os.environ.get("LIANT_BENCH_ANALYTICS_MENTIONS", "100000"))
N_POSTS = int(os.environ.get("LIANT_BENCH_ANALYTICS_POSTS", "10000"))
# About four messages a conversation: 50 k conversations stand for 200 k messages.
N_CONVERSATIONS = int(os.environ.get("LIANT_BENCH_ANALYTICS_CONVERSATIONS", "20000"))
# Four messages a conversation (two in, two out), as real rows: the inbox's tables have the
# size the issue names even though its KPIs read conversations.
PER_CONVERSATION = 4
N_LEADS = int(os.environ.get("LIANT_BENCH_ANALYTICS_LEADS", "5000"))
DAYS = 365
RUNS = 20
# The module dashboards timed besides the overview: those that read rows, not only roll-ups
# (heat maps, funnel), and listening's, which stacks the three KPIs of a million mentions.
MODULES = ("listening", "inbox", "publishing", "leads")


def _generate(model: Any, source: str, given: dict[str, str]) -> None:
    """PostgreSQL only: INSERT INTO the model's table SELECT … FROM `source`, in the database.
    `given` maps columns to SQL expressions (our own, no user input); every other column gets
    the field's default, cast to its type. A million rows take seconds this way, against the
    better part of an hour through bulk_create on a busy machine."""
    from django.db.models import DateTimeField
    from django.utils import timezone

    columns, values, args = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in given:
            values.append(given[f.column])
            continue
        default = f.get_default()
        if default is None and not f.null and isinstance(f, DateTimeField):
            default = timezone.now()  # auto_now_add
        values.append(f"%s::{f.db_type(connection)}")
        args.append(f.get_db_prep_save(default, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608 - our own expressions
    with connection.cursor() as cursor:
        cursor.execute(sql, args)


# A moment of the past year, in SQL.
MOMENT = f"now() - random() * interval '{DAYS} days'"


def _seed_in_sql(workspace, channel, brand) -> None:
    from liant.inbox.models import Conversation, Message
    from liant.listening.models import Mention, MentionMatch

    ws = int(workspace.pk)
    _generate(
        Mention,
        f"generate_series(1, {N_MENTIONS}) AS g",
        {
            "workspace_id": str(ws),
            "source": "'mastodon'",
            "remote_id": "'m' || g",
            "text": "'Maison Lumière'",
            "sentiment": "(ARRAY['negative','neutral','positive'])[1 + floor(random() * 3)::int]",
            "sentiment_score": "0",
            "occurred_at": MOMENT,
            "dedupe_key": "'k' || g",
        },
    )
    _generate(
        MentionMatch,
        f"listening_mention AS m WHERE m.workspace_id = {ws}",
        {"mention_id": "m.id", "query_id": str(int(brand.pk)), "occurred_at": "m.occurred_at"},
    )
    _generate(
        Conversation,
        f"(SELECT g, {MOMENT} AS created, random() AS r "  # noqa: S608 - constants
        f"FROM generate_series(1, {N_CONVERSATIONS}) AS g) AS s",
        {
            "workspace_id": str(ws),
            "channel_id": str(int(channel.pk)),
            "key": "'thread:' || s.g",
            "created_at": "s.created",
            "last_activity_at": "s.created",
            "first_response_at": "s.created + (5 + floor(s.r * 595)) * interval '1 minute'",
            "first_response_due": "s.created + interval '4 hours'",
        },
    )
    _generate(
        Message,
        f"inbox_conversation AS c CROSS JOIN generate_series(0, {PER_CONVERSATION - 1}) AS k "
        f"WHERE c.workspace_id = {ws}",
        {
            "workspace_id": str(ws),
            "conversation_id": "c.id",
            "direction": "CASE WHEN mod(k, 2) = 0 THEN 'in' ELSE 'out' END",
            "text": "'Bonjour'",
            "occurred_at": "c.created_at + k * interval '10 minutes'",
            "idempotency_key": "md5(c.id || '-' || k)",
        },
    )


def _seed(workspace, rng: random.Random) -> None:
    from django.utils import timezone

    from liant.channels.models import Channel
    from liant.inbox.models import Conversation, Message
    from liant.leads.models import Lead, Stage, StageChange
    from liant.listening.models import Mention, MentionMatch, Query
    from liant.publishing.models import Post, Variant, VariantMetrics

    now = timezone.now()
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="Bench")
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")

    def moment() -> object:
        return now - timedelta(seconds=rng.randrange(DAYS * 86400))

    batch = 5000
    in_sql = connection.vendor == "postgresql"
    if in_sql:
        _seed_in_sql(workspace, channel, brand)
    for start in range(0, 0 if in_sql else N_MENTIONS, batch):
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
    for n in range(0 if in_sql else N_CONVERSATIONS):
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
    messages = []
    for c in conversations:
        for k in range(PER_CONVERSATION):
            messages.append(
                Message(
                    workspace=workspace,
                    conversation=c,
                    direction="in" if k % 2 == 0 else "out",
                    text="Bonjour",
                    occurred_at=c.created_at + timedelta(minutes=10 * k),
                )
            )
        if len(messages) >= batch:
            Message.objects.bulk_create(messages)
            messages = []
    Message.objects.bulk_create(messages)
    stages = [s for s, _label in Stage.choices]
    leads = Lead.objects.bulk_create(
        (
            Lead(workspace=workspace, stage=rng.choice(stages), created_at=moment())
            for _ in range(N_LEADS)
        ),
        batch_size=batch,
    )
    StageChange.objects.bulk_create(
        (StageChange(lead=lead, to_stage=lead.stage) for lead in leads if lead.stage != "new"),
        batch_size=batch,
    )


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
    began = time.perf_counter()
    _seed(workspace, random.Random(7))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    database = connection.vendor
    messages = N_CONVERSATIONS * PER_CONVERSATION
    data = (
        f"{N_MENTIONS} mentions, {N_POSTS} posts, {N_CONVERSATIONS} conversations "
        f"({messages} messages), {N_LEADS} leads over a year"
    )
    report("seed", time.perf_counter() - began, "s", f"generating {data} on {database}")
    report("load_average", os.getloadavg()[0], "", "1-minute load average before the rollup")

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
    pages = [("dashboard", "", period) for period in ("30", "90")] + [
        (f"module_{module}", f"modules/{module}/", "90") for module in MODULES
    ]
    for name, path, period in pages:
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            response = client.get(f"/w/{workspace.slug}/analytics/{path}?period={period}")
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        what = f"the {path.split('/')[1]} dashboard" if path else "overview dashboard"
        note = f"{what}, {period} days vs the {period} before, {RUNS} requests"
        report(f"{name}_{period}d_p50", statistics.median(times), "ms", f"{note}, {data}")
        report(f"{name}_{period}d_p95", times[int(0.95 * RUNS) - 1], "ms", "goal ≤ 500 ms")
    report("load_average_end", os.getloadavg()[0], "", "1-minute load average at the end")
