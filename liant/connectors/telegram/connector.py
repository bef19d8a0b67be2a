"""Telegram: the Bot API over HTTP (https://core.telegram.org/bots/api), no SDK.

A Liant channel is one bot managing one chat: a channel (and its linked discussion group,
where the comments on its posts are written) or a group. Messages arrive by polling
getUpdates with an offset; a webhook is not used (Telegram refuses getUpdates while one is
set, and a self-hosted Liant may not be reachable from the Internet).

Remote ids are "<chat id>:<message id>", followed by ":<user id>" when a member wrote the
message: the Bot API cannot read a message back, so the member a mute or a ban acts on has to
travel with the message id (moderation hands the connector the message's id only).

The bot token is part of every URL (https://api.telegram.org/bot<token>/method): the exchange
log gets it replaced by "***" before anything is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

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
)
from liant.connectors.http import Exchange, HttpClient, Recorder

API = "https://api.telegram.org"
MAX_TEXT = 4096  # sendMessage: "1-4096 characters after entities parsing"
MAX_CAPTION = 1024  # sendPhoto / InputMediaPhoto caption
MAX_ALBUM = 10  # sendMediaGroup: "must include 2-10 items"
# Message updates only: the bot needs nothing else, and fewer updates means fewer pages.
ALLOWED_UPDATES = ["message", "channel_post"]
PAGE = 100  # getUpdates' own maximum
# Telegram answers errors with these statuses and a JSON body we read ourselves (its words
# are in "description", its wait in "parameters.retry_after", not in a header).
HANDLED = (400, 401, 403, 404, 409, 429)
# Every ChatPermissions field: False mutes, True lifts ("Pass True for all permissions to
# lift restrictions from a user").
PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def count_utf16(text: str) -> int:
    """Telegram measures text in UTF-16 code units (as its entity offsets): an emoji outside
    the Basic Multilingual Plane counts 2."""
    return len(text.encode("utf-16-le")) // 2


class TelegramSettings(ConnectorSettings):
    chat: str  # what the person typed: @username or a numeric id
    chat_id: int = 0  # as getChat resolved it
    chat_type: str = ""  # channel | supergroup | group
    chat_title: str = ""
    chat_username: str = ""
    discussion_chat_id: int = 0  # a channel's linked group, where comments are written
    bot_id: int = 0
    bot_username: str = ""
    mute_hours: int = 24  # how long a mute lasts on Telegram (Liant may lift it earlier)


class _Redacting:
    """Passes exchanges on with the bot token taken out of the URL (and any error text)."""

    def __init__(self, inner: Recorder, token: str):
        self.inner = inner
        self.token = token

    def record(self, exchange: Exchange) -> None:
        if self.token:
            exchange.url = exchange.url.replace(self.token, "***")
            exchange.error = exchange.error.replace(self.token, "***")
            exchange.excerpt = exchange.excerpt.replace(self.token, "***")
        self.inner.record(exchange)

    def blocked_until(self) -> datetime | None:
        return self.inner.blocked_until()

    def block_until(self, until: datetime) -> None:
        self.inner.block_until(until)


def _redact(http: HttpClient, token: str) -> None:
    if not isinstance(http.recorder, _Redacting):
        http.recorder = _Redacting(http.recorder, token)


def call(
    http: HttpClient,
    token: str,
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    idempotent: bool = False,
) -> Any:
    """One Bot API method; returns its "result" or raises a ConnectorError in its words."""
    _redact(http, token)
    url = f"{API}/bot{token}/{method}"
    if files:
        # multipart/form-data: the JSON-typed fields (reply_parameters, media) as JSON text.
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}
        response = http.post(
            url, data=data, files=dict(files), idempotent=idempotent, ok_statuses=HANDLED
        )
    else:
        response = http.post(
            url, json=dict(params or {}), idempotent=idempotent, ok_statuses=HANDLED
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("Telegram answered something that is not JSON (%(code)s)."),
            ErrorKind.TRANSIENT if response.status_code >= 500 else ErrorKind.PERMANENT,
            code=response.status_code,
        ) from exc
    if isinstance(body, dict) and body.get("ok") is True:
        return body.get("result")
    raise _error(http, response, body if isinstance(body, dict) else {})


def _error(http: HttpClient, response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    code = int(body.get("error_code") or response.status_code)
    detail = str(body.get("description") or "")[:300]
    parameters = body.get("parameters") or {}
    if code == 429:
        try:
            wait = float(parameters.get("retry_after") or 60)
        except (TypeError, ValueError):
            wait = 60.0
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))
        return ConnectorError(
            _("Telegram's flood control: retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=code,
            seconds=int(wait),
            detail=detail,
        )
    if code in (401, 404) and response.status_code in (401, 404):
        # A revoked token answers 401 Unauthorized; a malformed one 404 Not Found.
        return ConnectorError(
            _("Telegram refused the bot token (%(detail)s): paste the token @BotFather gives."),
            ErrorKind.AUTH_EXPIRED,
            status=code,
            detail=detail or str(code),
        )
    if parameters.get("migrate_to_chat_id"):
        return ConnectorError(
            _("This group became a supergroup (%(chat)s): connect the channel again."),
            status=code,
            chat=parameters["migrate_to_chat_id"],
        )
    return ConnectorError(
        _("Telegram refused the request (%(code)s): %(detail)s"),
        status=code,
        code=code,
        detail=detail,
    )


# --- ids and urls ---------------------------------------------------------------------------


def remote_id_of(message: Mapping[str, Any], bot_id: int = 0) -> str:
    chat_id = message["chat"]["id"]
    base = f"{int(chat_id)}:{int(message['message_id'])}"
    user = message.get("from") or {}
    if user and not message.get("sender_chat") and int(user["id"]) != bot_id:
        return f"{base}:{int(user['id'])}"
    return base


def split_id(remote_id: str) -> tuple[int, int, int | None]:
    parts = remote_id.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3):
        raise ConnectorError(
            _("%(id)r is not a Telegram message id (chat:message[:member])."), id=remote_id
        )
    return numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None


def message_url(chat: Mapping[str, Any], message_id: int) -> str:
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):  # a private supergroup or channel: members-only link
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return ""


def author_of(message: Mapping[str, Any]) -> Author | None:
    sender_chat = message.get("sender_chat")
    if sender_chat:  # a channel, or an anonymous group admin
        username = sender_chat.get("username", "")
        return Author(
            remote_id=str(sender_chat["id"]),
            handle=f"@{username}" if username else "",
            name=str(sender_chat.get("title", "")),
            url=f"https://t.me/{username}" if username else "",
        )
    user = message.get("from")
    if not user:
        return None
    username = user.get("username", "")
    name = " ".join(filter(None, [user.get("first_name", ""), user.get("last_name", "")]))
    return Author(
        remote_id=str(user["id"]),
        handle=f"@{username}" if username else "",
        name=name,
        url=f"https://t.me/{username}" if username else "",
    )


# --- the connector --------------------------------------------------------------------------


class TelegramConnector(Connector):
    kind = "telegram"
    label = "Telegram"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.METRICS,
            Capability.MODERATE,
            Capability.AUDIENCE,
        }
    )
    rules = Rules(
        max_length=MAX_TEXT,  # with images the text is a caption: 1024 (checked at publish)
        count=count_utf16,
        max_media=MAX_ALBUM,
        media_types=frozenset({"image/jpeg", "image/png", "image/webp"}),
        max_image_bytes=10_000_000,  # sendPhoto: "at most 10 MB"
        # "width and height must not exceed 10000 in total; ratio must be at most 20".
        image_max_side=5000,
        image_ratio=(1 / 20, 20.0),
        links="card",
        threads=True,
    )
    settings_model = TelegramSettings
    fetch_interval = 60
    limitations = _(
        "The Bot API returns no view counts for channel posts and cannot read a chat's "
        "history: Liant sees the messages sent after the bot joined, and Telegram keeps them "
        "for 24 hours until read. One bot per Liant channel."
    )
    # The Bot API has no idempotency key: a publish whose answer was lost is left to a person.
    publish_idempotency_window = 0.0
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

    settings: TelegramSettings

    def _call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        idempotent: bool = False,
    ) -> Any:
        token = str(self.credentials.get("bot_token", ""))
        return call(self.http, token, method, params, files=files, idempotent=idempotent)

    def _chat_ref(self) -> int | str:
        return self.settings.chat_id or self.settings.chat

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        me = self._call("getMe", idempotent=True)
        return f"@{me.get('username', '')}"

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """One page of updates per fetch: asking for the next page would confirm (and make
        Telegram forget) this one before Liant has stored it."""
        offset = int(since.get("offset") or 0)
        params: dict[str, Any] = {"limit": PAGE, "timeout": 0, "allowed_updates": ALLOWED_UPDATES}
        if offset:
            params["offset"] = offset
        updates = self._call("getUpdates", params, idempotent=True)
        if not isinstance(updates, list):
            raise ConnectorError(_("Telegram's getUpdates answer is not a list."))
        watched = {c for c in (self.settings.chat_id, self.settings.discussion_chat_id) if c}
        events: list[Event] = []
        errors: list[Problem] = []
        for update in updates:
            try:
                offset = max(offset, int(update["update_id"]) + 1)
                message = update.get("message") or update.get("channel_post")
                if not message or (watched and int(message["chat"]["id"]) not in watched):
                    continue
                events.extend(self.message_events(message))
            except (KeyError, TypeError, ValueError) as exc:
                update_id = update.get("update_id", "?") if isinstance(update, dict) else "?"
                errors.append(
                    Problem(_("update %(update)s: %(problem)s"), update=update_id, problem=str(exc))
                )
        return FetchResult(events, {"offset": offset} if offset else dict(since), errors)

    def message_events(self, message: Mapping[str, Any]) -> list[Event]:
        bot_id = self.settings.bot_id
        chat = message["chat"]
        user = message.get("from") or {}
        when = datetime.fromtimestamp(int(message["date"]), UTC)
        if (user and int(user["id"]) == bot_id and not message.get("sender_chat")) or message.get(
            "is_automatic_forward"
        ):
            return []  # our own messages, and the discussion group's copy of a channel post
        if message.get("new_chat_members"):
            return [
                Event(
                    kind=EventKind.MEMBERSHIP,
                    remote_id=f"{int(chat['id'])}:{int(message['message_id'])}:{int(m['id'])}",
                    author=author_of({"from": m}),
                    occurred_at=when,
                    raw=message,
                )
                for m in message["new_chat_members"]
                if int(m["id"]) != bot_id
            ]
        text = str(message.get("text") or message.get("caption") or "")
        if not text and not message.get("photo"):
            return []  # service messages, stickers, polls… carry nothing to answer
        parent = thread = ""
        replied = message.get("reply_to_message")
        if replied and not replied.get("forum_topic_created"):
            origin = replied.get("forward_origin") or {}
            if replied.get("is_automatic_forward") and origin.get("type") == "channel":
                # A comment under a channel post: its parent is the post in the channel.
                parent = thread = f"{int(origin['chat']['id'])}:{int(origin['message_id'])}"
            else:
                parent = remote_id_of(replied, bot_id)
        if message.get("is_topic_message") and message.get("message_thread_id"):
            thread = f"{int(chat['id'])}:{int(message['message_thread_id'])}"
        mentions_us = bool(self.settings.bot_username) and (
            f"@{self.settings.bot_username}".lower() in text.lower()
        )
        if mentions_us:
            kind = EventKind.MENTION
        elif parent:
            kind = EventKind.COMMENT
        else:
            kind = EventKind.POST
        return [
            Event(
                kind=kind,
                remote_id=remote_id_of(message, bot_id),
                author=author_of(message),
                occurred_at=when,
                text=text,
                url=message_url(chat, int(message["message_id"])),
                parent_remote_id=parent,
                thread_remote_id=thread,
                language=str(user.get("language_code", "") or ""),
                raw=message,
            )
        ]

    # --- writing ---------------------------------------------------------------------------

    def publish(self, draft: Draft) -> RemotePost:
        chat: int | str = self._chat_ref()
        params: dict[str, Any] = {}
        if draft.reply_to:
            parent_chat, parent_message, _user = split_id(draft.reply_to)
            chat = parent_chat
            params["reply_parameters"] = {"message_id": parent_message}
        params["chat_id"] = chat
        text = draft.text.strip()
        if len(draft.media) > MAX_ALBUM:
            raise ConnectorError(
                _("Telegram sends at most %(count)s images at once."), count=MAX_ALBUM
            )
        if draft.media and count_utf16(text) > MAX_CAPTION:
            raise ConnectorError(
                _(
                    "With images the text is a caption, at most %(count)s characters on "
                    "Telegram: shorten it or publish the images apart."
                ),
                count=MAX_CAPTION,
            )
        if not draft.media:
            if not text:
                raise ConnectorError(_("Telegram cannot send an empty message."))
            if count_utf16(text) > MAX_TEXT:
                raise ConnectorError(
                    _("Telegram messages hold at most %(count)s characters."), count=MAX_TEXT
                )
            sent = self._call("sendMessage", params | {"text": text})
        elif len(draft.media) == 1:
            media = draft.media[0]
            if text:
                params["caption"] = text
            sent = self._call(
                "sendPhoto",
                params,
                files={"photo": (media.filename or "photo", media.data, media.content_type)},
            )
        else:
            album = []
            files = {}
            for index, media in enumerate(draft.media):
                name = f"photo{index}"
                item: dict[str, Any] = {"type": "photo", "media": f"attach://{name}"}
                if index == 0 and text:
                    item["caption"] = text
                album.append(item)
                files[name] = (media.filename or name, media.data, media.content_type)
            messages = self._call("sendMediaGroup", params | {"media": album}, files=files)
            sent = messages[0] if isinstance(messages, list) and messages else messages
        return self._posted(sent)

    def _posted(self, message: Any) -> RemotePost:
        if not isinstance(message, dict) or "message_id" not in message:
            raise ConnectorError(_("Telegram's answer has no message id."))
        return RemotePost(
            remote_id=remote_id_of(message, self.settings.bot_id),
            url=message_url(message.get("chat") or {}, int(message["message_id"])),
            published_at=datetime.fromtimestamp(int(message.get("date", 0)), UTC)
            if message.get("date")
            else datetime.now(UTC),
            raw=message,
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

    # --- metrics and moderation ------------------------------------------------------------

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        """The Bot API has no per-post counts (no views, no reactions on demand): what it gives
        is the chat's member count, the most a post can reach, read once per chat."""
        counts: dict[int, int] = {}
        found = []
        for remote_id in remote_ids:
            chat, _message, _user = split_id(remote_id)
            if chat not in counts:
                counts[chat] = int(
                    self._call("getChatMemberCount", {"chat_id": chat}, idempotent=True)
                )
            found.append(Metrics(remote_id=remote_id, values={"reach": counts[chat]}))
        return found

    def audience(self) -> Audience:
        """getChatMemberCount: a channel's subscribers or a group's members (the bot and
        the administrators included, as Telegram counts them)."""
        count = self._call("getChatMemberCount", {"chat_id": self._chat_ref()}, idempotent=True)
        return Audience(followers=audience_count(self.label, count, "getChatMemberCount"))

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        action = ModerationAction(action)
        chat, message, user = split_id(remote_id)
        if action is ModerationAction.DELETE:
            self._call("deleteMessage", {"chat_id": chat, "message_id": message}, idempotent=True)
            return
        if action not in self.moderation_actions:
            raise ConnectorError(
                _("Telegram has no '%(action)s' here; use delete, mute, kick, ban or unban."),
                action=str(action),
            )
        if user is None:
            raise ConnectorError(
                _("This message was sent by a channel or an anonymous admin: no member to act on.")
            )
        member = {"chat_id": chat, "user_id": user}
        if action in (ModerationAction.MUTE, ModerationAction.UNMUTE):
            mute = action is ModerationAction.MUTE
            params: dict[str, Any] = member | {
                "permissions": dict.fromkeys(PERMISSIONS, not mute),
                "use_independent_chat_permissions": True,
            }
            if mute:
                until = datetime.now(UTC) + timedelta(hours=self.settings.mute_hours)
                params["until_date"] = int(until.timestamp())
            self._call("restrictChatMember", params, idempotent=True)
        elif action is ModerationAction.BAN:
            self._call("banChatMember", member, idempotent=True)
        elif action is ModerationAction.UNBAN:
            self._call("unbanChatMember", member | {"only_if_banned": True}, idempotent=True)
        else:  # KICK: Telegram removes a member by a ban lifted at once (they may come back)
            self._call("banChatMember", member, idempotent=True)
            self._call("unbanChatMember", member | {"only_if_banned": True}, idempotent=True)


