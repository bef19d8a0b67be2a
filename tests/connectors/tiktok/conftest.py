"""A fake open.tiktokapis.com (and its upload host) answering the documented payloads."""

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
from liant.connectors.tiktok.connector import TikTokConnector

FIXTURES = Path(__file__).parent / "fixtures"
OPEN_ID = "afd97af1-b87b-48b9-ac98-410aghda5344"
TOKEN = "act.example12345Example12345Example"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


class FakeTikTok:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}
        self.scripts: dict[tuple[str, str], list[Answer]] = {}
        self.token = TOKEN
        self.received = bytearray()
        self.route("POST", r"/v2/oauth/token/", answer("token.json"))
        self.route("GET", r"/v2/user/info/", answer("user_info.json"))
        self.route("POST", r"/v2/post/publish/creator_info/query/", answer("creator_info.json"))
        self.route("POST", r"/v2/post/publish/video/init/", answer("video_init.json"))
        self.route("POST", r"/v2/post/publish/content/init/", answer("photo_init.json"))
        self.route("PUT", r"/video/", self._chunk)
        self.route("POST", r"/v2/post/publish/status/fetch/", answer("status_complete.json"))
        self.route("POST", r"/v2/video/list/", self._list)
        self.route("POST", r"/v2/video/query/", answer("video_query.json"))

    def route(self, method: str, path: str, reply: Answer) -> None:
        self.routes[(method, path)] = reply

    def script(self, method: str, path: str, *replies: Answer) -> None:
        self.scripts.setdefault((method, path), []).extend(replies)

    def _chunk(self, request: httpx.Request) -> httpx.Response:
        self.received += request.content
        return httpx.Response(201)

    def _list(self, request: httpx.Request) -> httpx.Response:
        return answer("video_list.json")

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        signed = request.headers.get("authorization") == f"Bearer {self.token}"
        if request.url.host == "open.tiktokapis.com" and path != "/v2/oauth/token/" and not signed:
            return answer("error_access_token_invalid.json", 401)
        for (method, pattern), replies in self.scripts.items():
            if method == request.method and re.fullmatch(pattern, path) and replies:
                reply = replies.pop(0)
                return reply(request) if callable(reply) else reply
        for (method, pattern), reply in self.routes.items():
            if method == request.method and re.fullmatch(pattern, path):
                return reply(request) if callable(reply) else reply
        return httpx.Response(
            404, json={"error": {"code": "not_found", "message": "", "log_id": "x"}}
        )

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [
            r for r in self.requests if r.method == method and re.fullmatch(pattern, r.url.path)
        ]


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Started posts are kept in the storage (liant/connectors/progress.py): one per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def fake() -> FakeTikTok:
    return FakeTikTok()


def client_for(fake: FakeTikTok) -> HttpClient:
    return HttpClient(
        MemoryRecorder(),
        transport=httpx.MockTransport(fake.handle),
        sleep=lambda s: None,
        clock=lambda: NOW,
        check_urls=False,
    )


def connector_for(fake: FakeTikTok, **settings: Any) -> TikTokConnector:
    return TikTokConnector(
        {"account_id": OPEN_ID, "display_name": "Maison Lumière", **settings},
        {"access_token": TOKEN, "refresh_token": "rft.1", "expires_at": NOW.isoformat()},
        client_for(fake),
    )


@pytest.fixture
def connector(fake: FakeTikTok) -> TikTokConnector:
    return connector_for(fake)
