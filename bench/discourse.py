"""Discourse connector: the cost of reading a forum, in requests and time, on a replayed
forum (an httpx.MockTransport, so the figures are Liant's side only, no network)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

DATABASE = False  # reads no table: `liant bench` skips the migrations for it

BACKLOG = 250  # new public posts since the last fetch: five or six pages of 50
MESSAGES = 30  # private-message topics, one page of the list
PER_MESSAGE = 3


def _post(post_id: int, topic: int, number: int, category: int | None) -> dict[str, Any]:
    text = f"Message {post_id} : que pensez-vous du Guji lavé en V60 ? " * 3
    return {
        "id": post_id,
        "name": "Membre",
        "username": f"membre{post_id % 97}",
        "user_id": 1000 + post_id % 97,
        "avatar_template": f"/user_avatar/forum.example/membre{post_id % 97}/{{size}}/1_2.png",
        "created_at": "2026-11-30T09:41:12.512Z",
        "cooked": f"<p>{text}</p>",
        "raw": text,
        "post_number": number,
        "post_type": 1,
        "topic_id": topic,
        "topic_slug": f"sujet-{topic}",
        "topic_title": f"Sujet {topic}",
        "category_id": category,
        "reply_to_post_number": 1 if number > 1 else None,
        "post_url": f"/t/sujet-{topic}/{topic}/{number}",
    }


def run(report: Callable[..., None]) -> None:
    import httpx

    from liant.connectors.discourse.connector import DiscourseConnector
    from liant.connectors.http import HttpClient, MemoryRecorder

    latest = [_post(10_000 + i, 500 + i // 5, i % 5 + 1, 5) for i in range(BACKLOG)]
    topics = {
        700 + t: [
            _post(20_000 + t * PER_MESSAGE + n, 700 + t, n + 1, None) for n in range(PER_MESSAGE)
        ]
        for t in range(MESSAGES)
    }
    requests: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        path = request.url.path
        if path == "/posts.json":
            before = int(request.url.params.get("before") or 0)
            rows = sorted(latest, key=lambda p: -p["id"])
            rows = [p for p in rows if not before or p["id"] <= before]
            return httpx.Response(200, json={"latest_posts": rows[:50]})
        if path.startswith("/topics/private-messages/"):
            listed = [
                {"id": t, "title": f"Message {t}", "highest_post_number": len(posts)}
                for t, posts in topics.items()
            ]
            return httpx.Response(200, json={"topic_list": {"topics": listed}})
        topic = int(path.split("/")[2].split(".")[0])
        posts = topics[topic]
        stream = {"posts": posts, "stream": [p["id"] for p in posts]}
        return httpx.Response(200, json={"post_stream": stream, "id": topic})

    http = HttpClient(MemoryRecorder(), transport=httpx.MockTransport(handle), check_urls=False)
    connector = DiscourseConnector(
        {"forum_url": "https://forum.example", "api_username": "maisonlumiere"},
        {"api_key": "bench"},
        http,
    )
    cursor = {"post_id": 9_999, "messages": {}}  # everything above is new
    start = time.perf_counter()
    result = connector.fetch(cursor)
    backlog_seconds = time.perf_counter() - start
    backlog_requests = len(requests)
    events = len(result.events)
    assert events == BACKLOG + MESSAGES * PER_MESSAGE and not result.errors

    requests.clear()
    start = time.perf_counter()
    again = connector.fetch(result.cursor)
    quiet_seconds = time.perf_counter() - start
    assert again.events == []

    note = f"{BACKLOG} new posts + {MESSAGES} private messages of {PER_MESSAGE} posts"
    report("backlog_fetch", backlog_seconds * 1000, "ms", note=note)
    report("backlog_requests", backlog_requests, "requests")
    report("backlog_rate", events / backlog_seconds, "events/s")
    report("quiet_fetch_requests", len(requests), "requests", note="nothing new since last fetch")
    report("quiet_fetch", quiet_seconds * 1000, "ms")
