"""Community space: a topic page of 1,000 replies, the live-update polling endpoint and
search over 20,000 posts (by the index of search.py; the load test is bench/space_load.py),
each against a bare query reading the same rows in the same run
(what the ORM alone costs, so the rest is rendering, visibility checks and reactions).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

N_REPLIES = 1_000
N_SEARCH_POSTS = 20_000
RUNS = 50
WORDS = [
    "moka",
    "filtre",
    "piston",
    "torréfaction",
    "grain",
    "mouture",
    "arabica",
    "robusta",
    "crema",
    "tasse",
    "espresso",
    "lait",
    "mousse",
    "sucre",
]


def timed(call: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def run(report: Callable[..., None]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from liant.core.models import Organisation, Workspace
    from liant.space.markup import render
    from liant.space.models import Category, Post, SpaceAccount, Topic
    from liant.space.posting import open_channel, space_of
    from liant.space.search import search
    from liant.text import fold

    org = Organisation.objects.create(name="Bench", slug="bench-space")
    workspace = Workspace.objects.create(organisation=org, name="Bench", slug="bench-space")
    space = space_of(workspace)
    space.enabled, space.title = True, "Bench"
    space.save()
    open_channel(space)
    category = Category.objects.create(space=space, name="Général")
    people = [
        SpaceAccount.objects.create(
            space=space,
            email=f"m{i}@example.org",
            display_name=f"Membre {i}",
            confirmed_at=timezone.now(),
        )
        for i in range(20)
    ]
    rng = random.Random(11)
    start = timezone.now() - timedelta(days=30)

    def posts(topic: Topic, n: int) -> list[Post]:
        rows = []
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(12)) + f" **{i}**"
            html = render(body)
            rows.append(
                Post(
                    topic=topic,
                    author=people[i % len(people)],
                    body=body,
                    body_html=html,
                    search_text=fold(body),
                    created_at=start + timedelta(seconds=i),
                )
            )
        return rows

    big = Topic.objects.create(category=category, author=people[0], title="Le grand fil")
    Post.objects.bulk_create(posts(big, N_REPLIES + 1), batch_size=500)
    per_topic = N_SEARCH_POSTS // 100
    for t in range(100):
        topic = Topic.objects.create(category=category, author=people[t % 20], title=f"Sujet {t}")
        Post.objects.bulk_create(posts(topic, per_topic), batch_size=500)
    total = Post.objects.count()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    base = f"/space/{space.slug}"
    last_page = -(-(N_REPLIES + 1) // 50)
    ids = list(Post.objects.filter(topic=big).order_by("pk").values_list("pk", flat=True))
    db = connection.vendor

    def get(path: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(path)
            assert response.status_code == 200, path
            return response

        return call

    def bare_page() -> object:
        return list(Post.objects.filter(topic=big).select_related("author").order_by("pk")[:50])

    for name, path in (
        ("topic_first_page", f"/t/{big.pk}/"),
        ("topic_last_page", f"/t/{big.pk}/?page={last_page}"),
    ):
        p50, p95 = timed(get(base + path))
        note = f"{N_REPLIES} replies, 50 posts a page, {db}, {RUNS} requests"
        report(f"{name}_p50", p50, "ms", note)
        report(f"{name}_p95", p95, "ms")
    p50, p95 = timed(bare_page)
    report("topic_bare_query_p50", p50, "ms", "the 50 posts and authors alone, same database")
    report("topic_bare_query_p95", p95, "ms")

    # Polling: nothing new (the usual answer), and three new posts.
    for name, after in (("poll_nothing_new", ids[-1]), ("poll_three_new", ids[-4])):
        p50, p95 = timed(get(f"{base}/t/{big.pk}/after/{after}/"))
        report(f"{name}_p50", p50, "ms", f"the topic's polling endpoint, {RUNS} requests")
        report(f"{name}_p95", p95, "ms")
    p50, p95 = timed(lambda: list(Post.objects.filter(topic=big, pk__gt=ids[-4]).order_by("pk")))
    report("poll_bare_query_p50", p50, "ms", "the three posts alone")
    report("poll_bare_query_p95", p95, "ms")

    for word in ("moka", "introuvable"):
        p50, p95 = timed(get(f"{base}/search/?q={word}"), runs=20)
        report(f"search_{word}_p50", p50, "ms", f"search over {total} posts, {db}, 20 requests")
        report(f"search_{word}_p95", p95, "ms")
        p50, p95 = timed(
            lambda word=word: list(
                Post.objects.filter(search_text__contains=word).order_by("-created_at", "-pk")[:20]
            ),
            runs=20,
        )
        report(f"search_{word}_bare_query_p50", p50, "ms", "a contains scan (before the index)")
        report(f"search_{word}_bare_query_p95", p95, "ms")
        p50, p95 = timed(lambda word=word: list(search(space, word)[:20]), runs=20)
        report(f"search_{word}_index_p50", p50, "ms", "search.search alone: index, rank, 20 rows")
        report(f"search_{word}_index_p95", p95, "ms")
