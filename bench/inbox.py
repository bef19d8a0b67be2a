"""Inbox: latency of the queue page (filters) and of full-text search, on generated data.

Each figure is the whole view (permission check, queries, template), called in-process with
a signed-in owner, so it is what a person waits for minus the network. The scale is set by
LIANT_BENCH_INBOX_MESSAGES (default 100,000, ten messages per conversation: small enough to
build and measure in under three minutes on SQLite); the issue's goal is stated at
1,000,000 messages / 100,000 conversations on PostgreSQL (run with DATABASE_URL and
LIANT_BENCH_INBOX_MESSAGES=1000000 for that).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

PER_CONVERSATION = 10
RUNS = 40

FR = [
    "commande",
    "colis",
    "livraison",
    "retard",
    "café",
    "moulin",
    "remboursement",
    "boutique",
    "torréfaction",
    "guji",
    "éthiopie",
    "dégustation",
    "atelier",
    "abonnement",
    "merci",
    "bravo",
    "déçu",
    "froid",
    "cassé",
    "prix",
    "tarif",
    "barista",
    "candidature",
    "idée",
    "suggestion",
    "délicieux",
    "arôme",
    "grain",
    "mouture",
    "expresso",
    "filtre",
]
EN = [
    "order",
    "parcel",
    "delivery",
    "late",
    "coffee",
    "grinder",
    "refund",
    "shop",
    "roast",
    "guji",
    "ethiopia",
    "tasting",
    "workshop",
    "subscription",
    "thanks",
    "great",
    "disappointed",
    "cold",
    "broken",
    "price",
    "wholesale",
    "barista",
    "job",
    "idea",
    "suggestion",
    "delicious",
    "aroma",
    "beans",
    "grind",
    "espresso",
    "filter",
]


def _text(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(8, 40)))


def build(n_messages: int) -> tuple[Any, Any]:
    from liant.channels.models import Channel
    from liant.core.models import Membership, Organisation, User, Workspace
    from liant.inbox.models import Conversation, Label, Message, searchable

    rng = random.Random(5)
    org, _ = Organisation.objects.get_or_create(slug="bench-inbox", defaults={"name": "Bench"})
    workspace, _ = Workspace.objects.get_or_create(
        slug="bench-inbox", defaults={"name": "Bench", "organisation": org}
    )
    user = User.objects.create_user("bench-inbox@bench.example", "x", name="Bench")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    channels = [
        Channel.objects.create(workspace=workspace, kind="email", name=f"Canal {n}")
        for n in range(4)
    ]
    labels = [Label.objects.create(workspace=workspace, name=f"label {n}") for n in range(5)]
    n_conversations = max(1, n_messages // PER_CONVERSATION)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = ["open"] * 5 + ["pending"] * 2 + ["snoozed", "closed", "closed"]
    batch = 5000
    for first in range(0, n_conversations, batch):
        conversations = []
        for n in range(first, min(first + batch, n_conversations)):
            language = "fr" if n % 3 else "en"
            conversations.append(
                Conversation(
                    workspace=workspace,
                    channel=channels[n % 4],
                    key=f"person:member{n}",
                    contact_remote_id=f"member{n}",
                    contact_name=f"Membre {n}",
                    subject=f"Sujet {n}",
                    status=statuses[n % len(statuses)],
                    priority=n % 4,
                    assignee=user if n % 4 == 0 else None,
                    language=language,
                    sentiment=("negative", "neutral", "positive")[n % 3],
                    awaiting_reply=bool(n % 2),
                    message_count=PER_CONVERSATION,
                    last_activity_at=start + timedelta(minutes=n),
                )
            )
        with transaction.atomic():
            made = Conversation.objects.bulk_create(conversations, batch_size=1000)
            through = Conversation.labels.through
            through.objects.bulk_create(
                [
                    through(conversation_id=c.pk, label_id=labels[i % 5].pk)
                    for i, c in enumerate(made)
                    if i % 3 == 0
                ],
                batch_size=2000,
            )
            messages = []
            for c in made:
                words = FR if c.language == "fr" else EN
                for k in range(PER_CONVERSATION):
                    text = _text(rng, words)
                    messages.append(
                        Message(
                            workspace=workspace,
                            conversation_id=c.pk,
                            direction="in" if k % 2 == 0 else "out",
                            author_name=c.contact_name,
                            text=text,
                            search_text=searchable(text, c.contact_name),  # bulk: no save()
                            language=c.language,
                            occurred_at=c.last_activity_at - timedelta(minutes=k),
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inbox_message; ANALYZE inbox_conversation")
    return workspace, user


def timings(call: Callable[[], object], runs: int = RUNS) -> list[float]:
    call()  # warm the caches, as a second visit would
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(report: Callable[..., None]) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from liant.inbox import views
    from liant.inbox.models import Label

    n_messages = int(os.environ.get("LIANT_BENCH_INBOX_MESSAGES", "100000"))
    t = time.perf_counter()
    workspace, user = build(n_messages)
    built = time.perf_counter() - t
    factory = RequestFactory()

    def page(params: dict[str, str]) -> Callable[[], object]:
        def call() -> object:
            request = factory.get(f"/w/{workspace.slug}/inbox/", params)
            request.user = user
            request.session = {}  # type: ignore[assignment]
            request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
            response = views.queue(request, ws=workspace.slug)
            assert response.status_code == 200
            return response

        return call

    scale = (
        f"{n_messages} messages / {n_messages // PER_CONVERSATION} conversations, "
        f"{connection.vendor}, built in {built:.0f} s"
    )
    lists = [
        {},
        {"status": "all"},
        {"unanswered": "1"},
        {"sentiment": "negative", "language": "en"},
        {"assignee": "none", "priority": "3"},
        {"label": str(Label.objects.filter(workspace=workspace).values_list("pk", flat=True)[0])},
        {"page": "20"},
    ]
    searches = [
        {"q": "remboursement"},
        {"q": "cafe moulin"},
        {"q": "delivery late refund"},
        {"q": "deg"},
        {"q": "guji", "status": "all", "sentiment": "negative"},
        # What people search most in a real inbox: a person or an order, in few messages.
        # The contact's name ("Membre 4821") is part of the searched text.
        {"q": "4821"},
        {"q": "commande 4821"},
        {"q": "zola"},  # in no message
    ]
    list_times = [ms for params in lists for ms in timings(page(params))]
    per_search = [(params["q"], timings(page(params))) for params in searches]
    search_times = [ms for _q, times in per_search for ms in times]
    report(
        "list_p50",
        p(list_times, 50),
        "ms",
        f"queue page, {len(lists)} filter sets × {RUNS} runs; {scale}",
    )
    report("list_p95", p(list_times, 95), "ms", "goal at 1M messages on PostgreSQL: ≤ 150 ms")
    report(
        "search_p50",
        p(search_times, 50),
        "ms",
        f"queue page with full-text search, {len(searches)} queries × {RUNS} runs; {scale}",
    )
    # The generated texts draw on ~30 words per language, so a query of common words matches
    # far more messages than real searches do: the median of each query says which.
    medians = ", ".join(f"{q!r} {statistics.median(t):.0f} ms" for q, t in per_search)
    report(
        "search_p95",
        p(search_times, 95),
        "ms",
        f"goal at 1M messages on PostgreSQL: ≤ 300 ms; median per query: {medians}",
    )
