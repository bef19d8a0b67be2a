"""A fake LinkedIn (api.linkedin.com/rest, www.linkedin.com/oauth/v2 and the upload host)
answering from the documented payloads in fixtures/.

It checks the bearer token and the version headers on every REST call, answers each route
from a fixture, and keeps what Liant sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.linkedin.connector import LINKEDIN_VERSION, LinkedInConnector
from liant.connectors.linkedin.demo import SETTINGS

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "AQXdSP_W41_UPs5ioT_t8HESyODB4FqbkJ8LrV_5mff4gPODzOYR"
FRESH = "AQUAPfp0vRSsaDRiXvb3Zbhq8Ku0YGV6mQoT9D2mN4w1Xv7sUwq2wA"
ORG = "urn:li:organization:90123456"
SHARE = "urn:li:share:7264000000000000001"
UGC = "urn:li:ugcPost:7262000000000000002"
FIRST = "urn:li:comment:(urn:li:activity:7264000000000000100,7264100000000000001)"
APP = {"linkedin": {"client_id": "86abcdef", "client_secret": "WPL_AP1.secret"}}

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ok(name: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


class FakeLinkedIn:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens = {TOKEN, FRESH}
        self.posts_made = 0
        self.added: dict[str, list[dict[str, Any]]] = {}  # comments that came later
        self.routes: list[tuple[str, re.Pattern[str], Answer]] = []
        self.scripts: dict[str, list[httpx.Response]] = {}
        self.comments: dict[str, str] = {
            SHARE: "comments_share.json",
            UGC: "comments_empty.json",
            FIRST: "comments_on_comment.json",
        }
        self.route("POST", r"/oauth/v2/accessToken", self._token)
        self.route("GET", r"/rest/organizationAcls", ok("organization_acls.json"))
        self.route("GET", r"/rest/organizations/(\d+)", self._organization)
        self.route("GET", r"/rest/posts", ok("posts_by_author.json"))
        self.route("POST", r"/rest/posts", self._create_post)
        self.route("POST", r"/rest/images", ok("images_initialize.json"))
        self.route("PUT", r"/dms-uploads/.*", httpx.Response(201))
        self.route("GET", r"/rest/socialActions/([^/]+)/comments", self._comments)
        self.route("POST", r"/rest/socialActions/([^/]+)/comments", self._create_comment)
        self.route("DELETE", r"/rest/socialActions/([^/]+)/comments/\d+", httpx.Response(204))
        self.route("GET", r"/rest/organizationalEntityShareStatistics", ok("share_statistics.json"))
        self.route(
            "GET",
            r"/rest/organizationalEntityFollowerStatistics",
            ok("follower_statistics_daily.json"),
        )
        self.route("GET", r"/rest/networkSizes/.+", ok("network_size.json"))

    def route(self, method: str, pattern: str, answer: Answer) -> None:
        self.routes.insert(0, (method, re.compile(pattern + "$"), answer))

    def script(self, method_path: str, *answers: httpx.Response) -> None:
        """Answers used once each, before the route's own, for "METHOD /path-regex"."""
        self.scripts.setdefault(method_path, []).extend(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "api.linkedin.com":
            assert request.headers["linkedin-version"] == LINKEDIN_VERSION
            assert request.headers["x-restli-protocol-version"] == "2.0.0"
        if request.url.host != "www.linkedin.com" or not path.startswith("/oauth/"):
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return ok("error_unauthorized.json", 401)
        for key, queued in self.scripts.items():
            method, _, pattern = key.partition(" ")
            if queued and request.method == method and re.search(pattern, path):
                return queued.pop(0)
        for method, pattern, answer in self.routes:
            if method == request.method and pattern.match(path):
                return answer(request) if callable(answer) else answer
        return httpx.Response(404, json={"status": 404, "message": "Not Found"})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form.get("grant_type") == ["refresh_token"]:
            return ok("token_refreshed.json")
        if form.get("code") != ["good-code"]:
            return ok("error_invalid_grant.json", 400)
        return ok("token.json")

    def _organization(self, request: httpx.Request) -> httpx.Response:
        number = request.url.path.rsplit("/", 1)[-1]
        return ok(f"organization_{number}.json")

    def _create_post(self, request: httpx.Request) -> httpx.Response:
        self.posts_made += 1
        urn = f"urn:li:share:72690000000000000{self.posts_made:02d}"
        return httpx.Response(201, headers={"x-restli-id": urn})

    def _comments(self, request: httpx.Request) -> httpx.Response:
        target = unquote(request.url.raw_path.decode().split("/")[3])
        page = load(self.comments.get(target, "comments_empty.json"))
        page["elements"].extend(self.added.get(target, []))
        return httpx.Response(200, json=page)

    def _create_comment(self, request: httpx.Request) -> httpx.Response:
        return ok(
            "comment_created.json",
            201,
            **{"x-restli-id": "7264200000000000001"},
        )

    def sent(self, method: str, pattern: str) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.method == method and re.search(pattern, r.url.raw_path.decode().split("?")[0])
        ]


@pytest.fixture
def linkedin() -> FakeLinkedIn:
    return FakeLinkedIn()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_http(fake: FakeLinkedIn, recorder: MemoryRecorder | None = None) -> HttpClient:
    return HttpClient(
        recorder or MemoryRecorder(),
        transport=httpx.MockTransport(fake.handle),
        sleep=lambda s: None,
        check_urls=False,
    )


def make_connector(
    fake: FakeLinkedIn, recorder: MemoryRecorder | None = None, **credentials: str
) -> LinkedInConnector:
    return LinkedInConnector(
        SETTINGS,
        {"access_token": TOKEN, **credentials},
        make_http(fake, recorder),
    )


@pytest.fixture
def connector(linkedin, recorder) -> LinkedInConnector:
    return make_connector(linkedin, recorder)
