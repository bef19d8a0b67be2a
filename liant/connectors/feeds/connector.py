"""RSS 0.9x/1.0/2.0, Atom (feedparser) and JSON Feed 1.0/1.1 (its spec is small enough to read
directly). Fetches with conditional GET and remembers which items it has already seen."""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser
import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    Event,
    EventKind,
    FetchResult,
    Problem,
)
from liant.connectors.http import HttpClient

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
)
REMEMBERED_IDS = 500  # enough to dedupe a feed's window; events are unique in the DB anyway


class FeedSettings(ConnectorSettings):
    url: str


class FeedConnector(Connector):
    kind = "feed"
    label = "RSS / Atom / JSON Feed"
    connection = _("The feed's address, or a site that announces one")
    capabilities = frozenset({Capability.FETCH})
    settings_model = FeedSettings
    fetch_interval = 900
    limitations = _("Read-only: a feed can be followed, not published to or answered.")

    settings: FeedSettings

    def check_connection(self) -> str:
        feed = self._download({})
        if feed is None:
            return self.settings.url
        return feed.title or self.settings.url

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        parsed = self._download(since)
        cursor = dict(since)
        if parsed is None:  # 304 Not Modified
            return FetchResult([], cursor)
        seen = list(since.get("seen", []))
        known = set(seen)
        events, errors = [], list(parsed.errors)
        for index, item in enumerate(parsed.items):
            try:
                event = item_event(item)
            except ConnectorError as exc:
                errors.append(
                    Problem(_("item %(number)s: %(problem)s"), number=index + 1, problem=exc)
                )
                continue
            except (KeyError, TypeError, ValueError) as exc:
                # Python's own words about the data (a missing key, a bad date): kept as said.
                errors.append(
                    Problem(_("item %(number)s: %(problem)s"), number=index + 1, problem=str(exc))
                )
                continue
            if event.remote_id in known:
                continue
            known.add(event.remote_id)
            seen.append(event.remote_id)
            events.append(event)
        cursor.update(parsed.validators)
        cursor["seen"] = seen[-REMEMBERED_IDS:]
        return FetchResult(events, cursor, errors)

    def _download(self, since: Mapping[str, Any]) -> ParsedFeed | None:
        headers = {"Accept": ", ".join(FEED_TYPES) + ", */*;q=0.5"}
        if since.get("etag"):
            headers["If-None-Match"] = since["etag"]
        if since.get("modified"):
            headers["If-Modified-Since"] = since["modified"]
        response = self.http.get(self.settings.url, headers=headers, ok_statuses=(304,))
        if response.status_code == 304:
            return None
        parsed = parse_feed(response)
        parsed.validators = {
            k: v
            for k, v in (
                ("etag", response.headers.get("etag")),
                ("modified", response.headers.get("last-modified")),
            )
            if v
        }
        return parsed


class ParsedFeed:
    def __init__(self, title: str, items: list[dict[str, Any]], errors: list[Problem]):
        self.title = title
        self.items = items
        self.errors = errors
        self.validators: dict[str, str] = {}


def parse_feed(response: httpx.Response) -> ParsedFeed:
    content_type = response.headers.get("content-type", "")
    body = response.content
    if "json" in content_type or body.lstrip()[:1] == b"{":
        return parse_json_feed(body)
    parsed = feedparser.parse(
        body,
        response_headers={k.lower(): v for k, v in response.headers.items()},
        sanitize_html=False,  # Liant sanitizes everything itself with nh3, in one place
        resolve_relative_uris=True,
    )
    errors: list[Problem] = []
    if parsed.bozo:
        problem = parsed.get("bozo_exception")
        line = getattr(problem, "getLineNumber", lambda: None)()
        # The parser's own words stay as it said them.
        if line:
            error = ConnectorError(
                _("The feed is not well-formed (line %(line)s): %(problem)s"),
                line=line,
                problem=str(problem),
            )
        else:
            error = ConnectorError(
                _("The feed is not well-formed: %(problem)s"), problem=str(problem)
            )
        if not parsed.entries:
            raise error
        errors.append(Problem(_("%(problem)s — the readable items were kept."), problem=error))
    if not parsed.version and not parsed.entries:
        raise ConnectorError(_("This address does not serve a feed (RSS, Atom or JSON Feed)."))
    items = [dict(entry) for entry in parsed.entries]
    for item in items:
        item["_format"] = "feedparser"
    return ParsedFeed(parsed.feed.get("title", ""), items, errors)


