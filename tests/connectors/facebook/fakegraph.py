"""A fake graph.facebook.com answering from the documented payloads in fixtures/.

Routes are (method, path regex under /v25.0/) → a fixture, a response, or a callable; the
latest route given wins, and `script` queues answers used once each before the routes (for
interruptions: a lost answer, an expired token, a limit). The Bearer token is checked against
the tokens the fake knows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from liant.connectors.facebook import graph
from liant.connectors.http import HttpClient, MemoryRecorder

Answer = httpx.Response | Callable[[httpx.Request, re.Match[str]], httpx.Response]


class FakeGraph:
    def __init__(self, fixtures: Path, tokens: set[str]) -> None:
        self.fixtures = fixtures
        self.tokens = set(tokens)
        self.requests: list[httpx.Request] = []
        self.routes: list[tuple[str, re.Pattern[str], Answer]] = []
        self.scripts: list[tuple[str, re.Pattern[str], httpx.Response]] = []

    def load(self, name: str) -> Any:
        return json.loads((self.fixtures / name).read_text(encoding="utf-8"))

    def ok(self, name: str, **headers: str) -> httpx.Response:
        return httpx.Response(200, json=self.load(name), headers=headers)

    def error(self, status: int, name: str, **headers: str) -> httpx.Response:
        return httpx.Response(status, json=self.load(name), headers=headers)

    def route(self, method: str, pattern: str, answer: Answer | str) -> None:
        if isinstance(answer, str):
            answer = self.ok(answer)
        self.routes.insert(0, (method, re.compile(f"/{graph.VERSION}/{pattern}$"), answer))

    def script(self, method: str, pattern: str, *answers: httpx.Response) -> None:
        for answer in answers:
            self.scripts.append((method, re.compile(f"/{graph.VERSION}/{pattern}$"), answer))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "graph.facebook.com"
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        path = request.url.path
        if bearer not in self.tokens and not path.endswith("/oauth/access_token"):
            return self.error(400, "error_expired_token.json")
        for index, (method, pattern, answer) in enumerate(self.scripts):
            if method == request.method and pattern.match(path):
                del self.scripts[index]
                return answer
        for method, pattern, answer in self.routes:
            match = pattern.match(path)
            if method == request.method and match:
                return answer(request, match) if callable(answer) else answer
        return httpx.Response(
            400,
            json={
                "error": {
                    "message": f"Unsupported {request.method} request: {path}",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                    "fbtrace_id": "fake",
                }
            },
        )

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.url.path)]

    @staticmethod
    def form(request: httpx.Request) -> dict[str, str]:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            fields: dict[str, str] = {}
            for part in request.content.split(b"\r\n--"):
                head, _, body = part.partition(b"\r\n\r\n")
                found = re.search(rb'name="([^"]+)"', head)
                if found and b"filename=" not in head:
                    fields[found[1].decode()] = body.rstrip(b"\r\n-").decode()
            return fields
        return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}

    def http(self, recorder: MemoryRecorder | None = None) -> HttpClient:
        return HttpClient(
            recorder or MemoryRecorder(),
            transport=httpx.MockTransport(self.handle),
            sleep=lambda s: None,
            check_urls=False,
        )
