"""REST API: what a page of 200 costs, at the start of a long list and deep into it (the
cursor keeps deep pages as cheap as the first), and what a token adds to a call.

Scale: LIANT_BENCH_API_MENTIONS mentions (default 50,000) in one workspace, paged 200 at a
time on (occurred_at, id). Baseline in the same run: the same rows read with a plain ORM
query of the same shape, so the ratio says what the API adds (auth, rate limit, JSON).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

MENTIONS = int(os.environ.get("LIANT_BENCH_API_MENTIONS", "50000"))
RUNS = 20
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def median_ms(call: Callable[[], object]) -> float:
    times = []
    for _run in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(report: Callable[..., None]) -> None:
    from django.test import Client, override_settings

    from liant.api.models import ApiToken
    from liant.core.models import Membership, Organisation, User, Workspace
    from liant.listening.models import Mention

    org, _ = Organisation.objects.get_or_create(slug="bench-api", defaults={"name": "Bench"})
    workspace = Workspace.objects.create(organisation=org, slug="bench-api", name="Bench API")
    user = User.objects.create_user("bench-api@example.org", "x")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    Mention.objects.bulk_create(
        [
            Mention(
                workspace=workspace,
                source="mastodon",
                remote_id=f"m{n}",
                text=f"mention number {n} about the brand",
                sentiment="neutral",
                sentiment_score=0.0,
                occurred_at=T0 + timedelta(seconds=n // 3),  # ties, as real streams have
                dedupe_key=f"k{n}",
            )
            for n in range(MENTIONS)
        ],
        batch_size=2000,
    )
    _token, clear = ApiToken.issue(workspace, user, "bench", "read")
    client = Client()
    headers = {"Authorization": f"Bearer {clear}"}

    with override_settings(LIANT_API_RATE_LIMIT=10**9, ALLOWED_HOSTS=["testserver"]):
        first = client.get("/api/v1/mentions", {"limit": 200}, headers=headers).json()
        assert len(first["items"]) == 200
        first_ms = median_ms(
            lambda: client.get("/api/v1/mentions", {"limit": 200}, headers=headers)
        )
        # A page near the end: walk there once, then time that page.
        pages, url = 1, first["next"]
        deep_url = url
        walk_start = time.perf_counter()
        while url:
            body = client.get(url, headers=headers).json()
            pages += 1
            if pages == MENTIONS // 200 - 1:
                deep_url = url
            url = body["next"]
        walk_s = time.perf_counter() - walk_start
        deep_ms = median_ms(lambda: client.get(deep_url, headers=headers))
        empty_ms = median_ms(lambda: client.get("/api/v1/channels", headers=headers))

    rows = Mention.objects.filter(workspace=workspace).prefetch_related("matches")
    baseline_ms = median_ms(lambda: list(rows.order_by("-occurred_at", "-id")[:200]))
    report("first_page_200", first_ms, "ms", note=f"{MENTIONS} mentions, 200 per page")
    report("deep_page_200", deep_ms, "ms")
    report("orm_baseline_200", baseline_ms, "ms", note="the same 200 rows, plain ORM query")
    report("api_over_orm", first_ms / baseline_ms, "x")
    report("walk_all_pages", walk_s, "s", note=f"{pages} pages")
    report("call_with_token_empty_list", empty_ms, "ms", note="auth + rate limit + JSON")