def parse_json_feed(body: bytes) -> ParsedFeed:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ConnectorError(_("The JSON Feed cannot be read: %(error)s"), error=str(exc)) from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ConnectorError(_("This JSON document is not a JSON Feed (no jsonfeed.org version)."))
    items = data.get("items")
    if not isinstance(items, list):
        raise ConnectorError(_("The JSON Feed has no list of items."))
    for item in items:
        if isinstance(item, dict):
            item["_format"] = "json"
    return ParsedFeed(str(data.get("title", "")), items, [])


def item_event(item: dict[str, Any]) -> Event:
    if not isinstance(item, dict):
        raise ConnectorError(_("not an object"))
    if item.get("_format") == "json":
        return json_item_event(item)
    link = item.get("link", "")
    content = item.get("content") or []
    html = content[0].get("value", "") if content else item.get("summary", "")
    published = item.get("published_parsed") or item.get("updated_parsed")
    occurred = (
        datetime.fromtimestamp(calendar.timegm(published), UTC) if published else datetime.now(UTC)
    )
    remote_id = item.get("id") or link or _digest(item.get("title", ""), html)
    author = None
    if item.get("author") or item.get("author_detail"):
        detail = item.get("author_detail") or {}
        name = detail.get("name") or item.get("author", "")
        author = Author(
            remote_id=detail.get("email") or name, name=name, url=detail.get("href", "")
        )
    title = item.get("title", "")
    return Event(
        kind=EventKind.POST,
        remote_id=str(remote_id),
        author=author,
        occurred_at=occurred,
        text=title,
        html=(f"<p><strong>{_escape(title)}</strong></p>" if title else "") + html,
        url=link,
        language=(item.get("language") or "")[:16],
        raw={
            k: item.get(k)
            for k in ("id", "title", "link", "published", "updated", "author")
            if item.get(k)
        },
    )


def json_item_event(item: dict[str, Any]) -> Event:
    if "id" not in item:
        raise ConnectorError(_("JSON Feed item without an id"))
    html = (
        item.get("content_html")
        or _escape(item.get("content_text", ""))
        or _escape(item.get("summary", ""))
    )
    date = item.get("date_published") or item.get("date_modified")
    occurred = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else datetime.now(UTC)
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    author = None
    if authors and isinstance(authors[0], dict):
        a = authors[0]
        author = Author(
            remote_id=a.get("url") or a.get("name", ""),
            name=a.get("name", ""),
            url=a.get("url", ""),
        )
    title = item.get("title", "")
    return Event(
        kind=EventKind.POST,
        remote_id=str(item["id"]),
        author=author,
        occurred_at=occurred,
        text=title,
        html=(f"<p><strong>{_escape(title)}</strong></p>" if title else "") + html,
        url=item.get("url") or item.get("external_url") or "",
        language=str(item.get("language", ""))[:16],
        raw={k: item.get(k) for k in ("id", "url", "title", "date_published") if item.get(k)},
    )


def _digest(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        a = {k: v or "" for k, v in attrs}
        if (
            "alternate" in a.get("rel", "").lower().split()
            and a.get("type", "").lower() in FEED_TYPES
            and a.get("href")
        ):
            self.links.append((a["href"], a.get("title", ""), a["type"]))


def discover(http: HttpClient, url: str) -> list[tuple[str, str]]:
    """Feeds an address offers: itself when it is a feed, else the <link rel=alternate> of its page.

    Returns (url, title) pairs.
    """
    response = http.get(url)
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "text/html":
        parsed = parse_feed(response)
        return [(str(response.request.url), parsed.title)]
    finder = _LinkFinder()
    finder.feed(response.text[:2_000_000])
    base = str(response.request.url)
    return [(urljoin(base, href), title) for href, title, _type in finder.links]
