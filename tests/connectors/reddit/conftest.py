"""A fake Reddit (www.reddit.com for tokens, oauth.reddit.com for the API) answering from the
recorded payloads in fixtures/.

It checks HTTP Basic client auth on the token call, `Authorization: bearer <token>` on API
calls and a User-Agent on both, answers each route from a fixture with Reddit's
X-Ratelimit-* headers, and keeps what Liant sent.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from django.test import override_settings

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.reddit.connector import RedditConnector
from liant.connectors.reddit.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
APP = {
    "reddit": {
        "client_id": "Lq3xYz-app",
        "client_secret": "s3cret",
        "username": "liant_operator",
    }
}
AGENT = "web:Lq3xYz-app:0.1 (by /u/liant_operator)"
TOKENS = {"eyJhbGciOi.access-1", "eyJhbGciOi.access-2"}
RATE = {"x-ratelimit-remaining": "599.0", "x-ratelimit-reset": "103", "x-ratelimit-used": "1"}
CREDENTIALS = {
    "access_token": "eyJhbGciOi.access-1",
    "refresh_token": "122-refresh-1",
    "expires_at": "2026-12-01T12:00:00+00:00",
}

Answer = httpx.Response | Callable[[httpx.Request, re.Match[str]], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ok(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers={**RATE, **headers})


class FakeReddit:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: list[tuple[str, re.Pattern[str], Answer]] = []
        self.scripts: dict[str, list[httpx.Response]] = {}
        sr = "MaisonLumiereCafe"
        self.route("GET", r"/api/v1/me", ok("me.json"))
        self.route("GET", r"/subreddits/mine/moderator", ok("moderated.json"))
        self.route("GET", r"/subreddits/mine/subscriber", ok("subscribed.json"))
        self.route("GET", rf"/r/{sr}/comments", ok("comments.json"))
        self.route("GET", rf"/r/{sr}/new", ok("new.json"))
        self.route("GET", r"/message/inbox", ok("inbox.json"))
        self.route("GET", r"/api/mod/conversations", ok("modmail_conversations.json"))
        self.route("GET", r"/api/mod/conversations/vilw3", ok("modmail_conversation.json"))
        self.route("POST", r"/api/mod/conversations/vilw3", ok("modmail_reply.json", 201))
        self.route("POST", r"/api/mod/conversations/\w+/(un)?mute", ok("modmail_conversation.json"))
        self.route("POST", r"/api/submit", ok("submit_ok.json"))
        self.route("POST", r"/api/comment", ok("comment_ok.json"))
        self.route("POST", r"/api/remove", ok("empty.json"))
        self.route("POST", rf"/r/{sr}/api/friend", ok("friend_ok.json"))
        self.route("POST", rf"/r/{sr}/api/unfriend", ok("empty.json"))
        self.route("GET", r"/api/info", self._info)

    def route(self, method: str, pattern: str, answer: Answer) -> None:
        """The latest route given for a path wins (tests override the usual answers)."""
        self.routes.insert(0, (method, re.compile(f"{pattern}$"), answer))

    def script(self, method_path: str, *answers: httpx.Response) -> None:
        """Answers used once each, before the route's own, for "METHOD /path-regex"."""
        self.scripts.setdefault(method_path, []).extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not request.headers.get("user-agent", "").startswith("web:"):
            return httpx.Response(429, text="Too Many Requests")  # what a bare agent gets
        if request.url.host == "www.reddit.com":
            return self._token(request)
        assert request.url.host == "oauth.reddit.com"
        assert request.url.params.get("raw_json") == "1"
        if request.headers.get("authorization", "").removeprefix("bearer ") not in TOKENS:
            return ok("error_401.json", 401)
        for key, queued in self.scripts.items():
            method, _, pattern = key.partition(" ")
            if queued and request.method == method and re.search(pattern, request.url.path):
                return queued.pop(0)
        for method, pattern, answer in self.routes:
            match = pattern.match(request.url.path)
            if method == request.method and match:
                return answer(request, match) if callable(answer) else answer
        return httpx.Response(404, json={"message": "Not Found", "error": 404})

    def _info(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        """/api/info answers the things asked for, in the order asked, among those it has."""
        listing = load("info.json")
        things = {c["data"]["name"]: c for c in listing["data"]["children"]}
        asked = request.url.params.get("id", "").split(",")
        listing["data"]["children"] = [things[i] for i in asked if i in things]
        return httpx.Response(200, json=listing, headers=RATE)

    def _token(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/access_token"
        basic = "Basic " + base64.b64encode(b"Lq3xYz-app:s3cret").decode()
        if request.headers.get("authorization") != basic:
            return httpx.Response(401, json={"message": "Unauthorized", "error": 401})
        form = self.form(request)
        if form.get("grant_type") == "authorization_code" and form.get("code") == "good-code":
            return ok("token.json")
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == (
            "122-refresh-1"
        ):
            return ok("token_refreshed.json")
        return ok("token_invalid_grant.json", 400)

    @staticmethod
    def form(request: httpx.Request) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.url.path)]


@pytest.fixture(autouse=True)
def reddit_app():
    with override_settings(NETWORK_APPS=APP):
        yield


@pytest.fixture
def reddit() -> FakeReddit:
    return FakeReddit()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(reddit: FakeReddit, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(reddit.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def connector(reddit, recorder) -> RedditConnector:
    return RedditConnector(SETTINGS, CREDENTIALS, make_http(reddit, recorder))
