"""A fake PDS answering with the documented XRPC payloads, recording what Liant sends."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from liant.connectors.bluesky.connector import BlueskyConnector
from liant.connectors.http import HttpClient, MemoryRecorder

FIXTURES = Path(__file__).parent / "fixtures"
SERVICE = "https://pds.example.org"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class FakePds:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.queued: dict[str, list[httpx.Response]] = {}
        self.records: dict[str, dict] = {}
        self.access = "eyJhbGciOiJFUzI1NksifQ.access.signature"

    def queue(self, nsid: str, *responses: httpx.Response) -> None:
        self.queued.setdefault(nsid, []).extend(responses)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.removeprefix("/xrpc/")
        if self.queued.get(nsid):
            return self.queued[nsid].pop(0)
        if nsid == "com.atproto.server.refreshSession":
            self.access = "eyJhbGciOiJFUzI1NksifQ.access2.signature"
            return httpx.Response(200, json=fixture("createSession") | {"accessJwt": self.access})
        if (
            request.headers.get("authorization") != f"Bearer {self.access}"
            and nsid != "com.atproto.server.createSession"
        ):
            return httpx.Response(
                400, json={"error": "ExpiredToken", "message": "Token has expired"}
            )
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content)
            if body["password"] != "abcd-efgh-ijkl-mnop":
                return httpx.Response(
                    401,
                    json={
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
            return httpx.Response(200, json=fixture("createSession"))
        if nsid == "com.atproto.server.getSession":
            return httpx.Response(
                200,
                json={
                    "handle": "maisonlumiere.bsky.social",
                    "did": "did:plc:ml4brand7xq2lumiere3cafe",
                },
            )
        if nsid == "com.atproto.identity.resolveHandle":
            handle = request.url.params["handle"]
            if handle == "jose.bsky.social":
                return httpx.Response(200, json={"did": "did:plc:jose5martin2client"})
            return httpx.Response(
                400, json={"error": "InvalidRequest", "message": "Unable to resolve handle"}
            )
        if nsid == "com.atproto.repo.uploadBlob":
            size = len(request.content)
            return httpx.Response(
                200,
                json={
                    "blob": {
                        "$type": "blob",
                        "ref": {"$link": f"bafkrei{size}"},
                        "mimeType": request.headers["content-type"],
                        "size": size,
                    }
                },
            )
        if nsid == "com.atproto.repo.createRecord":
            body = json.loads(request.content)
            rkey = body.get("rkey") or f"3lbz{len(self.records):09d}"
            uri = f"at://{body['repo']}/{body['collection']}/{rkey}"
            if uri in self.records:
                # What the reference PDS 0.5 answers for a record key already taken.
                return httpx.Response(
                    500, json={"error": "InternalServerError", "message": "Internal Server Error"}
                )
            self.records[uri] = body["record"]
            return httpx.Response(
                200,
                json={
                    "uri": uri,
                    "cid": f"bafyrei{rkey}",
                    "commit": {"cid": "bafyreicommit", "rev": "3lbzrev"},
                    "validationStatus": "valid",
                },
            )
        if nsid == "com.atproto.repo.getRecord":
            p = request.url.params
            uri = f"at://{p['repo']}/{p['collection']}/{p['rkey']}"
            if uri not in self.records:
                return httpx.Response(
                    400,
                    json={"error": "RecordNotFound", "message": f"Could not locate record: {uri}"},
                )
            return httpx.Response(
                200, json={"uri": uri, "cid": f"bafyrei{p['rkey']}", "value": self.records[uri]}
            )
        if nsid == "app.bsky.notification.listNotifications":
            return httpx.Response(200, json=fixture("listNotifications"))
        if nsid == "app.bsky.feed.getPosts":
            return httpx.Response(200, json=fixture("getPosts"))
        if nsid == "app.bsky.feed.searchPosts":
            return httpx.Response(200, json=fixture("searchPosts"))
        if nsid in ("com.atproto.repo.deleteRecord", "app.bsky.graph.muteActor"):
            return httpx.Response(200, json={})
        return httpx.Response(501, json={"error": "MethodNotImplemented", "message": nsid})

    def sent(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{nsid}"]


@pytest.fixture
def pds() -> FakePds:
    return FakePds()


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def connector(pds, recorder) -> BlueskyConnector:
    session = fixture("createSession")
    http = HttpClient(
        recorder, transport=httpx.MockTransport(pds.handle), sleep=lambda s: None, check_urls=False
    )
    return BlueskyConnector(
        {"service": SERVICE, "handle": session["handle"], "did": session["did"]},
        {k: session[k] for k in ("accessJwt", "refreshJwt", "did", "handle")},
        http,
    )
