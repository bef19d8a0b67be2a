"""A fake Graph API for the WhatsApp Cloud API, answering from the documented payloads in
fixtures/, and signing webhook deliveries the way Meta does."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.whatsapp.connector import WhatsAppConnector
from liant.connectors.whatsapp.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "EAAJB6XvZBoZCsBO0system0user0token0for0tests0only"
PHONE, WABA = "106540352242922", "102290129340398"
SECRET, VERIFY = "meta-app-secret", "liant-verify-1"
APP = {"whatsapp": {"client_id": "9876", "client_secret": SECRET, "verify_token": VERIFY}}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=load(name))


class FakeGraph:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: list[httpx.Response] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "graph.facebook.com"
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return answer("error_190_expired.json", 401)
        if self.scripts:
            return self.scripts.pop(0)
        path = request.url.path.removeprefix("/v21.0/")
        if request.method == "GET" and path == PHONE:
            return answer("phone_number.json")
        if request.method == "GET" and path == f"{WABA}/phone_numbers":
            return answer("phone_numbers.json")
        if request.method == "POST" and path == f"{WABA}/subscribed_apps":
            return answer("subscribed_apps.json")
        if request.method == "POST" and path == f"{PHONE}/messages":
            sent = json.loads(request.content)
            return answer(
                "message_sent.json" if sent["type"] == "template" else "message_sent_text.json"
            )
        return httpx.Response(
            400,
            json={
                "error": {
                    "message": "Unsupported get request.",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        )

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.url.path.endswith("/messages")]


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(graph: FakeGraph, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(graph.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


@pytest.fixture
def connector(graph, recorder) -> WhatsAppConnector:
    return WhatsAppConnector(SETTINGS, {"access_token": TOKEN}, make_http(graph, recorder))


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
