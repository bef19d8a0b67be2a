"""A fake api.x.com answering the documented payloads in fixtures/, recording what it got."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.x.connector import XConnector

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "1491005551001419778"
TOKEN = "access-1"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


class FakeX:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}
        self.scripts: dict[tuple[str, str], list[Answer]] = {}
        self.token = TOKEN
        self.posted: list[dict[str, Any]] = []
        self._ids = iter(range(1460323737035690000, 1460323737035699999))
        self.route("POST", r"/2/oauth2/token", answer("token.json"))
        self.route("GET", r"/2/users/me", answer("users_me.json"))
        self.route("POST", r"/2/tweets", self._create)
        self.route("POST", r"/2/media/upload", answer("media_upload.json"))
        self.route("POST", r"/2/media/metadata", httpx.Response(200, json={"data": {}}))
        self.route("GET", rf"/2/users/{ACCOUNT}/tweets", answer("own_posts.json"))
        self.route("GET", rf"/2/users/{ACCOUNT}/mentions", self._since("mentions.json"))
        self.route("GET", r"/2/tweets/search/recent", self._since("search_recent.json"))
        self.route("GET", r"/2/tweets", answer("posts_metrics.json"))
        self.route("GET", r"/2/tweets/\d+", answer("post_author.json"))
        self.route("PUT", r"/2/tweets/\d+/hidden", answer("hide_reply.json"))
        self.route("DELETE", r"/2/tweets/\d+", answer("delete_post.json"))
        self.route("POST", rf"/2/users/{ACCOUNT}/muting", answer("muting.json"))
        self.route("DELETE", rf"/2/users/{ACCOUNT}/muting/\d+", answer("unmuting.json"))

    def route(self, method: str, path: str, reply: Answer) -> None:
        self.routes[(method, path)] = reply

    def script(self, method: str, path: str, *replies: Answer) -> None:
        self.scripts.setdefault((method, path), []).extend(replies)

    def _since(self, name: str) -> Callable[[httpx.Request], httpx.Response]:
        """A timeline that has nothing newer than its newest id."""

        def reply(request: httpx.Request) -> httpx.Response:
            body = load(name)
            since = request.url.params.get("since_id")
            if since and int(since) >= int(body["meta"]["newest_id"]):
                return answer("empty_timeline.json")
            return httpx.Response(200, json=body)

        return reply

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.posted.append(body)
        created = load("create_post.json")
        created["data"] |= {"id": str(next(self._ids)), "text": body["text"]}
        return httpx.Response(201, json=created)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if (
            path != "/2/oauth2/token"
            and request.headers.get("authorization") != f"Bearer {self.token}"
        ):
            return answer("error_401.json", 401)
        for (method, pattern), replies in self.scripts.items():
            if method == request.method and re.fullmatch(pattern, path) and replies:
                reply = replies.pop(0)
                return reply(request) if callable(reply) else reply
        for (method, pattern), reply in self.routes.items():
            if method == request.method and re.fullmatch(pattern, path):
                return reply(request) if callable(reply) else reply
        return httpx.Response(404, json={"title": "Not Found Error", "type": "about:blank"})

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [
            r for r in self.requests if r.method == method and re.fullmatch(pattern, r.url.path)
        ]


@pytest.fixture
def fake() -> FakeX:
    return FakeX()


def client_for(fake: FakeX) -> HttpClient:
    return HttpClient(
        MemoryRecorder(),
        transport=httpx.MockTransport(fake.handle),
        sleep=lambda s: None,
        clock=lambda: NOW,
        check_urls=False,
    )


@pytest.fixture
def connector(fake: FakeX) -> XConnector:
    return XConnector(
        {"account_id": ACCOUNT, "username": "maisonlumiere"},
        {"access_token": TOKEN, "refresh_token": "refresh-1", "expires_at": NOW.isoformat()},
        client_for(fake),
    )