# --- connecting -----------------------------------------------------------------------------

# The administrator rights Liant uses, and what each one is for (said in the connect form).
RIGHTS = {
    "can_post_messages": Problem(_("post in the channel")),
    "can_delete_messages": Problem(_("delete messages")),
    "can_restrict_members": Problem(_("mute and ban members")),
}


@dataclass
class Inspection:
    """What the connect page learnt about a token and a chat."""

    settings: dict[str, Any]
    bot: str
    blocking: list[Problem] = field(default_factory=list)  # the channel cannot work
    missing: list[Problem] = field(default_factory=list)  # some verbs will be refused


def inspect(http: HttpClient, token: str, chat: str) -> Inspection:
    """getMe, getChat, getChatMember (the bot's rights) and getWebhookInfo, read once."""
    me = call(http, token, "getMe", idempotent=True)
    chat_ref: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
    info = call(http, token, "getChat", {"chat_id": chat_ref}, idempotent=True)
    member = call(
        http, token, "getChatMember", {"chat_id": info["id"], "user_id": me["id"]}, idempotent=True
    )
    webhook = call(http, token, "getWebhookInfo", idempotent=True)
    settings = {
        "chat": chat,
        "chat_id": int(info["id"]),
        "chat_type": str(info.get("type", "")),
        "chat_title": str(info.get("title", "")),
        "chat_username": str(info.get("username", "")),
        "discussion_chat_id": int(info.get("linked_chat_id") or 0),
        "bot_id": int(me["id"]),
        "bot_username": str(me.get("username", "")),
    }
    found = Inspection(settings=settings, bot=f"@{me.get('username', '')}")
    status = member.get("status")
    is_admin = status in ("administrator", "creator")
    is_channel = settings["chat_type"] == "channel"
    if (webhook or {}).get("url"):
        found.blocking.append(
            Problem(
                _(
                    "The bot has a webhook (%(url)s): Telegram refuses polling while one is "
                    "set. Remove it (deleteWebhook) or use another bot."
                ),
                url=webhook["url"],
            )
        )
    if status in ("left", "kicked") or status is None:
        found.blocking.append(Problem(_("The bot is not a member of this chat: add it first.")))
    elif is_channel and not is_admin:
        found.blocking.append(Problem(_("The bot must be an administrator of the channel.")))
    elif not is_admin and not me.get("can_read_all_group_messages"):
        found.blocking.append(
            Problem(
                _(
                    "The bot only sees commands in this group: make it an administrator or "
                    "turn its privacy mode off in @BotFather."
                )
            )
        )
    if status == "creator":
        return found
    wanted = ["can_delete_messages"] + (
        ["can_post_messages"] if is_channel else ["can_restrict_members"]
    )
    for right in wanted:
        if not member.get(right):
            target = found.blocking if right == "can_post_messages" else found.missing
            target.append(
                Problem(_("the %(right)s right (to %(what)s)"), right=right, what=RIGHTS[right])
            )
    return found
