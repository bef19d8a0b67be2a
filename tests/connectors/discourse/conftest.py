"""A small fake Discourse forum answering from the documented payloads in fixtures/.

A real Discourse (Ruby, PostgreSQL, Redis, a large install) cannot run here, so the connector
is tested against replayed answers shaped as https://docs.discourse.org documents them, and
the tests check what Liant sent.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from liant.connectors.discourse.connector import DiscourseConnector
from liant.connectors.http import HttpClient, MemoryRecorder

FIXTURES = Path(__file__).parent / "fixtures"
FORUM = "https://forum.example"
API_KEY = "714552c6148e1617aeab526d0606184b94a80ec048fc09894ff1a72b740c5f19"
USERNAME = "maisonlumiere"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def error(status: int, name: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeForum:
    """Answers by method + path; records every request. `script()` queues answers used
    before the route's own (an error, then recovery). A request without the right key gets
    Discourse's 403 for an invalid key, as the real server does."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}
        self.scripts: dict[tuple[str, str], list[Answer]] = {}
        self.api_key = API_KEY
        self.latest: list[dict[str, Any]] = load("latest_posts.json")["latest_posts"]
        self.page_size = 50  # PostsController#latest's limit
        self.chunk_size = 20  # posts a topic answers with before the client asks for more
        self.topics = {
            320: load("topic_320_message.json"),
            321: load("topic_321_message.json"),
            305: load("topic_305.json"),
        }
        self.messages = load("private_messages.json")
        self._ids = iter(range(1300, 2000))
        self.route("GET", r"/u/maisonlumiere\.json", self._json("user.json"))
        self.route("GET", r"/categories\.json", self._json("categories.json"))
        self.route("GET", r"/admin/site_settings\.json", self._json("site_settings.json"))
        self.route("GET", r"/posts\.json", self._latest)
        self.route("POST", r"/posts\.json", self._create)
        self.route("GET", r"/posts/1202\.json", self._json("post_1202.json"))
        self.route("GET", r"/posts/1150\.json", self._json("post_1150.json"))
        self.route(
            "GET",
            r"/topics/private-messages/maisonlumiere\.json",
            lambda r: httpx.Response(200, json=self.messages),
        )
        self.route("GET", r"/t/(\d+)\.json", self._topic)
        self.route("GET", r"/t/(\d+)/posts\.json", self._topic_posts)
        self.route("POST", r"/post_actions\.json", self._json("post_action_hide.json"))
        self.route("DELETE", r"/posts/(\d+)\.json", lambda r: httpx.Response(200))
        self.route("PUT", r"/admin/users/(\d+)/silence\.json", self._json("silence.json"))
        self.route("PUT", r"/admin/users/(\d+)/unsilence\.json", self._json("unsilence.json"))
        self.route("PUT", r"/admin/users/(\d+)/suspend\.json", self._json("suspend.json"))
        self.route("PUT", r"/admin/users/(\d+)/unsuspend\.json", self._json("unsuspend.json"))

    # --- set-up ----------------------------------------------------------------------------

    def route(self, method: str, path: str, answer: Answer) -> None:
        self.routes[(method, path)] = answer

    def script(self, method: str, path: str, *answers: Answer) -> None:
        self.scripts.setdefault((method, path), []).extend(answers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # --- what Liant sent -------------------------------------------------------------------

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    @staticmethod
    def body(request: httpx.Request) -> dict[str, Any]:
        return json.loads(request.content)

    # --- answering -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Api-Key") != self.api_key:
            return error(403, "error_invalid_api_key.json")
        for (method, pattern), answers in self.scripts.items():
            if method == request.method and re.fullmatch(pattern, request.url.path) and answers:
                answer = answers.pop(0)
                return answer(request) if callable(answer) else answer
        for (method, pattern), answer in self.routes.items():
            if method == request.method and re.fullmatch(pattern, request.url.path):
                return answer(request) if callable(answer) else answer
        return error(404, "error_not_found.json")

    @staticmethod
    def _json(name: str) -> Callable[[httpx.Request], httpx.Response]:
        return lambda request: httpx.Response(200, json=load(name))

    def _latest(self, request: httpx.Request) -> httpx.Response:
        # PostsController#latest: newest id first, `posts.id <= before` (inclusive, although
        # the documentation says "lower than"), at most 50.
        rows = sorted(self.latest, key=lambda p: p["id"], reverse=True)
        before = int(request.url.params.get("before") or 0)
        if before > 0:
            rows = [p for p in rows if p["id"] <= before]
        return httpx.Response(200, json={"latest_posts": copy.deepcopy(rows[: self.page_size])})

    def _topic(self, request: httpx.Request) -> httpx.Response:
        topic_id = int(request.url.path.split("/")[2].split(".")[0])
        if topic_id not in self.topics:
            return error(404, "error_not_found.json")
        body = copy.deepcopy(self.topics[topic_id])
        body["post_stream"]["posts"] = body["post_stream"]["posts"][: self.chunk_size]
        return httpx.Response(200, json=body)

    def _topic_posts(self, request: httpx.Request) -> httpx.Response:
        topic_id = int(request.url.path.split("/")[2])
        wanted = {int(i) for i in request.url.params.get_list("post_ids[]")}
        posts = [p for p in self.topics[topic_id]["post_stream"]["posts"] if p["id"] in wanted]
        return httpx.Response(200, json={"post_stream": {"posts": posts}, "id": topic_id})

    def _create(self, request: httpx.Request) -> httpx.Response:
        sent = self.body(request)
        if len(sent.get("raw", "").strip()) < 10:
            return error(422, "error_title_too_short.json")
        body = load("post_created.json")
        body["id"] = next(self._ids)
        body["raw"] = sent["raw"]
        if sent.get("topic_id"):
            body["topic_id"] = sent["topic_id"]
            body["post_number"] = 4
            body["reply_to_post_number"] = sent.get("reply_to_post_number")
            body["post_url"] = f"/t/{body['topic_slug']}/{sent['topic_id']}/4"
        return httpx.Response(200, json=body)


@pytest.fixture
def forum() -> FakeForum:
    return FakeForum()


def make_connector(
    forum: FakeForum, *, api_key: str = API_KEY, **settings: Any
) -> DiscourseConnector:
    http = HttpClient(
        MemoryRecorder(), transport=forum.transport(), sleep=lambda s: None, check_urls=False
    )
    return DiscourseConnector(
        {"forum_url": "forum.example/", "api_username": USERNAME, "user_id": 2} | settings,
        {"api_key": api_key},
        http,
    )


@pytest.fixture
def connector(forum: FakeForum) -> DiscourseConnector:
    return make_connector(forum, categories=[5, 6, 7, 9])
