"""A fake Discord REST API answering from the documented payloads in fixtures/.

It checks the `Authorization: Bot <token>` header, answers each route from a fixture, keeps
what Liant sent, and honours `nonce` + `enforce_nonce` as Discord documents it: the same
nonce gives back the first message instead of a second one.
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

from liant.connectors.discord.connector import DiscordConnector
from liant.connectors.discord.demo import SETTINGS
from liant.connectors.http import HttpClient, MemoryRecorder

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "MTE4MDAwMDAwMDAwMDAwMDA5OQ.GhJk3a.fake-signature-for-the-tests-only"
GUILD, ANN, COMP = "1180000000000000001", "1180000000000000010", "1180000000000000011"
THREAD = "1180000000000001500"

Answer = httpx.Response | Callable[[httpx.Request, re.Match[str]], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ok(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=load(name))


def error(status: int, name: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


def rate_limited() -> httpx.Response:
    return error(
        429,
        "rate_limited.json",
        **{
            "Retry-After": "65",
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "1470173023.123",
            "X-RateLimit-Reset-After": "64.57",
            "X-RateLimit-Bucket": "abcd1234",
            "X-RateLimit-Scope": "user",
        },
    )


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.created: dict[str, dict[str, Any]] = {}  # nonce → message
        self.pages: dict[str, list[dict[str, Any]]] = {
            COMP: load("messages_comptoir.json"),
            ANN: load("messages_annonces.json"),
            THREAD: load("messages_thread.json"),
        }
        self.routes: list[tuple[str, re.Pattern[str], Answer]] = []
        self.scripts: dict[str, list[httpx.Response]] = {}
        self.route("GET", r"/applications/@me", ok("application.json"))
        self.route("GET", r"/users/@me", ok("user_me.json"))
        self.route("GET", r"/guilds/\d+", error(404, "error_missing_access.json"))
        self.route("GET", rf"/guilds/{GUILD}", ok("guild.json"))
        self.route("GET", rf"/guilds/{GUILD}/channels", ok("guild_channels.json"))
        self.route("GET", rf"/guilds/{GUILD}/threads/active", ok("threads_active.json"))
        self.route("GET", r"/channels/(\d+)/messages", self._messages)
        self.route("POST", r"/channels/(\d+)/messages", self._create)
        self.route("POST", r"/channels/\d+/messages/\d+/crosspost", ok("message_crossposted.json"))
        self.route("GET", r"/channels/\d+/messages/\d+", error(404, "error_unknown_message.json"))
        self.route("GET", r"/channels/\d+/messages/1180000000000001303", self._one)
        self.route("DELETE", r"/channels/\d+/messages/\d+", httpx.Response(204))
        self.route("PATCH", r"/guilds/\d+/members/\d+", ok("member_timed_out.json"))
        self.route("DELETE", r"/guilds/\d+/members/\d+", httpx.Response(204))
        self.route("PUT", r"/guilds/\d+/bans/\d+", httpx.Response(204))
        self.route("DELETE", r"/guilds/\d+/bans/\d+", httpx.Response(204))
        self.route("POST", r"/users/@me/channels", ok("dm_channel.json"))

    def route(self, method: str, pattern: str, answer: Answer) -> None:
        """The latest route given for a path wins (tests override the usual answers)."""
        self.routes.insert(0, (method, re.compile(f"/api/v10{pattern}$"), answer))

    def script(self, method_path: str, *answers: httpx.Response) -> None:
        """Answers used once each, before the route's own, for "METHOD /path-regex"."""
        self.scripts.setdefault(method_path, []).extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "discord.com"
        if request.headers.get("authorization") != f"Bot {TOKEN}":
            return error(401, "error_unauthorized.json")
        for key, queued in self.scripts.items():
            method, _, pattern = key.partition(" ")
            if queued and request.method == method and re.search(pattern, request.url.path):
                return queued.pop(0)
        for method, pattern, answer in self.routes:
            match = pattern.match(request.url.path)
            if method == request.method and match:
                return answer(request, match) if callable(answer) else answer
        return httpx.Response(404, json={"message": "404: Not Found", "code": 0})

    def _messages(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        messages = sorted(self.pages.get(match[1], []), key=lambda m: -int(m["id"]))
        params = request.url.params
        limit = int(params.get("limit", 50))
        if "after" in params:
            after = int(params["after"])
            # The `limit` messages just after `after`, given newest first.
            newer = sorted(
                (m for m in messages if int(m["id"]) > after), key=lambda m: int(m["id"])
            )
            messages = newer[:limit][::-1]
        else:
            messages = messages[:limit]
        return httpx.Response(200, json=messages)

    def _create(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        payload = self.payload(request)
        nonce = payload.get("nonce")
        if nonce and payload.get("enforce_nonce") and nonce in self.created:
            return httpx.Response(200, json=self.created[nonce])
        message = copy.deepcopy(load("message_created.json"))
        message["id"] = str(1180000000000001600 + len(self.created))
        message["channel_id"] = match[1]
        message["content"] = payload.get("content", "")
        message["nonce"] = nonce
        if nonce:
            self.created[nonce] = message
        return httpx.Response(200, json=message)

    def _one(self, request: httpx.Request, match: re.Match[str]) -> httpx.Response:
        return ok("message_with_reactions.json")

    @staticmethod
    def payload(request: httpx.Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            for part in request.content.split(b"\r\n--"):
                if b'name="payload_json"' in part:
                    return json.loads(part.partition(b"\r\n\r\n")[2].rstrip(b"\r\n-"))
            return {}
        return json.loads(request.content) if request.content else {}

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.url.path)]


@pytest.fixture
def discord() -> FakeDiscord:
    return FakeDiscord()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(discord: FakeDiscord, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(discord.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def connector(discord, recorder) -> DiscordConnector:
    return DiscordConnector(SETTINGS, {"bot_token": TOKEN}, make_http(discord, recorder))
