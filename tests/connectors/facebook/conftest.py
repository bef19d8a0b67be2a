from __future__ import annotations

from pathlib import Path

import pytest

from liant.connectors.facebook.connector import FacebookConnector
from liant.connectors.http import MemoryRecorder

from .fakegraph import FakeGraph

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "104523697823456"
PAGE_TOKEN = "EAApage-token-maison-lumiere"  # noqa: S105 - a fixture's fake token
POST = f"{PAGE}_870000000000001"
APP = {
    "facebook": {
        "client_id": "138483919580948",
        "client_secret": "fb-app-secret",
        "verify_token": "lumiere-verify",
    }
}


@pytest.fixture
def meta() -> FakeGraph:
    fake = FakeGraph(
        FIXTURES,
        {
            PAGE_TOKEN,
            "EAAshort-lived-user-token",
            "EAAlong-lived-user-token",
            "138483919580948|fb-app-secret",
        },
    )
    fake.route("GET", "oauth/access_token", "token_long_lived.json")
    fake.route("POST", "oauth/access_token", "token_short.json")
    fake.route("GET", "debug_token", "debug_token.json")
    fake.route("GET", "me/accounts", "me_accounts.json")
    fake.route("GET", PAGE, "page.json")
    fake.route("GET", f"{PAGE}/feed", "page_feed.json")
    fake.route("GET", f"{POST}/comments", "post_comments.json")
    fake.route("GET", r"\d+_870000000000002/comments", httpx_empty())
    fake.route("GET", f"{PAGE}/conversations", "conversations.json")
    fake.route("POST", f"{PAGE}/feed", "feed_created.json")
    fake.route("POST", f"{PAGE}/photos", "photo_created.json")
    fake.route("POST", r"[\d_]+/comments", "comment_created.json")
    fake.route("POST", f"{PAGE}/messages", "send_api.json")
    fake.route("POST", r"\d+_\d+", "success.json")
    fake.route("DELETE", r"\d+_\d+", "success.json")
    fake.route("GET", r"\d+_\d+", "comment_from.json")
    fake.route("GET", POST, "post_counts.json")
    fake.route("GET", f"{POST}/insights", "post_insights.json")
    fake.route("POST", f"{PAGE}/blocked", "blocked.json")
    fake.route("DELETE", f"{PAGE}/blocked", "success.json")
    return fake


def httpx_empty():
    import httpx

    return httpx.Response(200, json={"data": []})


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def connector(meta, recorder) -> FacebookConnector:
    return FacebookConnector(
        {"account_id": PAGE, "page_name": "Maison Lumière"},
        {"access_token": PAGE_TOKEN},
        meta.http(recorder),
    )
