"""Discourse: one forum, through its REST API with an API key an admin created.

Reads the latest posts of the watched categories (GET /posts.json, paged down with `before`)
and the API user's private messages (GET /topics/private-messages/{username}.json, then each
changed topic's posts); publishes topics (POST /posts.json with a title and a category) and
replies (topic_id + reply_to_post_number); reads a topic's views, likes and replies; moderates
with a staff key: hide (a flag with action taken), delete, silence and suspend the author, and
lift both. Reference: https://docs.discourse.org (the OpenAPI of discourse/discourse_api_docs).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.utils.translation import gettext_noop as _
from pydantic import BaseModel, field_validator

from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    FetchResult,
    Metrics,
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
    count_chars,
)
from liant.connectors.http import HttpClient, parse_retry_after
from liant.connectors.mastodon.connector import html_to_text

PAGE_SIZE = 50  # GET /posts.json answers at most 50 posts, newest first
MAX_PAGES = 6  # per fetch; an unfinished pass goes on from where it stopped next time
FIRST_PAGES = 1  # a new channel starts from the newest posts, not from the forum's beginning
POST_IDS_PER_CALL = 20  # what the web client asks /t/{id}/posts.json for at once
REMEMBERED_MESSAGES = 500
REGULAR_POST = 1  # post_type: 2 moderator action, 3 small action, 4 whisper
LIKE = 2  # post_action_type_id of a like (actions_summary)
INAPPROPRIATE = 4  # the flag type staff use to hide a post at once (an auto-action type)
# Statuses whose JSON the connector reads itself, to give Discourse's own words.
HANDLED = (400, 403, 404, 409, 410, 422, 429)
REFUSED_KEY = {"invalid_access", "not_logged_in"}
# A sanction lifted by Liant lasts until then (Discourse needs a date; its UI's "forever" is
# a thousand years).
UNTIL_LIFTED = timedelta(days=365 * 100)
HOST_RE = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")

# Discourse's defaults (config/site_settings.yml); a forum's admin may change them.
DEFAULT_LIMITS = {
    "max_post_length": 32_000,
    "max_topic_title_length": 255,
    "min_post_length": 20,
    "min_first_post_length": 20,
    "min_topic_title_length": 15,
    "min_personal_message_post_length": 10,
    "min_personal_message_title_length": 2,
}
# Settings renamed in 2023 ("private" → "personal" message): older forums answer the old names.
OLD_NAMES = {
    "min_private_message_post_length": "min_personal_message_post_length",
    "min_private_message_title_length": "min_personal_message_title_length",
}


def normalise_forum_url(value: str) -> str:
    """'forum.example.org', 'https://forum.example.org/' or a subfolder install
    'https://example.org/forum/' → 'https://example.org/forum' (no trailing slash)."""
    raw = value.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() != "https":
        raise ValueError("A Discourse forum is reached over https.")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or not HOST_RE.fullmatch(host):
        raise ValueError("This is not the address of a forum.")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("The port of this address is not a number.") from exc
    origin = f"https://{host}:{port}" if port and port != 443 else f"https://{host}"
    return origin + parts.path.rstrip("/")


class ForumLimits(BaseModel):
    """What one forum allows (its site settings, readable with an admin key). None = the
    Discourse default."""

    max_post_length: int | None = None
    max_topic_title_length: int | None = None
    min_post_length: int | None = None
    min_first_post_length: int | None = None
    min_topic_title_length: int | None = None
    min_personal_message_post_length: int | None = None
    min_personal_message_title_length: int | None = None

    def get(self, name: str) -> int:
        value = getattr(self, name)
        return int(value) if value is not None else DEFAULT_LIMITS[name]


class DiscourseSettings(ConnectorSettings):
    forum_url: str
    api_username: str
    # Learnt when connecting.
    user_id: int | None = None
    categories: list[int] = []  # watched; empty: every category the API user can see
    default_category: int | None = None  # where a topic goes when the draft names none
    limits: ForumLimits = ForumLimits()
    # Shown by Discourse to a silenced or suspended member.
    sanction_reason: str = "Breach of the community guidelines"

    @field_validator("forum_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_forum_url(value)

    @field_validator("api_username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.strip().lstrip("@")
        if not value:
            raise ValueError("The API username is needed.")
        return value


class Malformed(ConnectorError, ValueError):
    """An item of an answer lacks what Liant needs; it is skipped and reported."""


def rules_for(limits: ForumLimits) -> Rules:
    return replace(DiscourseConnector.rules, max_length=limits.get("max_post_length"))


class DiscourseConnector(Connector):
    kind = "discourse"
    label = "Discourse"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.SEND_DIRECT,
        }
    )
    # Discourse counts a post's raw Markdown in characters (code points); the maximum is a
    # site setting, 32 000 by default, narrowed per channel from what the forum says.
    rules = Rules(max_length=DEFAULT_LIMITS["max_post_length"], count=count_chars, max_media=0)
    settings_model = DiscourseSettings
    fetch_interval = 300
    limitations = _(
        "Liant publishes text (Markdown) only, no uploads. Hiding a post is a flag with action "
        "taken, and hiding, deleting others' posts, silencing and suspending need an API "
        "user who is a moderator or an admin. Discourse keeps no idempotency key: a publish "
        "whose answer was lost is not retried."
    )
    connection = _("Forum address, API key and API username")
    moderation_actions = frozenset(
        {
            ModerationAction.HIDE,
            ModerationAction.DELETE,
            ModerationAction.MUTE,
            ModerationAction.UNMUTE,
            ModerationAction.BAN,
            ModerationAction.UNBAN,
        }
    )
    publish_idempotency_window = 0.0

    settings: DiscourseSettings

    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], http: HttpClient
    ) -> None:
        super().__init__(settings, credentials, http)
        self.rules = rules_for(self.settings.limits)

    # --- plumbing --------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.settings.forum_url + path

    def _headers(self) -> dict[str, str]:
        key = self.credentials.get("api_key")
        if not key:
            raise ConnectorError(
                _("This Discourse channel has no API key; connect it again."),
                ErrorKind.AUTH_EXPIRED,
            )
        return {
            "Api-Key": str(key),
            "Api-Username": self.settings.api_username,
            "Accept": "application/json",
        }

    def _call(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (),
        probe: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; an error status becomes a ConnectorError with Discourse's words,
        except the statuses in `expect`, which the caller reads itself."""
        response = self.http.request(
            method,
            self._url(path),
            headers=self._headers(),
            ok_statuses=HANDLED + expect,
            **kwargs,
        )
        if response.status_code < 400 or response.status_code in expect:
            return response
        raise self._error(response, probe=probe)

    def _error(self, response: httpx.Response, *, probe: bool) -> ConnectorError:
        code = response.status_code
        body = _body(response)
        detail = _words(body)
        if code == 429:
            return self._rate_limited(response, body, detail)
        if code == 403 and body.get("error_type") in REFUSED_KEY:
            # Discourse answers a revoked key and a forbidden action alike (403,
            # "invalid_access"): asking who we are, which this key could do when it was
            # connected, tells them apart.
            if not probe or self._key_refused():
                return ConnectorError(
                    _(
                        "Discourse refuses the API key for %(username)s: it is wrong or "
                        "revoked, or that user is suspended or deactivated. Connect the forum "
                        "again with a valid key. %(detail)s"
                    ),
                    ErrorKind.AUTH_EXPIRED,
                    status=code,
                    username=self.settings.api_username,
                    detail=detail,
                )
            return ConnectorError(
                _("Discourse does not let %(username)s do this: %(detail)s"),
                status=code,
                username=self.settings.api_username,
                detail=detail,
            )
        if code in (404, 410):
            return ConnectorError(
                _("Discourse has no such item (%(code)s). %(detail)s"),
                status=code,
                code=code,
                detail=detail,
            )
        return ConnectorError(
            _("Discourse refused the request (%(code)s): %(detail)s"),
            status=code,
            code=code,
            detail=detail,
        )

    def _rate_limited(
        self, response: httpx.Response, body: Mapping[str, Any], detail: str
    ) -> ConnectorError:
        now = self.http.clock()
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is None:
            extras = body.get("extras")
            seconds = extras.get("wait_seconds") if isinstance(extras, dict) else None
            wait = float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else 60.0
        self.http.recorder.block_until(now + timedelta(seconds=wait))
        return ConnectorError(
            _("Discourse asks Liant to slow down; retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=429,
            seconds=math.ceil(wait),
            detail=detail,
        )

    def _key_refused(self) -> bool:
        response = self.http.get(
            self._url(f"/u/{quote(self.settings.api_username, safe='')}.json"),
            headers=self._headers(),
            ok_statuses=HANDLED,
        )
        body = _body(response)
        if response.status_code == 429:
            raise self._rate_limited(response, body, _words(body))
        return response.status_code == 403 and body.get("error_type") in REFUSED_KEY

    def _absolute(self, path: str) -> str:
        if not path:
            return ""
        if path.startswith(("https://", "http://")):
            return path
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.settings.forum_url))
        # post_url and avatar templates already carry a subfolder install's prefix.
        prefix = urlsplit(self.settings.forum_url).path
        return origin + (path if prefix and path.startswith(prefix + "/") else prefix + path)

    # --- connection ------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """The API user (GET /u/{username}.json): proves the key and the username."""
        path = f"/u/{quote(self.settings.api_username, safe='')}.json"
        body = _object(self._call("GET", path, probe=False), Problem(_("a user")))
        user = body.get("user")
        if not isinstance(user, dict) or not user.get("id") or not user.get("username"):
            raise ConnectorError(_("Discourse sent a user Liant cannot read."))
        return user

    def check_connection(self) -> str:
        user = self.whoami()
        return f"@{user['username']} ({urlsplit(self.settings.forum_url).netloc})"

    def list_categories(self) -> list[tuple[int, str, int | None]]:
        """(id, name, parent id) of the categories the API user can see, subcategories after
        their parent."""
        body = _object(
            self._call("GET", "/categories.json", params={"include_subcategories": "true"}),
            Problem(_("categories")),
        )
        listing = body.get("category_list")
        found: list[tuple[int, str, int | None]] = []
        for category in (listing or {}).get("categories") or []:
            if not isinstance(category, dict) or not isinstance(category.get("id"), int):
                continue
            parent = category["id"]
            name = str(category.get("name") or parent)
            found.append((parent, name, None))
            for child in category.get("subcategory_list") or []:
                if isinstance(child, dict) and isinstance(child.get("id"), int):
                    label = f"{name} › {child.get('name') or child['id']}"
                    found.append((child["id"], label, parent))
        return found

    def read_limits(self) -> ForumLimits:
        """The forum's length settings (GET /admin/site_settings.json, admin keys only);
        anything unreadable keeps the Discourse default: limits never block connecting."""
        try:
            response = self._call("GET", "/admin/site_settings.json", expect=(403, 404))
        except ConnectorError as exc:
            if exc.kind is ErrorKind.AUTH_EXPIRED:
                raise
            return ForumLimits()
        if response.status_code != 200:
            return ForumLimits()
        try:
            rows = response.json().get("site_settings") or []
        except (ValueError, AttributeError):
            return ForumLimits()
        values: dict[str, int] = {}
        for row in rows:
            if not isinstance(row, dict):
                continue
            name = OLD_NAMES.get(str(row.get("setting")), str(row.get("setting")))
            if name in DEFAULT_LIMITS:
                try:
                    values[name] = int(str(row.get("value")))
                except ValueError:
                    continue
        return ForumLimits(**values)

    # --- publishing ------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        if draft.media:
            raise ConnectorError(_("Liant does not upload images or files to Discourse."))
        text = _with_link(draft)
        if draft.reply_to:
            topic_id, number = self._locate(draft.reply_to, {})
            return self._reply_in(topic_id, number, text)
        limits = self.settings.limits
        title = _title(draft, limits.get("max_topic_title_length"))
        self._check_length(
            title, text, limits.get("min_topic_title_length"), "min_first_post_length"
        )
        payload: dict[str, Any] = {"title": title, "raw": text}
        category = _int(draft.extras.get("category")) or self.settings.default_category
        if category:
            payload["category"] = category
        return self._create(payload)

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """An answer in the parent's topic (a private message's answer stays in it)."""
        if parent.kind in (EventKind.REACTION, EventKind.FOLLOW, EventKind.MEMBERSHIP):
            raise ConnectorError(_("On Discourse only a post can be answered."))
        if draft.media:
            raise ConnectorError(_("Liant does not upload images or files to Discourse."))
        topic_id, number = self._locate(parent.remote_id, parent.raw)
        private = parent.kind is EventKind.DIRECT_MESSAGE or bool(parent.raw.get("private"))
        return self._reply_in(topic_id, number, _with_link(draft), private=private)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        """A new private message to the member (its title: the draft's, else its first line)."""
        username = recipient.handle.strip().lstrip("@")
        if not username:
            raise ConnectorError(_("A Discourse message needs the recipient's username."))
        text = _with_link(draft)
        title = _title(draft, self.settings.limits.get("max_topic_title_length"))
        self._check_length(
            title,
            text,
            self.settings.limits.get("min_personal_message_title_length"),
            "min_personal_message_post_length",
        )
        return self._create(
            {
                "title": title,
                "raw": text,
                "archetype": "private_message",
                "target_recipients": username,
            }
        )

    def _check_length(self, title: str, text: str, min_title: int, min_body: str) -> None:
        """Said before sending, in Liant's words; Discourse would refuse with a 422."""
        limits = self.settings.limits
        if not min_title <= len(title) <= limits.get("max_topic_title_length"):
            raise ConnectorError(
                _("This forum wants a title of %(low)s to %(high)s characters (%(count)s given)."),
                low=min_title,
                high=limits.get("max_topic_title_length"),
                count=len(title),
            )
        self._check_body(text, limits.get(min_body))

    def _check_body(self, text: str, minimum: int) -> None:
        length = len(text.strip())
        highest = self.settings.limits.get("max_post_length")
        if not minimum <= length <= highest:
            raise ConnectorError(
                _("This forum wants a post of %(low)s to %(high)s characters (%(count)s given)."),
                low=minimum,
                high=highest,
                count=length,
            )

    def _reply_in(
        self, topic_id: int, number: int, text: str, *, private: bool = False
    ) -> RemotePost:
        minimum = "min_personal_message_post_length" if private else "min_post_length"
        self._check_body(text, self.settings.limits.get(minimum))
        payload: dict[str, Any] = {"topic_id": topic_id, "raw": text}
        if number > 1:  # answering the first post is answering the topic
            payload["reply_to_post_number"] = number
        return self._create(payload)

    def _create(self, payload: dict[str, Any]) -> RemotePost:
        # A plain POST: HttpClient never repeats it once it may have reached the forum, since
        # Discourse honours no idempotency key (its "same text within 5 minutes" refusal is no
        # substitute: it answers an error, not the first post).
        post = _object(self._call("POST", "/posts.json", json=payload), Problem(_("a post")))
        if not post.get("id"):
            raise ConnectorError(_("Discourse accepted the post but sent back no id."))
        created = post.get("created_at")
        return RemotePost(
            remote_id=str(post["id"]),
            url=self._post_url(post),
            published_at=parse_date(created) if isinstance(created, str) else None,
            raw={k: post.get(k) for k in ("id", "topic_id", "post_number", "topic_slug")},
        )

    def _locate(self, post_id: str, raw: Mapping[str, Any]) -> tuple[int, int]:
        """(topic id, post number) of a post, from what was stored, else from the forum."""
        topic, number = _int(raw.get("topic_id")), _int(raw.get("post_number"))
        if topic and number:
            return topic, number
        post = self._post(post_id)
        topic, number = _int(post.get("topic_id")), _int(post.get("post_number"))
        if not topic:
            raise ConnectorError(_("Discourse sent a post without its topic."))
        return topic, number

    def _post(self, post_id: str) -> dict[str, Any]:
        if not str(post_id).isdigit():
            raise ConnectorError(_("%(id)r is not a Discourse post id."), id=post_id)
        return _object(self._call("GET", f"/posts/{post_id}.json"), Problem(_("a post")))

    def _post_url(self, post: Mapping[str, Any]) -> str:
        if isinstance(post.get("post_url"), str) and post["post_url"]:
            return self._absolute(post["post_url"])
        slug = post.get("topic_slug") or "-"
        return self._absolute(f"/t/{slug}/{post.get('topic_id')}/{post.get('post_number') or 1}")

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """New posts of the watched categories, then new posts in the API user's private
        messages. The cursor keeps the highest public post id read (post ids grow across
        the forum), a pass still going down when a fetch stopped, and, per private message,
        its highest post number and id."""
        cursor = dict(since)
        events: list[Event] = []
        errors: list[Problem] = []
        self._fetch_latest(cursor, events, errors)
        self._fetch_messages(cursor, events, errors)
        return FetchResult(events, cursor, errors)

    def _fetch_latest(
        self, cursor: dict[str, Any], events: list[Event], errors: list[Problem]
    ) -> None:
        first_time = "post_id" not in cursor
        done = _int(cursor.get("post_id"))  # every public post up to this id was read
        reading = _mapping(cursor.get("reading"))
        top = _int(reading.get("top"))
        before = _int(reading.get("before"))
        finished = False
        for _page in range(FIRST_PAGES if first_time else MAX_PAGES):
            params = {"before": str(before)} if before else None
            body = _object(self._call("GET", "/posts.json", params=params), Problem(_("posts")))
            posts = body.get("latest_posts")
            if not isinstance(posts, list):
                raise ConnectorError(_("Discourse's latest posts have no list of posts."))
            lowest = 0
            reached = not posts
            for index, post in enumerate(posts):
                post_id = _int(post.get("id")) if isinstance(post, dict) else 0
                if not post_id:
                    errors.append(
                        Problem(_("post #%(number)s of a page has no id"), number=index + 1)
                    )
                    continue
                if before and post_id >= before:
                    continue  # `before` is inclusive on the server: already read
                if post_id <= done:
                    reached = True
                    continue
                lowest = post_id if not lowest else min(lowest, post_id)
                top = max(top, post_id)
                self._add(post, events, errors)
            if reached or not lowest:
                finished = True
                break
            before = lowest
        else:
            finished = first_time
        if finished:
            cursor["post_id"] = max(done, top)
            cursor.pop("reading", None)
        else:
            cursor["post_id"] = done
            cursor["reading"] = {"top": top, "before": before}

    def _add(
        self,
        post: Mapping[str, Any],
        events: list[Event],
        errors: list[Problem],
        topic: Mapping[str, Any] | None = None,
    ) -> None:
        try:
            event = self.post_event(post, topic)
        except Malformed as exc:
            errors.append(
                Problem(_("post %(id)s: %(problem)s"), id=str(post.get("id")), problem=exc)
            )
            return
        if event is not None:
            events.append(event)

    def _fetch_messages(
        self, cursor: dict[str, Any], events: list[Event], errors: list[Problem]
    ) -> None:
        known = _mapping(cursor.get("messages"))
        state = {str(k): v for k, v in known.items() if isinstance(v, dict)}
        path = f"/topics/private-messages/{quote(self.settings.api_username, safe='')}.json"
        body = _object(self._call("GET", path), Problem(_("private messages")))
        topics = (body.get("topic_list") or {}).get("topics")
        if not isinstance(topics, list):
            raise ConnectorError(_("Discourse's private messages have no list of topics."))
        for index, topic in enumerate(topics):
            topic_id = _int(topic.get("id")) if isinstance(topic, dict) else 0
            if not topic_id:
                errors.append(Problem(_("private message #%(number)s has no id"), number=index + 1))
                continue
            seen = state.get(str(topic_id), {})
            highest = _int(topic.get("highest_post_number"))
            if highest and highest == _int(seen.get("n")):
                continue
            newest = self._read_message(topic_id, topic, _int(seen.get("id")), events, errors)
            state[str(topic_id)] = {"n": highest, "id": max(newest, _int(seen.get("id")))}
        kept = sorted(state.items(), key=lambda kv: _int(kv[1].get("id")), reverse=True)
        cursor["messages"] = dict(kept[:REMEMBERED_MESSAGES])

    def _read_message(
        self,
        topic_id: int,
        topic: Mapping[str, Any],
        seen_id: int,
        events: list[Event],
        errors: list[Problem],
    ) -> int:
        """The posts of one private message newer than `seen_id`; returns the newest id."""
        response = self._call("GET", f"/t/{topic_id}.json", expect=(404, 410))
        if response.status_code != 200:
            return seen_id  # deleted meanwhile, or we were removed from it
        stream = (_object(response, Problem(_("a topic"))).get("post_stream")) or {}
        loaded = {
            p["id"]: p
            for p in stream.get("posts") or []
            if isinstance(p, dict) and isinstance(p.get("id"), int)
        }
        wanted = [i for i in stream.get("stream") or [] if isinstance(i, int) and i > seen_id]
        missing = [i for i in wanted if i not in loaded]
        for start in range(0, len(missing), POST_IDS_PER_CALL):
            chunk = missing[start : start + POST_IDS_PER_CALL]
            more = _object(
                self._call(
                    "GET", f"/t/{topic_id}/posts.json", params=[("post_ids[]", i) for i in chunk]
                ),
                Problem(_("posts")),
            )
            for post in (more.get("post_stream") or {}).get("posts") or []:
                if isinstance(post, dict) and isinstance(post.get("id"), int):
                    loaded[post["id"]] = post
        for post_id in wanted:
            if post_id in loaded:
                self._add(loaded[post_id], events, errors, topic)
        return max(wanted, default=seen_id)

    def post_event(
        self, post: Mapping[str, Any], topic: Mapping[str, Any] | None = None
    ) -> Event | None:
        """A post as an event; None for our own posts, a category not watched, and the
        forum's own notices (small actions, moderator actions)."""
        post_id = _text(post, "id", Problem(_("the post")))
        username = _text(post, "username", Problem(_("the post")))
        user_id = _text(post, "user_id", Problem(_("the post")))
        occurred = parse_date(_text(post, "created_at", Problem(_("the post"))))
        topic_id = _text(post, "topic_id", Problem(_("the post")))
        if username.lower() == self.settings.api_username.lower():
            return None  # ours: Liant knows it already
        if post.get("post_type") not in (None, REGULAR_POST):
            return None
        private = topic is not None
        category = post.get("category_id")
        if not private and self.settings.categories and category not in self.settings.categories:
            return None
        number = _int(post.get("post_number"))
        cooked = post.get("cooked") or ""
        if not isinstance(cooked, str):
            raise Malformed(_("the post's HTML is not text"))
        raw = post.get("raw")
        text = raw if isinstance(raw, str) and raw.strip() else html_to_text(cooked)
        if private:
            kind = EventKind.DIRECT_MESSAGE
        elif number == 1:
            kind = EventKind.POST
        elif _mentions(text, self.settings.api_username):
            kind = EventKind.MENTION
        else:
            kind = EventKind.COMMENT
        template = str(post.get("avatar_template") or "")
        return Event(
            kind=kind,
            remote_id=post_id,
            author=Author(
                remote_id=user_id,
                handle=username,
                name=str(post.get("name") or post.get("display_username") or ""),
                url=self._absolute(f"/u/{quote(username, safe='')}"),
                avatar_url=self._absolute(template.replace("{size}", "96")) if template else "",
            ),
            occurred_at=occurred,
            text=text,
            html=cooked,  # sanitized by the channels app before it is stored
            url=self._post_url(post),
            thread_remote_id=topic_id,
            raw={
                "topic_id": _int(topic_id),
                "post_number": number,
                "reply_to_post_number": _int(post.get("reply_to_post_number")) or None,
                "category_id": category if isinstance(category, int) else None,
                "topic_title": str(post.get("topic_title") or (topic or {}).get("title") or ""),
                "topic_slug": str(post.get("topic_slug") or ""),
                "private": private,
            },
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """A topic's views, likes and replies (GET /t/{id}.json) for a first post; a reply's
        own reads, likes and replies otherwise."""
        found = []
        for remote_id in remote_ids:
            if not str(remote_id).isdigit():
                continue
            response = self._call("GET", f"/posts/{remote_id}.json", expect=(404, 410))
            if response.status_code != 200:
                continue  # deleted
            post = _object(response, Problem(_("a post")))
            if _int(post.get("post_number")) == 1 and _int(post.get("topic_id")):
                topic_response = self._call(
                    "GET", f"/t/{_int(post['topic_id'])}.json", expect=(404, 410)
                )
                if topic_response.status_code != 200:
                    continue
                topic = _object(topic_response, Problem(_("a topic")))
                values = {
                    "views": _int(topic.get("views")),
                    "likes": _int(topic.get("like_count")),
                    "replies": _int(topic.get("reply_count")),
                }
            else:
                values = {
                    "views": _int(post.get("reads")),
                    "likes": _likes(post.get("actions_summary")),
                    "replies": _int(post.get("reply_count")),
                }
            found.append(Metrics(remote_id=str(remote_id), values=values))
        return found

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        """Every verb takes a post id; silence and suspend act on its author (found through
        GET /posts/{id}.json), or on "user:<id>" given directly."""
        action = ModerationAction(action)
        target = str(remote_id)
        if action is ModerationAction.HIDE:
            self._post(target)  # a missing post is said plainly, not as a failed flag
            response = self._call(
                "POST",
                "/post_actions.json",
                json={
                    "id": int(target),
                    "post_action_type_id": INAPPROPRIATE,
                    "take_action": "true",
                },
            )
            if _object(response, Problem(_("a post"))).get("hidden") is False:
                # Discourse ignores take_action for a user who is not staff: the flag is
                # recorded for the moderators, but the post stays visible.
                raise ConnectorError(
                    _(
                        "Discourse recorded a flag but did not hide post %(id)s: only a "
                        "moderator's or an admin's API user hides at once."
                    ),
                    id=target,
                )
            return
        if action is ModerationAction.DELETE:
            if not target.isdigit():
                raise ConnectorError(_("%(id)r is not a Discourse post id."), id=target)
            self._call("DELETE", f"/posts/{target}.json")
            return
        verbs = {
            ModerationAction.MUTE: "silence",
            ModerationAction.UNMUTE: "unsilence",
            ModerationAction.BAN: "suspend",
            ModerationAction.UNBAN: "unsuspend",
        }
        if action not in verbs:
            raise ConnectorError(
                _("Discourse has no %(action)s for a member through its API."), action=action.value
            )
        user_id = self._author_of(target)
        until = (self.http.clock() + UNTIL_LIFTED).astimezone(UTC).isoformat()
        reason = self.settings.sanction_reason
        payload = {
            ModerationAction.MUTE: {"silenced_till": until, "reason": reason},
            ModerationAction.BAN: {"suspend_until": until, "reason": reason},
        }.get(action)
        # 409: already silenced or suspended; the sanction Liant asked for is in place.
        self._call(
            "PUT", f"/admin/users/{user_id}/{verbs[action]}.json", json=payload, expect=(409,)
        )

    def _author_of(self, target: str) -> int:
        if target.startswith("user:") and target[5:].lstrip("-").isdigit():
            return int(target[5:])
        user_id = self._post(target).get("user_id")
        if not isinstance(user_id, int):
            raise ConnectorError(_("Discourse sent a post without its author."))
        return user_id


# --- reading Discourse's JSON ---------------------------------------------------------------


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _words(body: Mapping[str, Any]) -> str:
    """Discourse's own explanation: `errors` (a list of sentences), else `message`/`error`."""
    errors = body.get("errors")
    if isinstance(errors, list):
        text = " ".join(str(e) for e in errors if isinstance(e, str | int | float))
        if text:
            return text[:300]
    for key in ("message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])[:300]
    return ""


def _object(response: httpx.Response, what: Problem) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _(
                "Discourse answered %(path)s with something that is not JSON where %(what)s "
                "was expected."
            ),
            path=response.request.url.path,
            what=what,
        ) from exc
    if not isinstance(body, dict):
        raise ConnectorError(
            _("Discourse answered %(path)s with a JSON %(type)s where %(what)s was expected."),
            path=response.request.url.path,
            type=type(body).__name__,
            what=what,
        )
    return body


def _text(item: Mapping[str, Any], key: str, what: Problem) -> str:
    value = item.get(key)
    if value is None or value == "" or isinstance(value, dict | list | bool):
        raise Malformed(_("%(what)s has no %(key)s"), what=what, key=key)
    return str(value)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _likes(summary: Any) -> int:
    for action in summary if isinstance(summary, list) else []:
        if isinstance(action, dict) and action.get("id") == LIKE:
            return _int(action.get("count"))
    return 0  # documented: no like entry means no like


def parse_date(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Malformed(_("unreadable date %(value)r"), value=value) from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _mentions(text: str, username: str) -> bool:
    return bool(re.search(rf"(?<![\w@])@{re.escape(username)}(?![\w-])", text, re.IGNORECASE))


def _with_link(draft: Draft) -> str:
    text = draft.text.strip()
    if draft.link and draft.link not in text:
        text = f"{text}\n\n{draft.link}".strip()
    return text


def _title(draft: Draft, longest: int) -> str:
    """The draft's title (extras["title"]), else its first line without Markdown marks,
    shortened at a word to fit the forum."""
    title = str(draft.extras.get("title") or "").strip()
    if title:
        return title  # the person's own: a wrong length is said, not cut
    lines: Iterable[str] = (line.strip() for line in draft.text.splitlines())
    title = next((line for line in lines if line), "").lstrip("#>*-_ ").strip()
    if len(title) > longest:
        title = title[: longest - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return title
