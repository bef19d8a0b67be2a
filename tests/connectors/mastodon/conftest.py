"""A small fake Mastodon server answering from the documented payloads in fixtures/.

No Mastodon server can run here, so the connector is tested against replayed entities shaped
as https://docs.joinmastodon.org documents them, and the tests check what Liant sent.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.mastodon.connector import MastodonConnector

FIXTURES = Path(__file__).parent / "fixtures"
INSTANCE = "https://mastodon.example"
TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
OUR_ACCOUNT = "109384750018400001"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def error(status: int, name: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers)


def id_key(value: str) -> tuple[int, str]:
    return (len(value), value)


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeInstance:
    """Answers by method + path; records every request. `script()` queues answers that are
    used before the route's normal answer (for errors, then recovery)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}
        self.scripts: dict[tuple[str, str], list[Answer]] = {}
        self.notifications: list[dict[str, Any]] = load("notifications.json")
        self.conversations: list[dict[str, Any]] = load("conversations.json")
        self.page_cap = 40  # the server's own maximum per page
        self.media_polls_before_ready = 1
        self._polls: dict[str, int] = {}
        self._status_ids = iter(range(113482600000000001, 113482700000000001))
        self.route(
            "GET", "/api/v1/accounts/verify_credentials", self._json("verify_credentials.json")
        )
        self.route("POST", "/api/v1/apps", self._json("app.json"))
        self.route("GET", "/api/v2/instance", self._json("instance_v2.json"))
        self.route("POST", "/oauth/token", self._json("token.json"))
        self.route("POST", "/api/v2/media", self._upload)
        self.route("GET", r"/api/v1/media/(\d+)", self._media)
        self.route("POST", "/api/v1/statuses", self._post_status)
        self.route("GET", "/api/v1/notifications", self._page_of(lambda: self.notifications))
        self.route("GET", "/api/v1/conversations", self._page_of(lambda: self.conversations))
        self.route("GET", "/api/v2/search", self._json("search.json"))
        self.route("GET", "/api/v1/timelines/tag/cafe", self._json("tag_timeline.json"))
        self.route(
            "GET", r"/api/v1/timelines/tag/[^/]+", lambda r: error(404, "error_not_found.json")
        )
        self.route("GET", r"/api/v1/statuses/(\d+)", self._json("status_counts.json"))
        self.route("DELETE", r"/api/v1/statuses/(\d+)", self._json("status_deleted.json"))
        self.route("POST", r"/api/v1/accounts/(\d+)/block", self._json("relationship_blocked.json"))
        self.route("POST", r"/api/v1/accounts/(\d+)/mute", self._json("relationship_muted.json"))
        self.route(
            "POST", r"/api/v1/accounts/(\d+)/unmute", self._json("relationship_unmuted.json")
        )
        self.route(
            "POST", r"/api/v1/accounts/(\d+)/unblock", self._json("relationship_unblocked.json")
        )

    # --- set-up ----------------------------------------------------------------------------

    def route(self, method: str, path: str, answer: Answer) -> None:
        self.routes[(method, path)] = answer

    def script(self, method: str, path: str, *answers: Answer) -> None:
        self.scripts.setdefault((method, path), []).extend(answers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # --- what Liant sent -------------------------------------------------------------------

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    @staticmethod
    def form(request: httpx.Request) -> list[tuple[str, str]]:
        return parse_qsl(request.content.decode(), keep_blank_values=True)

    @staticmethod
    def multipart(request: httpx.Request) -> dict[str, bytes]:
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        fields = {}
        for part in request.content.split(b"--" + boundary)[1:-1]:
            head, _, body = part.strip(b"\r\n").partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]+)"', head)
            assert name is not None
            fields[name.group(1).decode()] = body
        return fields

    # --- answering -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for (method, pattern), answers in self.scripts.items():
            if method == request.method and re.fullmatch(pattern, request.url.path) and answers:
                answer = answers.pop(0)
                return answer(request) if callable(answer) else answer
        for (method, pattern), answer in self.routes.items():
            if method == request.method and re.fullmatch(pattern, request.url.path):
                return answer(request) if callable(answer) else answer
        return error(404, "error_not_found.json")

    @staticmethod
    def _json(name: str) -> Callable[[httpx.Request], httpx.Response]:
        return lambda request: httpx.Response(200, json=load(name))

    def _upload(self, request: httpx.Request) -> httpx.Response:
        # Since 4.0 an image is processed at once (200); tests script a 202 where needed.
        return httpx.Response(200, json=load("media_image.json"))

    def _media(self, request: httpx.Request) -> httpx.Response:
        media_id = request.url.path.rsplit("/", 1)[1]
        self._polls[media_id] = self._polls.get(media_id, 0) + 1
        if self._polls[media_id] <= self.media_polls_before_ready:
            return httpx.Response(206)  # documented: still being processed
        return httpx.Response(200, json=load("media_processed.json"))

    def _post_status(self, request: httpx.Request) -> httpx.Response:
        form = dict(self.form(request))
        if not form.get("status") and "media_ids[]" not in form:
            return error(422, "error_validation.json")
        if "poll[options][]" in form:
            body = load("status_poll.json")
        elif form.get("in_reply_to_id"):
            body = load("status_reply.json")
            body["in_reply_to_id"] = form["in_reply_to_id"]
        else:
            body = load("status_published.json")
        body["id"] = str(next(self._status_ids))
        body["url"] = f"{INSTANCE}/@maisonlumiere/{body['id']}"
        body["visibility"] = form.get("visibility", "public")
        body["spoiler_text"] = form.get("spoiler_text", "")
        return httpx.Response(200, json=body)

    def _page_of(
        self, items: Callable[[], list[dict[str, Any]]]
    ) -> Callable[[httpx.Request], httpx.Response]:
        """Mastodon's id pagination: max_id / since_id / min_id, newest first, with the Link
        header its controllers build (next → max_id, prev → min_id; since_id is not kept)."""

        def answer(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            limit = min(int(params.get("limit", 20)), self.page_cap)
            types = params.get_list("types[]")

            def key(item: dict[str, Any]) -> str:
                return item["last_status"]["id"] if "last_status" in item else item["id"]

            rows = sorted(
                (copy.deepcopy(i) for i in items()), key=lambda i: id_key(key(i)), reverse=True
            )
            if types:
                rows = [r for r in rows if r.get("type") in types]
            if params.get("max_id"):
                rows = [r for r in rows if id_key(key(r)) < id_key(params["max_id"])]
            if params.get("since_id"):
                rows = [r for r in rows if id_key(key(r)) > id_key(params["since_id"])]
            if params.get("min_id"):
                rows = [r for r in rows if id_key(key(r)) > id_key(params["min_id"])][-limit:]
            page = rows[:limit]
            headers = {}
            if page:
                kept = [("limit", str(limit))] + [("types[]", t) for t in types]
                base = f"{INSTANCE}{request.url.path}?"
                next_url = base + urlencode([*kept, ("max_id", key(page[-1]))])
                prev_url = base + urlencode([*kept, ("min_id", key(page[0]))])
                headers["Link"] = f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'
            return httpx.Response(200, json=page, headers=headers)

        return answer


@pytest.fixture
def instance() -> FakeInstance:
    return FakeInstance()


def make_connector(
    instance: FakeInstance, *, token: str = TOKEN, **settings: Any
) -> MastodonConnector:
    http = HttpClient(
        MemoryRecorder(), transport=instance.transport(), sleep=lambda s: None, check_urls=False
    )
    return MastodonConnector(
        {"instance_url": "mastodon.example/", "account_id": OUR_ACCOUNT} | settings,
        {"access_token": token, "client_id": "cid", "client_secret": "secret"},
        http,
    )


@pytest.fixture
def connector(instance: FakeInstance) -> MastodonConnector:
    return make_connector(instance)
