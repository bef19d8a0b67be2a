"""Listening: matching against 1 query vs 1,000 queries, and the whole ingestion pipeline.

One automaton holds every term, so the cost per mention should barely grow with the number of
queries (goal: 1,000 queries cost at most 1.5× one query). Both runs use the same mentions.

Ingestion goes through `ingest_many`, batches of 2,000: on PostgreSQL a writer
thread stores batch n while batch n+1 is analysed. Figures: liant/listening/README.md.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime

from liant.listening.matching import Document, Matcher
from liant.listening.query import parse

N_MENTIONS = 20_000
WORDS = [
    "café",
    "thé",
    "croissant",
    "livraison",
    "barista",
    "tasse",
    "boutique",
    "commande",
    "retard",
    "froid",
    "brûlé",
    "génial",
    "coffee",
    "tea",
    "delivery",
    "order",
    "late",
    "cold",
    "burnt",
    "great",
    "cup",
    "shop",
    "roast",
    "beans",
    "service",
    "price",
]


def _mentions(rng: random.Random) -> list[Document]:
    docs = []
    for n in range(N_MENTIONS):
        words = rng.choices(WORDS, k=rng.randint(6, 30))
        if n % 7 == 0:
            words.insert(rng.randrange(len(words)), "Maison Lumière")
        if n % 11 == 0:
            words.insert(0, f"#marque{rng.randrange(2000)}")
        docs.append(Document(" ".join(words), language=rng.choice(("fr", "en"))))
    return docs


def _queries(count: int) -> dict[int, object]:
    queries = {0: parse('("maison lumière" OR #maisonlumiere) AND NOT (recrute OR job) lang:fr')}
    for n in range(1, count):
        queries[n] = parse(f'(#marque{n} OR "produit {n}" OR concurrent{n}) -spam')
    return queries


def _rate(matcher: Matcher, docs: list[Document]) -> tuple[float, int]:
    start = time.perf_counter()
    matched = sum(len(matcher.match(doc)) for doc in docs)
    return len(docs) / (time.perf_counter() - start), matched


def run(report) -> None:
    docs = _mentions(random.Random(7))
    one, _ = _rate(Matcher(_queries(1)), docs)
    start = time.perf_counter()
    many_matcher = Matcher(_queries(1000))
    build = time.perf_counter() - start
    many, matched = _rate(many_matcher, docs)
    report("match_1_query", one, "mentions/s", f"{N_MENTIONS} generated FR/EN mentions")
    report("match_1000_queries", many, "mentions/s", f"{matched} query matches")
    report("cost_ratio_1000_vs_1", one / many, "×", "goal ≤ 1.5")
    report("compile_1000_queries", build * 1000, "ms")
    run_ingestion(report)


# --- ingestion ----------------------------------------------------------------------------------

N_INGESTED = int(os.environ.get("LIANT_BENCH_MENTIONS", "200000"))
CHUNK = 2000


def run_ingestion(report) -> None:
    """parse → drop stored → match 50 queries → language → sentiment → store (+ roll-ups),
    against a raw bulk insert of the same rows into the same table, in one process."""
    from django.db import connection, transaction

    from liant.core.models import Organisation, Workspace
    from liant.listening.generate import stream
    from liant.listening.ingest import dedupe_key, ingest_many
    from liant.listening.models import Mention, Query

    organisation = Organisation.objects.create(name="Bench")
    workspace = Workspace.objects.create(organisation=organisation, name="Bench", slug="bench-l")
    raw_space = Workspace.objects.create(organisation=organisation, name="Raw", slug="bench-r")
    queries = [
        ("Maison Lumière", "brand", '"maison lumière" OR #maisonlumiere OR @maisonlumiere'),
        ("Café du Coin", "competitor", '"café du coin" OR #cafeducoin'),
        ("Brûlerie Martin", "competitor", '"brûlerie martin" OR #bruleriemartin'),
        ("Cold brew", "product", '"cold brew" AND (lumière OR #maisonlumiere)'),
    ] + [(f"Sujet {n}", "topic", f'(sujet{n} OR "thème {n}") -spam') for n in range(46)]
    for name, kind, text in queries:
        Query.objects.create(workspace=workspace, name=name, kind=kind, text=text)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    per_day = N_INGESTED // 180 + 1
    items = list(stream(start, 200, per_day))[:N_INGESTED]

    began, cpu = time.perf_counter(), time.process_time()
    stored = ingest_many(
        workspace, (items[first : first + CHUNK] for first in range(0, len(items), CHUNK))
    ).stored
    pipeline = len(items) / (time.perf_counter() - began)
    # The process's CPU (every thread): less noisy than wall time on a shared machine.
    cpu_per_mention = (time.process_time() - cpu) / len(items)

    rows = [
        Mention(
            workspace=raw_space,
            source=i.source,
            remote_id=i.remote_id,
            text=i.text,
            author_handle=i.author_handle,
            author_followers=i.author_followers,
            language="fr",
            sentiment="neutral",
            sentiment_score=0.0,
            occurred_at=i.occurred_at,
            dedupe_key=dedupe_key(i.text),
        )
        for i in items
    ]
    began = time.perf_counter()
    for first in range(0, len(rows), CHUNK):
        with transaction.atomic():
            Mention.objects.bulk_create(rows[first : first + CHUNK], batch_size=500)
    raw = len(rows) / (time.perf_counter() - began)
    report(
        "ingest_pipeline",
        pipeline,
        "mentions/s",
        f"{len(items)} generated FR/EN mentions, {stored} stored, 50 queries, "
        f"{connection.vendor}, one process",
    )
    report("ingest_cpu", cpu_per_mention * 1e6, "µs/mention", "process CPU time, all threads")
    report("raw_bulk_insert", raw, "rows/s", "the same rows, bulk_create, same table")
    report("pipeline_vs_raw", pipeline / raw, "×", "goal ≥ 0.25, and ≥ 3,000 mentions/s")
