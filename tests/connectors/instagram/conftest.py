from __future__ import annotations

from pathlib import Path

import pytest

from liant.connectors.http import MemoryRecorder
from liant.connectors.instagram.connector import InstagramConnector

from ..facebook.fakegraph import FakeGraph

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "104523697823456"
IG = "17841405822304914"
PAGE_TOKEN = "EAApage-token-maison-lumiere"  # noqa: S105 - a fixture's fake token
CONTAINER = "17889455560051444"
MEDIA = "17920238422030506"
APP = {
    "instagram": {
        "client_id": "138483919580948",
        "client_secret": "fb-app-secret",
        "verify_token": "lumiere-verify",
    }
}
SETTINGS = {
    "account_id": IG,
    "username": "maisonlumiere.cafe",
    "page_id": PAGE,
    "page_name": "Maison Lumière",
}


@pytest.fixture(autouse=True)
def public_site(settings, tmp_path):
    """Instagram fetches media from SITE_URL; staged files and the journal go to MEDIA_ROOT."""
    settings.SITE_URL = "https://liant.example"
    settings.MEDIA_ROOT = str(tmp_path / "media")


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
    facebook = Path(__file__).parent.parent / "facebook" / "fixtures"
    for name, method, path in (
        ("token_long_lived.json", "GET", "oauth/access_token"),
        ("token_short.json", "POST", "oauth/access_token"),
        ("debug_token.json", "GET", "debug_token"),
    ):
        fake.route(method, path, FakeGraph(facebook, set()).ok(name))
    fake.route("GET", "me/accounts", "me_accounts.json")
    fake.route("GET", IG, "account.json")
    fake.route("POST", f"{IG}/media", "container_created.json")
    fake.route("GET", CONTAINER, "container_finished.json")
    fake.route("POST", f"{IG}/media_publish", "media_published.json")
    fake.route("GET", MEDIA, "media_permalink.json")
    fake.route("GET", f"{IG}/media", "media_list.json")
    fake.route("GET", f"{MEDIA}/comments", "comments.json")
    fake.route("GET", f"{IG}/tags", "tags.json")
    fake.route("GET", f"{PAGE}/conversations", "conversations.json")
    fake.route("POST", r"\d+/replies", "reply_created.json")
    fake.route("POST", f"{IG}/mentions", "reply_created.json")
    fake.route("POST", f"{PAGE}/messages", FakeGraph(facebook, set()).ok("send_api.json"))
    fake.route("POST", r"178588932690000\d\d", FakeGraph(facebook, set()).ok("success.json"))
    fake.route("DELETE", r"178588932690000\d\d", FakeGraph(facebook, set()).ok("success.json"))
    fake.route("GET", f"{MEDIA}/insights", "media_insights.json")
    fake.route("GET", f"{IG}/insights", "account_insights.json")
    return fake


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def connector(meta, recorder) -> InstagramConnector:
    return InstagramConnector(SETTINGS, {"access_token": PAGE_TOKEN}, meta.http(recorder))
