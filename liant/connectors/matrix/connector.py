"""Matrix: the client-server API over HTTP (no SDK needed, every call through http.py).

Remote ids are "<room id>|<event id>", because in Matrix an event only makes sense in its
room: replying, redacting, kicking or banning its author all need both.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.utils.translation import gettext_noop as _
from pydantic import field_validator

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
    ModerationAction,
    Problem,
    RemotePost,
    Rules,
)
from liant.connectors.http import HttpClient

API = "/_matrix/client/v3"
SYNC_FILTER = {
    "room": {
        "timeline": {"types": ["m.room.message", "m.room.member"], "limit": 100},
        "state": {"lazy_load_members": True, "types": ["m.room.name"]},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
}


class MatrixSettings(ConnectorSettings):
    homeserver: str
    user_id: str = ""
    rooms: list[str] = []  # empty: every joined room
    default_room: str = ""  # where `publish` posts

    @field_validator("homeserver")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.rstrip("/")


def split_id(remote_id: str) -> tuple[str, str]:
    room, sep, event = remote_id.partition("|")
    if not sep or not room.startswith("!") or not event.startswith("$"):
        raise ConnectorError(_("%(id)r is not a Matrix message id (room|event)."), id=remote_id)
    return room, event


class MatrixConnector(Connector):
    kind = "matrix"
    label = "Matrix"
    moderation_actions = frozenset(
        {
            ModerationAction.HIDE,
            ModerationAction.DELETE,
            ModerationAction.KICK,
            ModerationAction.BAN,
            ModerationAction.UNBAN,
        }
    )
    connection = _("Homeserver, user and password (an access token is kept)")
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.FETCH,
            Capability.MODERATE,
            Capability.SEND_DIRECT,
        }
    )
    rules = Rules(max_length=65_000, max_media=0, threads=True)
    settings_model = MatrixSettings
    fetch_interval = 60
    limitations = _("Encrypted rooms cannot be read or written; media are not sent yet.")
    # A transaction id is remembered per device; Synapse forgets it after 30 to 60 minutes.
    publish_idempotency_window = 30 * 60

    settings: MatrixSettings

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.credentials.get('access_token', '')}"}
        response = self.http.request(
            method,
            self.settings.homeserver + path,
            json=body,
            params=params,
            headers=headers,
            idempotent=idempotent,
        )
        return _json(response)

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        return str(self._call("GET", f"{API}/account/whoami")["user_id"])

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        params: dict[str, Any] = {
            "timeout": 0,
            "filter": json.dumps(SYNC_FILTER, separators=(",", ":")),
        }
        if since.get("next_batch"):
            params["since"] = since["next_batch"]
        data = self._call("GET", f"{API}/sync", params=params)
        if not isinstance(data, dict) or "next_batch" not in data:
            raise ConnectorError(
                _("The homeserver's sync answer has no next_batch; it cannot be read.")
            )
        me = self.settings.user_id
        wanted = set(self.settings.rooms)
        events: list[Event] = []
        errors: list[Problem] = []
        joined = (data.get("rooms") or {}).get("join") or {}
        for room_id, room in joined.items():
            if wanted and room_id not in wanted:
                continue
            for raw in ((room.get("timeline") or {}).get("events")) or []:
                try:
                    event = timeline_event(room_id, raw, me)
                except (KeyError, TypeError, ValueError) as exc:
                    event_id = raw.get("event_id", "?") if isinstance(raw, dict) else "?"
                    errors.append(
                        Problem(
                            _("room %(room)s, event %(event)s: %(problem)s"),
                            room=room_id,
                            event=event_id,
                            problem=str(exc),
                        )
                    )
                    continue
                if event is not None:
                    events.append(event)
        return FetchResult(events, {"next_batch": data["next_batch"]}, errors)

    # --- writing ---------------------------------------------------------------------------

    def _send(self, room_id: str, content: dict[str, Any], key: str = "") -> RemotePost:
        # The transaction id makes the homeserver ignore a repeated send: retrying is safe.
        txn = key or uuid.uuid4().hex
        path = f"{API}/rooms/{quote(room_id)}/send/m.room.message/{quote(txn)}"
        answer = self._call("PUT", path, body=content, idempotent=True)
        event_id = str(answer["event_id"])
        return RemotePost(
            remote_id=f"{room_id}|{event_id}", published_at=datetime.now(UTC), raw=answer
        )

    def publish(self, draft: Draft) -> RemotePost:
        room = self.settings.default_room or (self.settings.rooms[0] if self.settings.rooms else "")
        if not room:
            raise ConnectorError(_("Choose the room Liant publishes to in the channel's settings."))
        if draft.reply_to:
            return self._reply_to(draft.reply_to, draft)
        return self._send(room, _content(draft), draft.idempotency_key)

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        return self._reply_to(parent.remote_id, draft, thread_root=parent.thread_remote_id)

    def _reply_to(self, parent_id: str, draft: Draft, thread_root: str = "") -> RemotePost:
        room, event = split_id(parent_id)
        root = split_id(thread_root)[1] if thread_root else event
        content = _content(draft)
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": event},
        }
        return self._send(room, content, draft.idempotency_key)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        room = self._call(
            "POST",
            f"{API}/createRoom",
            body={
                "is_direct": True,
                "invite": [recipient.remote_id],
                "preset": "trusted_private_chat",
            },
        )["room_id"]
        return self._send(str(room), _content(draft), draft.idempotency_key)

    def moderate(self, remote_id: str, action: ModerationAction) -> None:
        room, event = split_id(remote_id)
        if action in (ModerationAction.DELETE, ModerationAction.HIDE):
            path = f"{API}/rooms/{quote(room)}/redact/{quote(event)}/{uuid.uuid4().hex}"
            self._call(
                "PUT",
                path,
                body={"reason": "Removed by the community's moderators"},
                idempotent=True,
            )
            return
        if action in (ModerationAction.KICK, ModerationAction.BAN, ModerationAction.UNBAN):
            # The sender of the message the decision was about is the member acted upon.
            sender = self._call("GET", f"{API}/rooms/{quote(room)}/event/{quote(event)}")["sender"]
            self._call(
                "POST",
                f"{API}/rooms/{quote(room)}/{action.value}",
                body={"user_id": sender, "reason": "Charter of the community"}
                if action is not ModerationAction.UNBAN
                else {"user_id": sender, "reason": "Lifted by the community's moderators"},
                idempotent=True,
            )
            return
        raise ConnectorError(
            _("Matrix has no '%(action)s' for a message; use delete, kick, ban or unban."),
            action=str(action),
        )


def _content(draft: Draft) -> dict[str, Any]:
    return {"msgtype": "m.text", "body": draft.text}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorError(
            _("The homeserver answered something that is not JSON (%(code)s)."),
            code=response.status_code,
        ) from exc


def timeline_event(room_id: str, raw: dict[str, Any], me: str) -> Event | None:
    kind_of = raw["type"]
    sender = str(raw["sender"])
    when = datetime.fromtimestamp(int(raw["origin_server_ts"]) / 1000, UTC)
    author = Author(remote_id=sender, handle=sender, name=sender.split(":")[0].lstrip("@"))
    remote = f"{room_id}|{raw['event_id']}"
    content = raw.get("content") or {}
    if kind_of == "m.room.member":
        if content.get("membership") != "join" or sender == me:
            return None
        return Event(
            kind=EventKind.MEMBERSHIP, remote_id=remote, author=author, occurred_at=when, raw=raw
        )
    if kind_of != "m.room.message" or sender == me or "body" not in content:
        return None  # our own messages, redactions and edits are not new messages
    relates = content.get("m.relates_to") or {}
    if relates.get("rel_type") == "m.replace":
        return None
    parent = (relates.get("m.in_reply_to") or {}).get("event_id", "")
    thread = relates.get("event_id", "") if relates.get("rel_type") == "m.thread" else ""
    html = (
        content.get("formatted_body", "")
        if content.get("format") == "org.matrix.custom.html"
        else ""
    )
    mentions_me = bool(me) and (
        me in (content.get("m.mentions") or {}).get("user_ids", []) or me in str(content["body"])
    )
    return Event(
        kind=EventKind.MENTION
        if mentions_me
        else EventKind.COMMENT
        if parent or thread
        else EventKind.POST,
        remote_id=remote,
        author=author,
        occurred_at=when,
        text=str(content["body"]),
        html=html,
        parent_remote_id=f"{room_id}|{parent}" if parent else "",
        thread_remote_id=f"{room_id}|{thread}" if thread else "",
        raw=raw,
    )


def login(http: HttpClient, homeserver: str, user: str, password: str) -> dict[str, str]:
    """Password login; returns access_token, user_id and device_id."""
    response = http.post(
        homeserver.rstrip("/") + f"{API}/login",
        json={
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
            "initial_device_display_name": "Liant",
        },
        idempotent=False,
        ok_statuses=(403,),
    )
    if response.status_code == 403:
        raise ConnectorError(
            _("The homeserver refused this user name and password."),
            ErrorKind.AUTH_EXPIRED,
            status=403,
        )
    data = _json(response)
    return {
        "access_token": data["access_token"],
        "user_id": data["user_id"],
        "device_id": data.get("device_id", ""),
    }
