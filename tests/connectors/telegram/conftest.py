"""A fake Bot API host answering from the documented objects in fixtures/.

It checks the token in the path like api.telegram.org does (a wrong one: 401 Unauthorized),
answers each method from a fixture, and keeps what Liant sent so tests can read it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.telegram.connector import TelegramConnector
from liant.connectors.telegram.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str) -> httpx.Response:
    body = load(name)
    return httpx.Response(200 if body["ok"] else body["error_code"], json=body)


class FakeBotApi:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[str, Answer] = {
            "getMe": answer("getMe.json"),
            "getChat": answer("getChat_channel.json"),
            "getChatMember": answer("getChatMember_administrator.json"),
            "getWebhookInfo": answer("getWebhookInfo.json"),
            "getUpdates": self._updates,
            "sendMessage": answer("sendMessage.json"),
            "sendPhoto": answer("sendPhoto.json"),
            "sendMediaGroup": answer("sendMediaGroup.json"),
            "deleteMessage": answer("true.json"),
            "restrictChatMember": answer("true.json"),
            "banChatMember": answer("true.json"),
            "unbanChatMember": answer("true.json"),
            "getChatMemberCount": answer("getChatMemberCount.json"),
        }
        self.scripts: dict[str, list[Answer]] = {}
        self.updates: list[dict[str, Any]] = load("getUpdates.json")["result"]

    def script(self, method: str, *answers: Answer) -> None:
        self.scripts.setdefault(method, []).extend(answers)

    def _updates(self, request: httpx.Request) -> httpx.Response:
        # Like Telegram: everything from `offset` on; earlier updates are confirmed.
        offset = int(self.params(request).get("offset") or 0)
        kept = [u for u in self.updates if u["update_id"] >= offset]
        self.updates = kept
        return httpx.Response(200, json={"ok": True, "result": kept[:100]})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "api.telegram.org"
        token_part, _, method = request.url.path.strip("/").partition("/")
        if token_part != f"bot{TOKEN}":
            return answer("error_unauthorized.json")
        queued = self.scripts.get(method)
        route = queued.pop(0) if queued else self.routes[method]
        return route(request) if callable(route) else route

    @staticmethod
    def params(request: httpx.Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            return json.loads(request.content or b"{}")
        if content_type.startswith("multipart/form-data"):
            fields: dict[str, Any] = {}
            boundary = content_type.split("boundary=")[1].encode()
            for part in request.content.split(b"--" + boundary):
                head, _, body = part.partition(b"\r\n\r\n")
                if b'name="' not in head:
                    continue
                name = head.split(b'name="')[1].split(b'"')[0].decode()
                if b"filename=" in head:
                    fields[name] = ("file", body.rstrip(b"\r\n"))
                else:
                    fields[name] = body.rstrip(b"\r\n").decode()
            return fields
        return {}

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [self.params(r) for r in self.requests if r.url.path.endswith(f"/{method}")]


@pytest.fixture
def bot_api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(bot_api: FakeBotApi, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(bot_api.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def connector(bot_api, recorder) -> TelegramConnector:
    return TelegramConnector(SETTINGS, {"bot_token": TOKEN}, make_http(bot_api, recorder))
