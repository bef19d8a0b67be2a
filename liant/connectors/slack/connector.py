"""Slack: the Web API (https://docs.slack.dev/reference/methods) and the Events API, no SDK.

A Liant channel is Liant's app installed in one Slack workspace (a "team"), through the shared
OAuth flow (liant/channels/connect_oauth.py): the bot token (xoxb-) it gives reads and writes
in the channels the bot was invited to. New messages arrive pushed through the Events API at
/hooks/slack/ (signed with the app's signing secret); polling conversations.history and
conversations.replies with a cursor catches up what a missed delivery lost.

Remote ids are "<channel id>:<ts>": a message's `ts` is unique within its channel, and is what
chat.update, chat.delete, reactions.get and `thread_ts` take.

Slack answers errors with HTTP 200 and {"ok": false, "error": "<code>"}: `call` reads them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, NoReturn

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors import oauth
from liant.connectors.apps import app_settings
from liant.connectors.base import (
    AccountChoice,
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
    WebhookBatch,
    WebhookReply,
    WebhookRequest,
    WebhookResult,
    count_chars,
)
from liant.connectors.http import HttpClient, parse_retry_after

API = "https://slack.com/api"
# chat.postMessage: "we recommend keeping text to 4,000 characters or fewer"; Slack truncates
# at 40,000. Liant keeps to the advice, which is what Slack clients show whole.
MAX_TEXT = 4000
PAGE = 15  # conversations.history/replies: new non-Marketplace apps get at most 15 a call
FIRST_READ = 15  # a channel read for the first time: its latest messages only
MAX_PAGES = 4  # per channel and fetch; the cursor resumes the rest next time
MAX_THREADS = 10  # threads re-read per fetch (the Events API brings the rest live)
SIGNATURE_MAX_AGE = 300  # "more than five minutes" old: a replay, refused
# Message subtypes that are not someone speaking (edits and deletions come as their own
# subtype; bots' messages are not the community's).
SPOKEN_SUBTYPES = {None, "", "thread_broadcast", "file_share", "me_message"}
AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "no_permission",  # a workspace admin revoked the app
}
TRANSIENT_ERRORS = {
    "fatal_error",
    "internal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}
SCOPES = (
    "channels:history",
    "channels:read",
    "groups:history",
    "groups:read",
    "chat:write",
    "reactions:read",
    "users:read",
    "team:read",
)


class SlackSettings(ConnectorSettings):
    account_id: str  # the workspace's team id, which Events API deliveries carry
    team_name: str = ""
    team_url: str = ""  # https://<domain>.slack.com/, for links
    bot_user_id: str = ""  # the bot's user id: its own messages are not events
    bot_id: str = ""
    channels: list[str] = []  # the channels the bot was in when connected (refreshed on fetch)
    channel_names: dict[str, str] = {}
    publish_channel: str = ""


def _ts(value: Any) -> Decimal:
    """Slack timestamps ("1512085950.000216") compared exactly, not as floats."""
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def when(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def remote_id_of(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def split_id(remote_id: str) -> tuple[str, str]:
    channel, _sep, ts = remote_id.partition(":")
    if not channel or _ts(ts) <= 0:
        raise ConnectorError(_("%(id)r is not a Slack message id (channel:ts)."), id=remote_id)
    return channel, ts


def escape(text: str) -> str:
    """Slack reads &, < and > as its own markup: sent text escapes them (docs: formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def readable(text: str) -> str:
    """Slack's markup as people read it: <@U123> → @U123, <#C123|name> → #name,
    <https://…|label> → label (https://…), then its three escapes undone."""

    def one(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{label or target.split('^')[0]}"  # <!here>, <!channel>
        return f"{label} ({target})" if label and label != target else target

    return unescape(SLACK_MARKUP.sub(one, text))


def call(
    http: HttpClient,
    token: str,
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    post: bool = False,
) -> dict[str, Any]:
    """One Web API method; returns its answer or raises a ConnectorError in Slack's words.
    A POST is not retried once it may have reached Slack: Slack has no idempotency key."""
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{API}/{method}"
    if post:
        response = http.post(url, json=dict(params or {}), headers=headers, ok_statuses=(429,))
    else:
        response = http.get(url, params=dict(params or {}), headers=headers, ok_statuses=(429,))
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 429 or (
        isinstance(body, dict) and body.get("error") == "ratelimited"
    ):
        _rate_limited(http, response, method)
    if not isinstance(body, dict):
        raise ConnectorError(
            _("Slack answered %(method)s with something that is not JSON (%(code)s)."),
            method=method,
            code=response.status_code,
        )
    if body.get("ok") is True:
        return body
    raise error_of(body, method)


def _rate_limited(http: HttpClient, response: httpx.Response, method: str) -> NoReturn:
    now = http.clock()
    wait = parse_retry_after(response.headers.get("retry-after"), now)
    wait = 60.0 if wait is None else wait
    http.recorder.block_until(now + timedelta(seconds=wait))
    raise ConnectorError(
        _("Slack's rate limit for %(method)s: retry in %(seconds)s s."),
        ErrorKind.RATE_LIMITED,
        retry_after=wait,
        status=429,
        method=method,
        seconds=int(wait),
    )


def error_of(body: Mapping[str, Any], method: str) -> ConnectorError:
    code = str(body.get("error") or "unknown_error")
    if code in AUTH_ERRORS:
        return ConnectorError(
            _("Slack refused the app's token (%(error)s): install the app again."),
            ErrorKind.AUTH_EXPIRED,
            error=code,
        )
    if code == "missing_scope":
        return ConnectorError(
            _(
                "Slack refused %(method)s: missing_scope (needed: %(needed)s). Install the app "
                "again so it asks for that permission."
            ),
            method=method,
            needed=str(body.get("needed") or "?"),
        )
    if code in TRANSIENT_ERRORS:
        return ConnectorError(
            _("Slack failed on %(method)s (%(error)s)."),
            ErrorKind.TRANSIENT,
            method=method,
            error=code,
        )
    return ConnectorError(_("Slack refused %(method)s: %(error)s"), method=method, error=code)


class SlackConnector(Connector):
    kind = "slack"
    label = "Slack"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.WEBHOOKS,
        }
    )
    rules = Rules(max_length=MAX_TEXT, count=count_chars, max_media=0, links="card", threads=True)
    settings_model = SlackSettings
    fetch_interval = 600  # a catch-up: live messages come through the Events API
    limitations = _(
        "Liant watches the channels its bot is a member of (invite the app with /invite in a "
        "channel) and reads no direct messages; Slack pushes new messages, and a read every "
        "ten minutes catches up a missed delivery. The bot deletes only its own messages "
        "(others' need a workspace admin's user token). Slack gives no view counts: metrics "
        "are reactions and thread replies, the rest comes from what Liant stored. Images are "
        "not sent."
    )
    publish_idempotency_window = 0.0  # Slack has no idempotency key
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset({ModerationAction.DELETE})
    connection: ClassVar[str] = _("OAuth app install, pushed events signed")
    oauth: ClassVar[oauth.OAuthConfig | None] = oauth.OAuthConfig(
        authorize_url="https://slack.com/oauth/v2/authorize",
        token_url=f"{API}/oauth.v2.access",
        scopes=SCOPES,
        scope_separator=",",
        # oauth.v2.access: "supply the Client ID and Client Secret using HTTP Basic".
        client_auth="basic",
    )

    settings: SlackSettings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people: dict[str, Author] = {}

    def _call(self, method: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return call(self.http, str(self.credentials.get("access_token", "")), method, params, **kw)

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        me = self._call("auth.test")
        return f"{me.get('user', '')} @ {me.get('team', '')}"

    def refresh_credentials(self) -> dict[str, Any] | None:
        """With token rotation on, bot tokens last 12 hours and come with a refresh token."""
        if not self.credentials.get("refresh_token") or self.oauth is None:
            return None
        fresh = oauth.refresh(
            self.oauth, app_settings(self.kind), self.http, self.credentials["refresh_token"]
        )
        return self.credentials | fresh

    @classmethod
    def accounts_after_oauth(
        cls, credentials: Mapping[str, Any], http: HttpClient
    ) -> list[AccountChoice]:
        """One install is one workspace: the workspace, with the channels the bot is in."""
        token = str(credentials["access_token"])
        me = call(http, token, "auth.test")
        channels = member_channels(http, token)
        names = {c["id"]: str(c.get("name", "")) for c in channels}
        settings: dict[str, Any] = {
            "account_id": str(me["team_id"]),
            "team_name": str(me.get("team", "")),
            "team_url": str(me.get("url", "")),
            "bot_user_id": str(me.get("user_id", "")),
            "bot_id": str(me.get("bot_id", "")),
            "channels": list(names),
            "channel_names": names,
            "publish_channel": next(iter(names), ""),
        }
        SlackSettings.model_validate(settings)
        name = str(me.get("team") or me["team_id"])
        return [AccountChoice(name, settings, dict(credentials))]

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Each channel the bot is in from its own position, then the threads seen lately."""
        positions: dict[str, dict[str, str]] = dict(since.get("channels") or {})
        threads: dict[str, str] = dict(since.get("threads") or {})  # "C:root ts" → last seen
        events: list[Event] = []
        errors: list[Problem] = []
        due: list[str] = []
        try:
            watched = [c["id"] for c in member_channels(self.http, self._token())]
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.PERMANENT:
                raise
            watched = list(self.settings.channels)
            errors.append(Problem(_("channel list: %(problem)s"), problem=exc))
        read = 0
        for channel in watched:
            try:
                messages, positions[channel] = self._history(channel, positions.get(channel))
            except ConnectorError as exc:
                if exc.kind is ErrorKind.RATE_LIMITED and read:
                    break  # keep what was read; the other channels come next time
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                errors.append(
                    Problem(_("channel %(channel)s: %(problem)s"), channel=channel, problem=exc)
                )
                continue
            read += 1
            for message in messages:
                self._collect(channel, message, events, errors)
                root = str(message.get("thread_ts") or "")
                if root and root == message.get("ts") and message.get("latest_reply"):
                    key = remote_id_of(channel, root)
                    threads.setdefault(key, root)
                    if _ts(message["latest_reply"]) > _ts(threads[key]):
                        due.append(key)  # its first message says there are newer replies
        # Threads with news first, then the most recently active ones: a reply whose pushed
        # delivery was lost is caught up there.
        others = sorted(
            (k for k in threads if k not in due), key=lambda k: _ts(threads[k]), reverse=True
        )
        for key in (due + others)[:MAX_THREADS]:
            channel, root = split_id(key)
            try:
                replies = self._replies(channel, root, threads[key])
            except ConnectorError as exc:
                if exc.kind is ErrorKind.RATE_LIMITED:
                    break
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                errors.append(Problem(_("thread %(thread)s: %(problem)s"), thread=key, problem=exc))
                continue
            for message in replies:
                if message.get("ts") == root:
                    continue  # the thread's first message came with its channel
                threads[key] = max(threads[key], str(message.get("ts", "0")), key=_ts)
                self._collect(channel, message, events, errors)
        # The most recently active threads are kept (their replies come live anyway).
        kept = sorted(threads, key=lambda k: _ts(threads[k]), reverse=True)[: MAX_THREADS * 5]
        cursor = {
            "channels": {c: p for c, p in positions.items() if c in set(watched)},
            "threads": {k: threads[k] for k in kept},
        }
        return FetchResult(events, cursor, errors)

    def _token(self) -> str:
        return str(self.credentials.get("access_token", ""))

    def _history(
        self, channel: str, position: Mapping[str, str] | None
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Messages after the position. Slack pages from the newest back to `oldest`; a read
        cut short keeps its page cursor so the next fetch goes on where this one stopped."""
        if not position:
            page = self._call("conversations.history", {"channel": channel, "limit": FIRST_READ})
            messages = list(page.get("messages") or [])
            newest = max((str(m.get("ts", "0")) for m in messages), key=_ts, default="0")
            return messages, {"oldest": newest}
        oldest = position.get("oldest", "0")
        newest = position.get("newest", oldest)
        next_page = position.get("next", "")
        found: list[dict[str, Any]] = []
        for _page in range(MAX_PAGES):
            params = {"channel": channel, "oldest": oldest, "limit": PAGE}
            if next_page:
                params["cursor"] = next_page
            page = self._call("conversations.history", params)
            batch = list(page.get("messages") or [])
            found.extend(batch)
            newest = max([newest, *(str(m.get("ts", "0")) for m in batch)], key=_ts)
            next_page = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not (page.get("has_more") and next_page):
                return found, {"oldest": newest}
        return found, {"oldest": oldest, "newest": newest, "next": next_page}

    def _replies(self, channel: str, root: str, seen: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        next_page = ""
        for _page in range(MAX_PAGES):
            params = {"channel": channel, "ts": root, "oldest": seen, "limit": PAGE}
            if next_page:
                params["cursor"] = next_page
            page = self._call("conversations.replies", params)
            found.extend(page.get("messages") or [])
            next_page = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not (page.get("has_more") and next_page):
                break
        return found

    def _collect(
        self, channel: str, message: Mapping[str, Any], events: list[Event], errors: list[Problem]
    ) -> None:
        try:
            event = message_event(
                channel,
                message,
                bot_user_id=self.settings.bot_user_id,
                bot_id=self.settings.bot_id,
                team_url=self.settings.team_url,
            )
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(
                Problem(
                    _("message %(message)s: %(problem)s"),
                    message=message.get("ts", "?") if isinstance(message, Mapping) else "?",
                    problem=str(exc),
                )
            )
            return
        if event is not None:
            if event.author is not None:
                event.author = self._person(event.author)
            events.append(event)

    def _person(self, author: Author) -> Author:
        """Names from users.info, once per person and fetch; the id alone when it fails."""
        if author.remote_id not in self._people:
            try:
                user = self._call("users.info", {"user": author.remote_id}).get("user") or {}
            except ConnectorError as exc:
                if exc.kind is ErrorKind.AUTH_EXPIRED:
                    raise
                user = {}
            profile = user.get("profile") or {}
            self._people[author.remote_id] = Author(
                remote_id=author.remote_id,
                handle=str(user.get("name") or author.handle),
                name=str(profile.get("display_name") or user.get("real_name") or author.name),
                url=author.url,
                avatar_url=str(profile.get("image_72") or ""),
            )
        return self._people[author.remote_id]

    # --- writing ---------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        channel, thread = self.settings.publish_channel, ""
        if draft.reply_to:
            channel, thread = split_id(draft.reply_to)
        channel = str(draft.extras.get("channel") or channel)
        text = draft.text
        if draft.link and draft.link not in text:
            text = f"{text}\n\n{draft.link}".strip()
        if not channel:
            raise ConnectorError(_("Invite the Slack bot to a channel Liant can publish to."))
        if not text.strip():
            raise ConnectorError(_("Slack cannot send an empty message."))
        if count_chars(text) > MAX_TEXT:
            raise ConnectorError(
                _("Slack messages hold at most %(count)s characters."), count=MAX_TEXT
            )
        if draft.media:
            raise ConnectorError(_("Liant does not send images to Slack."))
        body: dict[str, Any] = {"channel": channel, "text": escape(text)}
        if thread:
            body["thread_ts"] = thread
        sent = self._call("chat.postMessage", body, post=True)
        channel, ts = str(sent["channel"]), str(sent["ts"])
        return RemotePost(
            remote_id=remote_id_of(channel, ts),
            url=permalink(self.settings.team_url, channel, ts, thread),
            published_at=when(ts),
            raw=sent,
        )

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        """In the thread of the parent (a reply to a reply goes to the same thread)."""
        root = parent.thread_remote_id or parent.remote_id
        return self.publish(
            Draft(
                text=draft.text,
                link=draft.link,
                reply_to=root,
                idempotency_key=draft.idempotency_key,
            )
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """What reactions.get gives back about a message: its reactions and thread replies."""
        found = []
        for remote_id in remote_ids:
            channel, ts = split_id(remote_id)
            try:
                answer = self._call(
                    "reactions.get", {"channel": channel, "timestamp": ts, "full": "true"}
                )
            except ConnectorError as exc:
                if exc.kind is ErrorKind.PERMANENT and "message_not_found" in exc.message:
                    continue  # deleted
                raise
            message = answer.get("message") or {}
            values = {
                "reactions": sum(int(r.get("count") or 0) for r in message.get("reactions") or [])
            }
            if "reply_count" in message:
                values["replies"] = int(message.get("reply_count") or 0)
            found.append(Metrics(remote_id=remote_id, values=values))
        return found

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        if action is not ModerationAction.DELETE:
            raise ConnectorError(
                _("Slack lets an app only delete messages (%(action)s is not possible)."),
                action=str(action),
            )
        channel, ts = split_id(remote_id)
        try:
            self._call("chat.delete", {"channel": channel, "ts": ts}, post=True)
        except ConnectorError as exc:
            if "message_not_found" in exc.message:
                return  # already gone
            if "cant_delete_message" in exc.message:
                raise ConnectorError(
                    _(
                        "Slack refused: cant_delete_message. A bot deletes only its own "
                        "messages; a workspace admin deletes the others in Slack."
                    )
                ) from exc
            raise

    # --- pushed events ---------------------------------------------------------------------

    @classmethod
    def receive_webhook(cls, request: WebhookRequest, app: Mapping[str, str]) -> WebhookResult:
        verify(request, app.get("signing_secret", ""))
        try:
            payload = json.loads(request.body)
        except ValueError as exc:
            raise ConnectorError(_("This Slack delivery is not JSON.")) from exc
        if not isinstance(payload, dict):
            raise ConnectorError(_("This Slack delivery is not JSON."))
        if payload.get("type") == "url_verification":
            challenge = str(payload.get("challenge", ""))
            return WebhookResult(WebhookReply(body=challenge.encode()))
        if payload.get("type") != "event_callback":
            return WebhookResult()
        event = payload.get("event") or {}
        team = str(payload.get("team_id") or "")
        bot_user = next(
            (
                str(a.get("user_id", ""))
                for a in payload.get("authorizations") or []
                if a.get("is_bot")
            ),
            "",
        )
        if event.get("type") not in ("message", "app_mention") or not team:
            return WebhookResult()
        try:
            found = message_event(str(event.get("channel", "")), event, bot_user_id=bot_user)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConnectorError(
                _("This Slack event cannot be read (%(problem)s)."), problem=str(exc)
            ) from exc
        if found is not None and event.get("type") == "app_mention":
            found.kind = EventKind.MENTION
        return WebhookResult(batches=[WebhookBatch(team, [found] if found else [])])


def verify(request: WebhookRequest, secret: str, now: float | None = None) -> None:
    """Slack's signature: v0=HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>"), and a
    timestamp within five minutes, so a captured delivery cannot be played again later."""
    if not secret:
        raise ConnectorError(_("LIANT_APP_SLACK_SIGNING_SECRET is not set."))
    stamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    if not stamp.isdigit() or not signature:
        raise ConnectorError(_("This Slack delivery is not signed."))
    if abs((time.time() if now is None else now) - int(stamp)) > SIGNATURE_MAX_AGE:
        raise ConnectorError(_("This Slack delivery is more than five minutes old."))
    base = b"v0:" + stamp.encode() + b":" + request.body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise ConnectorError(_("The Slack delivery's signature is wrong."))


# --- messages -------------------------------------------------------------------------------


def permalink(team_url: str, channel: str, ts: str, thread: str = "") -> str:
    """The link Slack's "Copy link" gives: <workspace>/archives/<channel>/p<ts without dot>."""
    if not team_url:
        return ""
    url = f"{team_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread and thread != ts:
        url += f"?thread_ts={thread}&cid={channel}"
    return url


def message_event(
    channel: str,
    message: Mapping[str, Any],
    *,
    bot_user_id: str = "",
    bot_id: str = "",
    team_url: str = "",
) -> Event | None:
    """One message as an Event, or None for what is not someone speaking (edits, deletions,
    joins, bots — Liant's own bot included)."""
    if message.get("subtype") not in SPOKEN_SUBTYPES or message.get("hidden"):
        return None
    user = str(message.get("user") or "")
    if not user or user == bot_user_id or (bot_id and message.get("bot_id") == bot_id):
        return None
    if message.get("bot_id") and not message.get("client_msg_id"):
        return None  # an app posting, not a person
    ts = str(message["ts"])
    when(ts)  # a broken ts fails here, and the message is skipped
    thread = str(message.get("thread_ts") or "")
    parent = remote_id_of(channel, thread) if thread and thread != ts else ""
    raw_text = str(message.get("text") or "")
    text = readable(raw_text)
    if bot_user_id and f"<@{bot_user_id}>" in raw_text:
        kind = EventKind.MENTION
    elif parent:
        kind = EventKind.COMMENT
    else:
        kind = EventKind.POST
    profile = message.get("user_profile") or {}
    return Event(
        kind=kind,
        remote_id=remote_id_of(channel, ts),
        author=Author(
            remote_id=user,
            handle=str(profile.get("name") or ""),
            name=str(profile.get("display_name") or profile.get("real_name") or ""),
            url=f"{team_url.rstrip('/')}/team/{user}" if team_url else "",
        ),
        occurred_at=when(ts),
        text=text,
        url=permalink(team_url, channel, ts, thread),
        parent_remote_id=parent,
        thread_remote_id=parent,
        raw=dict(message) | {"channel": channel},
    )


def member_channels(http: HttpClient, token: str) -> list[dict[str, Any]]:
    """The public and private channels the bot is a member of (conversations.list)."""
    found: list[dict[str, Any]] = []
    next_page = ""
    for _page in range(20):
        params = {
            "types": "public_channel,private_channel",
            "exclude_archived": "true",
            "limit": 200,
        }
        if next_page:
            params["cursor"] = next_page
        page = call(http, token, "conversations.list", params)
        found.extend(c for c in page.get("channels") or [] if c.get("is_member"))
        next_page = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not next_page:
            break
    return sorted(found, key=lambda c: str(c.get("name", "")))
