"""Discord: the REST API v10 (https://discord.com/developers/docs), with a bot token, no SDK.

A Liant channel is one bot in one server (guild), watching the text channels chosen when it
was connected and their active threads. Messages are read by polling each channel with
`after=<the last message id seen>` (no Gateway connection: a self-hosted Liant runs jobs,
not a long-lived socket).

Remote ids are "<channel id>:<message id>", followed by ":<user id>" when a member wrote the
message, so a timeout, kick or ban still knows who to act on once the message is deleted.
In a thread the channel id is the thread's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors.base import (
    Audience,
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
    audience_count,
    count_chars,
    optional_count,
)
from liant.connectors.http import HttpClient

API = "https://discord.com/api/v10"
MAX_CONTENT = 2000  # Create Message: "up to 2000 characters" (code points, as Python counts)
MAX_FILES = 10
PAGE = 100  # Get Channel Messages: limit 1-100
MAX_PAGES = 5  # per channel and fetch; the cursor takes the rest next time
FIRST_READ = 50  # a channel read for the first time: its latest messages only
TIMEOUT_MAX = timedelta(days=28)  # communication_disabled_until: "up to 28 days"
HANDLED = (400, 401, 403, 404, 429)
# Message types that are people talking: DEFAULT and REPLY (the others are system notices).
SPOKEN = {0, 19}
TEXT, ANNOUNCEMENT = 0, 5
THREADS = {10, 11, 12}
AUDIT_REASON = "Liant: community moderation"

# What the bot needs, as the install link asks for it (developers/topics/permissions).
PERMISSIONS = {
    "KICK_MEMBERS": 1 << 1,
    "BAN_MEMBERS": 1 << 2,
    "VIEW_CHANNEL": 1 << 10,
    "SEND_MESSAGES": 1 << 11,
    "MANAGE_MESSAGES": 1 << 13,  # delete others' messages, crosspost
    "EMBED_LINKS": 1 << 14,
    "ATTACH_FILES": 1 << 15,
    "READ_MESSAGE_HISTORY": 1 << 16,
    "SEND_MESSAGES_IN_THREADS": 1 << 38,
    "MODERATE_MEMBERS": 1 << 40,  # timeouts
}
PERMISSIONS_INTEGER = sum(PERMISSIONS.values())


def install_url(application_id: str, guild_id: str = "") -> str:
    """The OAuth2 bot authorization link (developers/topics/oauth2#bot-authorization-flow)."""
    query = {"client_id": application_id, "scope": "bot", "permissions": PERMISSIONS_INTEGER}
    if guild_id:
        query |= {"guild_id": guild_id, "disable_guild_select": "true"}
    return "https://discord.com/oauth2/authorize?" + urlencode(query)


def nonce_for(key: str) -> str:
    """Discord takes a nonce of at most 25 characters: a digest of the draft's key."""
    return hashlib.sha256(key.encode()).hexdigest()[:25] if key else uuid.uuid4().hex[:25]


class DiscordSettings(ConnectorSettings):
    guild_id: str
    guild_name: str = ""
    channels: list[str] = []  # the text and announcement channels watched
    announcement_channels: list[str] = []  # among them, those whose posts are crossposted
    publish_channel: str = ""
    bot_id: str = ""
    application_id: str = ""
    timeout_hours: int = 24  # how long a mute (timeout) lasts on Discord


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    idempotent: bool | None = None,
    missing_ok: bool = False,
    reason: str = "",
) -> Any:
    """One REST call; returns the decoded JSON (None for 204, or for 404 when missing_ok)."""
    headers = {"Authorization": f"Bot {token}"}
    if reason:
        headers["X-Audit-Log-Reason"] = quote(reason)
    kwargs: dict[str, Any] = {"params": params, "headers": headers}
    if files:
        kwargs |= {"data": {"payload_json": json.dumps(body)}, "files": dict(files)}
    elif body is not None:
        kwargs["json"] = body
    response = http.request(
        method, API + path, idempotent=idempotent, ok_statuses=HANDLED, **kwargs
    )
    _honour_bucket(http, response)
    if response.status_code == 404 and missing_ok:
        return None
    if response.status_code >= 400:
        raise _error(http, response)
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("Discord answered something that is not JSON (%(code)s)."),
            code=response.status_code,
        ) from exc


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _honour_bucket(http: HttpClient, response: httpx.Response) -> None:
    """An exhausted bucket (X-RateLimit-Remaining: 0) waits X-RateLimit-Reset-After seconds,
    which needs no clock agreement with Discord (unlike the epoch of X-RateLimit-Reset)."""
    if response.headers.get("x-ratelimit-remaining") != "0":
        return
    wait = _float(response.headers.get("x-ratelimit-reset-after"))
    if wait is not None:
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))


