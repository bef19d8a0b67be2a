"""A fake Google (oauth2.googleapis.com and the YouTube Data API v3) answering from the
documented payloads in fixtures/. It checks the bearer token, answers each route from a
fixture, and keeps what Liant sent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.youtube.connector import YouTubeConnector
from liant.connectors.youtube.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "ya29.a0AfB_byC-maisonlumiere-test-token"
FRESH = "ya29.a0AfB_byD-refreshed-test-token"
REFRESH = "1//0gLumiereRefreshTokenForTestsOnly"
CHANNEL = "UCm4iS0nLumiere0000000aA"
THREAD = "UgzThreadAtelier01"
APP = {"youtube": {"client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-x"}}

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ok(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


class FakeYouTube:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens = {TOKEN, FRESH}
        self.threads = {
            "published": "comment_threads_published.json",
            "heldForReview": "comment_threads_held.json",
        }
        self.routes: list[tuple[str, re.Pattern[str], Answer]] = []
        self.scripts: dict[str, list[httpx.Response]] = {}
        self.route("POST", r"/token", self._token)
        self.route("GET", r"/youtube/v3/channels", self._channels)
        self.route("GET", r"/youtube/v3/commentThreads", self._threads)
        self.route("GET", r"/youtube/v3/comments", ok("comments_replies.json"))
        self.route("POST", r"/youtube/v3/comments", ok("comment_inserted.json"))
        self.route("POST", r"/youtube/v3/comments/setModerationStatus", httpx.Response(204))
        self.route("GET", r"/youtube/v3/videos", ok("videos_statistics.json"))

    def route(self, method: str, pattern: str, answer: Answer) -> None:
        self.routes.insert(0, (method, re.compile(pattern + "$"), answer))

    def script(self, method_path: str, *answers: httpx.Response) -> None:
        self.scripts.setdefault(method_path, []).extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "www.googleapis.com":
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return ok("error_auth.json", 401)
        for key, queued in self.scripts.items():
            method, _, pattern = key.partition(" ")
            if queued and request.method == method and re.search(pattern, path):
                return queued.pop(0)
        for method, pattern, answer in self.routes:
            if method == request.method and pattern.match(path):
                return answer(request) if callable(answer) else answer
        return httpx.Response(404, json={"error": {"code": 404, "message": "Not Found"}})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form.get("grant_type") == ["refresh_token"]:
            if form.get("refresh_token") != [REFRESH]:
                return ok("error_invalid_grant.json", 400)
            return ok("token_refreshed.json")
        if form.get("code") != ["good-code"]:
            return ok("error_invalid_grant.json", 400)
        return ok("token.json")

    def _channels(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("part") == "statistics":
            return ok("channels_statistics.json")
        return ok("channels_mine.json")

    def _threads(self, request: httpx.Request) -> httpx.Response:
        status = request.url.params.get("moderationStatus", "published")
        return ok(self.threads.get(status, "comment_threads_empty.json"))

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.url.path)]


@pytest.fixture
def youtube() -> FakeYouTube:
    return FakeYouTube()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(
    fake: FakeYouTube, recorder: MemoryRecorder | None = None, **kwargs: Any
) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(fake.handle),
        sleep=lambda s: None,
        check_urls=False,
        **kwargs,
    )


def make_connector(
    fake: FakeYouTube, recorder: MemoryRecorder | None = None, **credentials: str
) -> YouTubeConnector:
    return YouTubeConnector(
        SETTINGS, {"access_token": TOKEN, **credentials}, make_http(fake, recorder)
    )


@pytest.fixture
def connector(youtube, recorder) -> YouTubeConnector:
    return make_connector(youtube, recorder)
