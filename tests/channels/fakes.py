"""A connector whose network is a script, for testing what the channels app does around it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from liant.connectors.base import (
    Audience,
    Author,
    Capability,
    Connector,
    ConnectorError,
    Event,
    EventKind,
    FetchResult,
)


class ScriptedConnector(Connector):
    kind = "scripted"
    label = "Scripted"
    capabilities = frozenset({Capability.FETCH})
    script: ClassVar[list[Any]] = []  # FetchResult or exception, one per fetch
    refreshed: ClassVar[dict[str, Any] | None] = None
    calls: ClassVar[list[Mapping[str, Any]]] = []

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        type(self).calls.append({"since": dict(since), "credentials": dict(self.credentials)})
        step = type(self).script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def refresh_credentials(self) -> dict[str, Any] | None:
        return type(self).refreshed


def event(n: int, text: str = "") -> Event:
    return Event(
        kind=EventKind.MENTION,
        remote_id=f"m{n}",
        author=Author(remote_id=f"u{n}", handle=f"@user{n}", name=f"User {n}"),
        occurred_at=datetime(2026, 11, 22, 10, n, tzinfo=UTC),
        text=text or f"Mention {n}",
        html=f"<p>Mention {n}</p>",
        url=f"https://social.example/@user{n}/{n}",
    )


def error(kind: str, message: str = "boom", retry_after: float | None = None) -> ConnectorError:
    return ConnectorError(message, kind, retry_after=retry_after)


class CountingConnector(Connector):
    """Says how many follow the account: `answers[token]` is a list of counts or exceptions,
    one per call, where `token` is the channel's credentials' "token"."""

    kind = "counting"
    label = "Counting"
    capabilities = frozenset({Capability.AUDIENCE})
    answers: ClassVar[dict[str, list[Any]]] = {}
    refreshed: ClassVar[dict[str, Any] | None] = None

    def audience(self) -> Audience:
        step = type(self).answers[str(self.credentials.get("token"))].pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def refresh_credentials(self) -> dict[str, Any] | None:
        return type(self).refreshed