def _error(http: HttpClient, response: httpx.Response) -> ConnectorError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    detail = str(body.get("message") or "")[:300]
    code = body.get("code")
    words = f"{detail} ({code})" if code else detail
    if status == 429:
        wait = _float(body.get("retry_after"))
        if wait is None:
            wait = _float(response.headers.get("x-ratelimit-reset-after"))
        if wait is None:
            wait = _float(response.headers.get("retry-after")) or 60.0
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))
        return ConnectorError(
            _("Discord's rate limit: retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait) + 1,
            detail=detail,
        )
    if status == 401:
        return ConnectorError(
            _("Discord refused the bot token (%(detail)s): reset it in the Developer Portal."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=words or "401",
        )
    return ConnectorError(
        _("Discord refused the request (%(code)s): %(detail)s"),
        status=status,
        code=status,
        detail=words,
    )


# --- ids, authors, events -------------------------------------------------------------------


def remote_id_of(message: Mapping[str, Any], bot_id: str = "") -> str:
    base = f"{message['channel_id']}:{message['id']}"
    author = message.get("author") or {}
    if author.get("id") and str(author["id"]) != bot_id and not message.get("webhook_id"):
        return f"{base}:{author['id']}"
    return base


def split_id(remote_id: str) -> tuple[str, str, str]:
    parts = remote_id.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ConnectorError(
            _("%(id)r is not a Discord message id (channel:message[:member])."), id=remote_id
        )
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def author_of(user: Mapping[str, Any]) -> Author:
    user_id = str(user["id"])
    avatar = user.get("avatar")
    return Author(
        remote_id=user_id,
        handle=str(user.get("username", "")),
        name=str(user.get("global_name") or user.get("username") or ""),
        url=f"https://discord.com/users/{user_id}",
        avatar_url=f"https://cdn.discordapp.com/avatars/{user_id}/{avatar}.png" if avatar else "",
    )


class DiscordConnector(Connector):
    kind = "discord"
    label = "Discord"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.SEND_DIRECT,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=MAX_CONTENT,
        count=count_chars,
        max_media=MAX_FILES,
        media_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
        max_image_bytes=10 * 1024 * 1024,  # "The default limit is 10 MiB" per file
        links="card",
        threads=True,
    )
    settings_model = DiscordSettings
    fetch_interval = 120
    limitations = _(
        "Liant reads the chosen channels every few minutes (no live connection); message "
        "text needs the bot's Message Content intent. Discord gives no view counts: metrics "
        "are reactions and thread replies, the rest comes from what Liant stored."
    )
    # `nonce` + `enforce_nonce`: "checked for uniqueness in the past few minutes"; Discord
    # names no figure, so Liant counts on two minutes and asks a person beyond.
    publish_idempotency_window = 120.0
    moderation_actions: ClassVar[frozenset[ModerationAction]] = frozenset(
        {
            ModerationAction.DELETE,
            ModerationAction.MUTE,
            ModerationAction.UNMUTE,
            ModerationAction.KICK,
            ModerationAction.BAN,
            ModerationAction.UNBAN,
        }
    )
    connection: ClassVar[str] = _("Bot token")

    settings: DiscordSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return call(self.http, str(self.credentials.get("bot_token", "")), method, path, **kwargs)

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        return str(self._call("GET", "/users/@me")["username"])

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Each watched channel and each active thread under them, from its own cursor."""
        positions: dict[str, str] = dict(since.get("channels") or {})
        roots: dict[str, str] = dict(since.get("roots") or {})  # thread → its first message
        watched = list(self.settings.channels)
        events: list[Event] = []
        errors: list[Problem] = []
        try:
            threads = self._call("GET", f"/guilds/{self.settings.guild_id}/threads/active")
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.PERMANENT:
                raise
            threads = None  # the channels are still read; their threads wait
            errors.append(Problem(_("active threads: %(problem)s"), problem=exc))
        active = [
            t
            for t in (threads or {}).get("threads", [])
            if str(t.get("parent_id")) in set(watched) and t.get("type") in THREADS
        ]
        silent = 0
        read = 0
        for channel_id, thread in [(c, None) for c in watched] + [
            (str(t["id"]), t) for t in active
        ]:
            try:
                messages = self._read(channel_id, positions.get(channel_id), thread is not None)
            except ConnectorError as exc:
                if exc.kind is ErrorKind.RATE_LIMITED and read:
                    break  # keep what was read; the other channels come next time
                if exc.kind is not ErrorKind.PERMANENT:
                    raise
                errors.append(
                    Problem(_("channel %(channel)s: %(problem)s"), channel=channel_id, problem=exc)
                )
                continue
            read += 1
            for message in messages:
                try:
                    positions[channel_id] = max(
                        positions.get(channel_id, "0"), str(message["id"]), key=int
                    )
                    if thread is not None and message.get("type") == 21:
                        starter = message.get("referenced_message")
                        if isinstance(starter, dict):
                            roots[channel_id] = remote_id_of(starter, self.settings.bot_id)
                        continue
                    event = self.message_event(message, roots.get(channel_id, ""))
                except (KeyError, TypeError, ValueError) as exc:
                    errors.append(
                        Problem(
                            _("message %(message)s: %(problem)s"),
                            message=message.get("id", "?") if isinstance(message, dict) else "?",
                            problem=str(exc),
                        )
                    )
                    continue
                if event is None:
                    continue
                if not event.text and not message.get("attachments"):
                    silent += 1  # without the Message Content intent, text comes empty
                events.append(event)
        if silent:
            errors.append(
                Problem(
                    _(
                        "Messages came without their text (%(count)s): turn on the Message "
                        "Content intent of the bot in the Developer Portal."
                    ),
                    count=silent,
                )
            )
        # Threads no longer active are forgotten; a thread that comes back is read again
        # from its start, and the channels app drops what it already has.
        keep = set(watched) | {str(t["id"]) for t in active}
        cursor = {
            "channels": {c: p for c, p in positions.items() if c in keep},
            "roots": {c: r for c, r in roots.items() if c in keep},
        }
        return FetchResult(events, cursor, errors)

    def _read(self, channel_id: str, after: str | None, is_thread: bool) -> list[dict[str, Any]]:
        if after is None and not is_thread:
            page = self._call(
                "GET", f"/channels/{channel_id}/messages", params={"limit": FIRST_READ}
            )
            return sorted(page or [], key=lambda m: int(m["id"]))
        found: list[dict[str, Any]] = []
        after = after or "0"  # a thread seen for the first time is read from its start
        for _page in range(MAX_PAGES):
            page = self._call(
                "GET", f"/channels/{channel_id}/messages", params={"after": after, "limit": PAGE}
            )
            page = sorted(page or [], key=lambda m: int(m["id"]))  # Discord: newest first
            found.extend(page)
            if len(page) < PAGE:
                break
            after = str(page[-1]["id"])
        return found

    def message_event(self, message: Mapping[str, Any], thread_root: str = "") -> Event | None:
        bot_id = self.settings.bot_id
        author = message.get("author") or {}
        if message.get("type") not in SPOKEN or str(author.get("id")) == bot_id:
            return None  # system notices, and our own messages
        parent = ""
        reference = message.get("message_reference") or {}
        if message.get("type") == 19 and reference.get("message_id"):
            replied = message.get("referenced_message")
            parent = (
                remote_id_of(replied, bot_id)
                if isinstance(replied, dict)
                else f"{reference.get('channel_id', message['channel_id'])}:"
                f"{reference['message_id']}"
            )
        parent = parent or thread_root
        mentioned = any(str(m.get("id")) == bot_id for m in message.get("mentions") or [])
        if mentioned:
            kind = EventKind.MENTION
        elif parent:
            kind = EventKind.COMMENT
        else:
            kind = EventKind.POST
        guild = self.settings.guild_id
        return Event(
            kind=kind,
            remote_id=remote_id_of(message, bot_id),
            author=author_of(author) if author.get("id") else None,
            occurred_at=datetime.fromisoformat(str(message["timestamp"])),
            text=str(message.get("content") or ""),
            url=f"https://discord.com/channels/{guild}/{message['channel_id']}/{message['id']}",
            parent_remote_id=parent,
            thread_remote_id=thread_root,
            raw=message,
        )

    # --- writing ---------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        channel = self.settings.publish_channel or (
            self.settings.channels[0] if self.settings.channels else ""
        )
        body: dict[str, Any] = {
            "content": draft.text,
            # Discord returns the first message instead of a second one for the same nonce.
            "nonce": nonce_for(draft.idempotency_key),
            "enforce_nonce": True,
            # Nobody is pinged by what Liant sends, except the person answered.
            "allowed_mentions": {"parse": [], "replied_user": True},
        }
        if draft.reply_to:
            channel, message_id, _user = split_id(draft.reply_to)
            body["message_reference"] = {"message_id": message_id, "fail_if_not_exists": False}
        if not channel:
            raise ConnectorError(_("Choose the Discord channel Liant publishes to."))
        if count_chars(draft.text) > MAX_CONTENT:
            raise ConnectorError(
                _("Discord messages hold at most %(count)s characters."), count=MAX_CONTENT
            )
        if not draft.text.strip() and not draft.media:
            raise ConnectorError(_("Discord cannot send an empty message."))
        if len(draft.media) > MAX_FILES:
            raise ConnectorError(_("Discord takes at most %(count)s files."), count=MAX_FILES)
        files = {}
        if draft.media:
            body["attachments"] = []
            for index, media in enumerate(draft.media):
                filename = media.filename or f"image{index}.{media.content_type.split('/')[-1]}"
                body["attachments"].append(
                    {"id": index, "filename": filename, "description": media.alt_text[:1024]}
                )
                files[f"files[{index}]"] = (filename, media.data, media.content_type)
        sent = self._call(
            "POST",
            f"/channels/{channel}/messages",
            body=body,
            files=files or None,
            # Safe to send again: the nonce makes Discord answer with the first message.
            idempotent=bool(draft.idempotency_key),
        )
        raw = dict(sent)
        if channel in self.settings.announcement_channels and not draft.reply_to:
            try:
                self._call("POST", f"/channels/{channel}/messages/{sent['id']}/crosspost")
            except ConnectorError as exc:
                # The message is out: a failed crosspost must not make it be sent again.
                raw["liant_crosspost_error"] = exc.message
        return RemotePost(
            remote_id=remote_id_of(sent, self.settings.bot_id),
            url=f"https://discord.com/channels/{self.settings.guild_id}/{channel}/{sent['id']}",
            published_at=datetime.fromisoformat(str(sent["timestamp"])),
            raw=raw,
        )

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        return self.publish(
            Draft(
                text=draft.text,
                media=draft.media,
                reply_to=parent.remote_id,
                idempotency_key=draft.idempotency_key,
            )
        )

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        dm = self._call("POST", "/users/@me/channels", body={"recipient_id": recipient.remote_id})
        sent = self._call(
            "POST",
            f"/channels/{dm['id']}/messages",
            body={
                "content": draft.text,
                "nonce": nonce_for(draft.idempotency_key),
                "enforce_nonce": True,
            },
            idempotent=bool(draft.idempotency_key),
        )
        return RemotePost(
            remote_id=remote_id_of(sent, self.settings.bot_id),
            published_at=datetime.fromisoformat(str(sent["timestamp"])),
            raw=sent,
        )

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """What the message object carries: its reactions and the replies in its thread."""
        found = []
        for remote_id in remote_ids:
            channel, message_id, _user = split_id(remote_id)
            message = self._call(
                "GET", f"/channels/{channel}/messages/{message_id}", missing_ok=True
            )
            if message is None:
                continue  # deleted
            values = {
                "reactions": sum(int(r.get("count") or 0) for r in message.get("reactions") or [])
            }
            if isinstance(message.get("thread"), dict):
                values["replies"] = int(message["thread"].get("message_count") or 0)
            found.append(Metrics(remote_id=remote_id, values=values))
        return found

    def audience(self) -> Audience:
        """GET /guilds/{id}?with_counts=true: approximate_member_count (the server's members,
        bots included) and approximate_presence_count (those online now)."""
        guild = self._call(
            "GET", f"/guilds/{self.settings.guild_id}", params={"with_counts": "true"}
        )
        guild = guild if isinstance(guild, dict) else {}
        extra = {}
        if (online := optional_count(guild.get("approximate_presence_count"))) is not None:
            extra["online"] = online
        return Audience(
            followers=audience_count(
                self.label, guild.get("approximate_member_count"), "approximate_member_count"
            ),
            extra=extra,
        )

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        channel, message_id, user = split_id(remote_id)
        guild = self.settings.guild_id
        if action is ModerationAction.DELETE:
            self._call(
                "DELETE",
                f"/channels/{channel}/messages/{message_id}",
                missing_ok=True,  # already gone
                reason=AUDIT_REASON,
            )
            return
        if action not in self.moderation_actions:
            raise ConnectorError(
                _("Discord has no '%(action)s' here; use delete, mute, kick, ban or unban."),
                action=str(action),
            )
        if not user:
            raise ConnectorError(
                _("This message was sent by the bot or a webhook: no member to act on.")
            )
        member = f"/guilds/{guild}/members/{user}"
        if action in (ModerationAction.MUTE, ModerationAction.UNMUTE):
            until = None
            if action is ModerationAction.MUTE:
                length = min(timedelta(hours=self.settings.timeout_hours), TIMEOUT_MAX)
                until = (datetime.now(UTC) + length).isoformat()
            self._call(
                "PATCH",
                member,
                body={"communication_disabled_until": until},
                idempotent=True,
                reason=AUDIT_REASON,
            )
        elif action is ModerationAction.KICK:
            self._call("DELETE", member, missing_ok=True, reason=AUDIT_REASON)
        elif action is ModerationAction.BAN:
            self._call(
                "PUT",
                f"/guilds/{guild}/bans/{user}",
                body={"delete_message_seconds": 0},
                reason=AUDIT_REASON,
            )
        else:  # UNBAN; a ban that is not there (404 Unknown Ban) is already lifted
            self._call(
                "DELETE", f"/guilds/{guild}/bans/{user}", missing_ok=True, reason=AUDIT_REASON
            )


# --- connecting -----------------------------------------------------------------------------


def identify(http: HttpClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bot's application (its id makes the install link) and its user."""
    return call(http, token, "GET", "/applications/@me"), call(http, token, "GET", "/users/@me")


def guild_of(http: HttpClient, token: str, guild_id: str) -> dict[str, Any] | None:
    """The guild, or None when the bot is not in it (Discord answers 403 Missing Access or
    404 Unknown Guild)."""
    try:
        return call(http, token, "GET", f"/guilds/{guild_id}", missing_ok=True)
    except ConnectorError as exc:
        if exc.status == 403:
            return None
        raise


def text_channels(http: HttpClient, token: str, guild_id: str) -> list[dict[str, Any]]:
    """The guild's text and announcement channels, in the order Discord shows them."""
    channels = call(http, token, "GET", f"/guilds/{guild_id}/channels") or []
    return sorted(
        (c for c in channels if c.get("type") in (TEXT, ANNOUNCEMENT)),
        key=lambda c: (int(c.get("position") or 0), int(c["id"])),
    )
