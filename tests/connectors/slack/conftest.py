"""A fake Slack Web API answering from the documented payloads in fixtures/.

Routes are method names (https://slack.com/api/<method>); it checks the bot token, pages
conversations.history the way Slack does (newest first, after `oldest`, with a cursor) and
keeps what Liant sent. Errors come as Slack sends them: HTTP 200 and {"ok": false}.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.slack.connector import SlackConnector
from liant.connectors.slack.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
TEAM, BOT = "T06LUMIERE", "U06LIANTBT"
ANN, COMP = "C06ANNONCES", "C06COMPTOIR"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP = {"slack": {"client_id": "4321.1234", "client_secret": "app-secret", "signing_secret": SECRET}}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


class FakeSlack:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.history: dict[str, list[dict[str, Any]]] = {
            COMP: load("history_comptoir.json"),
            ANN: load("history_annonces.json"),
        }
        self.replies = load("replies_moulin.json")["messages"]
        self.scripts: dict[str, list[httpx.Response]] = {}

    def script(self, method: str, *answers: httpx.Response) -> None:
        """Answers used once each before the usual one, for a method name."""
        self.scripts.setdefault(method, []).extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "slack.com"
        method = request.url.path.removeprefix("/api/")
        if method == "oauth.v2.access":
            return self.oauth(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return answer("error_invalid_auth.json")
        if self.scripts.get(method):
            return self.scripts[method].pop(0)
        params = self.params(request)
        if method == "auth.test":
            return answer("auth_test.json")
        if method == "conversations.list":
            return answer("conversations_list.json")
        if method == "conversations.history":
            return self._page(self.history.get(params["channel"], []), params)
        if method == "conversations.replies":
            newer = [
                m
                for m in self.replies
                if float(m["ts"]) > float(params.get("oldest", 0)) or m["ts"] == params["ts"]
            ]
            return httpx.Response(200, json={"ok": True, "messages": newer, "has_more": False})
        if method == "users.info":
            user = copy.deepcopy(load("users_info.json"))
            user["user"]["id"] = params["user"]
            return httpx.Response(200, json=user)
        if method == "chat.postMessage":
            sent = copy.deepcopy(load("chat_postMessage.json"))
            sent["channel"] = params["channel"]
            sent["message"]["text"] = params["text"]
            return httpx.Response(200, json=sent)
        if method == "chat.delete":
            return answer("chat_delete.json")
        if method == "reactions.get":
            return answer("reactions_get.json")
        return httpx.Response(200, json={"ok": False, "error": "unknown_method"})

    def oauth(self, request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        basic = base64.b64encode(b"4321.1234:app-secret").decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return httpx.Response(200, json={"ok": False, "error": "invalid_client_id"})
        if form.get("grant_type") == "refresh_token":
            return answer("oauth_v2_access_rotating.json")
        if form.get("code") != "good-code":
            return httpx.Response(200, json={"ok": False, "error": "invalid_code"})
        return answer("oauth_v2_access.json")

    @staticmethod
    def _page(messages: list[dict[str, Any]], params: dict[str, Any]) -> httpx.Response:
        newer = [m for m in messages if float(m["ts"]) > float(params.get("oldest", 0))]
        limit = int(params.get("limit", 100))
        start = int(params.get("cursor") or 0)
        page = newer[start : start + limit]
        more = start + limit < len(newer)
        return httpx.Response(
            200,
            json={
                "ok": True,
                "messages": page,
                "has_more": more,
                "pin_count": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            },
        )

    @staticmethod
    def params(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            return json.loads(request.content) if request.content else {}
        return dict(request.url.params)

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [self.params(r) for r in self.requests if r.url.path == f"/api/{method}"]


@pytest.fixture
def slack() -> FakeSlack:
    return FakeSlack()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(slack: FakeSlack, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(slack.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def connector(slack, recorder) -> SlackConnector:
    return SlackConnector(SETTINGS, {"access_token": TOKEN}, make_http(slack, recorder))


def signed(body: bytes, secret: str = SECRET, stamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a delivery (docs: verifying requests from Slack)."""
    stamp = int(time.time()) if stamp is None else stamp
    base = b"v0:" + str(stamp).encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(stamp),
        "HTTP_X_SLACK_SIGNATURE": signature,
    }
