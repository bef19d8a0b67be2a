"""A connector that signs in with OAuth and receives pushed events, for testing the shared
connect flow, the webhook receiver and the token sweep without any one network's quirks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from liant.connectors.base import (
    AccountChoice,
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    ErrorKind,
    Event,
    EventKind,
    FetchResult,
    WebhookBatch,
    WebhookReply,
    WebhookRequest,
    WebhookResult,
)
from liant.connectors.http import HttpClient
from liant.connectors.oauth import OAuthConfig, refresh

API = "https://api.example.net"


class ExampleSettings(ConnectorSettings):
    account_id: str


class ExampleConnector(Connector):
    kind = "example"
    label = "Example"
    capabilities = frozenset({Capability.FETCH, Capability.WEBHOOKS})
    settings_model = ExampleSettings
    oauth: ClassVar[OAuthConfig | None] = OAuthConfig(
        authorize_url="https://example.net/oauth/authorize",
        token_url=f"{API}/oauth/token",
        scopes=("read", "write"),
        pkce=True,
        client_auth="basic",
    )
    refresh_answer: ClassVar[dict[str, Any] | None | Exception] = None
    transport: ClassVar[httpx.MockTransport | None] = None

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        return FetchResult([], dict(since))

    def refresh_credentials(self) -> dict[str, Any] | None:
        answer = type(self).refresh_answer
        if isinstance(answer, Exception):
            raise answer
        if answer == "via-oauth":
            from liant.connectors.apps import app_settings

            assert self.oauth is not None
            return refresh(
                self.oauth, app_settings("example"), self.http, self.credentials["refresh_token"]
            )
        return answer

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        pages = http.get(
            f"{API}/me/pages", headers={"Authorization": f"Bearer {credentials['access_token']}"}
        ).json()["pages"]
        return [
            AccountChoice(
                name=page["name"],
                settings={"account_id": page["id"]},
                credentials=dict(credentials) | {"page_token": page["token"]},
            )
            for page in pages
        ]

    @classmethod
    def receive_webhook(cls, request: WebhookRequest, app: Mapping[str, str]) -> WebhookResult:
        if request.method == "GET":
            return WebhookResult(WebhookReply(body=request.query.get("challenge", "").encode()))
        expected = hmac.new(app["webhook_secret"].encode(), request.body, hashlib.sha256)
        if not hmac.compare_digest(
            "sha256=" + expected.hexdigest(), request.headers.get("x-signature", "")
        ):
            raise ConnectorError("The delivery's signature is wrong.", ErrorKind.PERMANENT)
        payload = json.loads(request.body)
        return WebhookResult(
            batches=[
                WebhookBatch(
                    account_id=entry["page"],
                    events=[
                        Event(
                            kind=EventKind.COMMENT,
                            remote_id=entry["id"],
                            author=Author(remote_id=entry["from"], name=entry["from"]),
                            occurred_at=datetime.fromtimestamp(entry["time"], UTC),
                            text=entry["text"],
                        )
                    ],
                )
                for entry in payload["entries"]
            ]
        )
