"""WhatsApp Business through Meta's Cloud API (https://developers.facebook.com/docs/whatsapp/
cloud-api), with a system user's token, no SDK.

A Liant channel is one business phone number (its phone number id is the channel's
`account_id`) of one WhatsApp Business Account. WhatsApp has no feed and no API to read
messages back: members' messages and the statuses of what Liant sent arrive only pushed, at
/hooks/whatsapp/, signed with the Meta app's secret. Liant may:

- start a conversation only with an approved template (`send_direct` with
  draft.extras {"template": name, "language": code, "parameters": [...]}), and only with a
  member who agreed to be contacted on WhatsApp: that consent lives in Liant's members app
  (see OPT_IN_PURPOSE / OPT_IN_SOURCE and `optin.py`) and is checked by the caller;
- answer with free text within 24 hours of the member's last message (`reply`).

Remote ids are WhatsApp's message ids (wamid.…). A status Meta pushes for a message Liant sent
(sent, delivered, read, failed) is stored as an authorless event of kind "reaction" whose
parent is that message and whose remote id is "<wamid>:<status>", with Meta's status object as
its raw data: the Cloud API cannot be asked for it later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext_noop as _

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
    RemotePost,
    Rules,
    WebhookBatch,
    WebhookReply,
    WebhookRequest,
    WebhookResult,
    count_chars,
)
from liant.connectors.http import HttpClient

GRAPH = "https://graph.facebook.com/v21.0"
MAX_TEXT = 4096  # text.body: "Maximum 4096 characters"
REPLY_WINDOW = timedelta(hours=24)  # the customer service window
HANDLED = (400, 401, 403, 404, 429)
RATE_LIMIT_CODES = {4, 80007, 130429, 131056}
AUTH_CODES = {190}
WINDOW_CLOSED = 131047  # "Re-engagement message": more than 24 hours since the last message
# How a member's agreement to be contacted on WhatsApp is recorded in members.Consent.
OPT_IN_PURPOSE = "contact"
OPT_IN_SOURCE = "whatsapp"
STATUSES = ("sent", "delivered", "read", "failed")


class WhatsAppSettings(ConnectorSettings):
    account_id: str  # the phone number id
    waba_id: str
    display_phone_number: str = ""
    verified_name: str = ""
    quality_rating: str = ""


def call(
    http: HttpClient, token: str, method: str, path: str, *, body: Any = None, params: Any = None
) -> dict[str, Any]:
    """One Graph API call; returns its JSON or raises a ConnectorError in Meta's words. A POST
    is not retried once it may have reached Meta: the Cloud API has no idempotency key."""
    response = http.request(
        method,
        f"{GRAPH}/{path}",
        json=body,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        ok_statuses=HANDLED,
    )
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ConnectorError(
            _("WhatsApp answered something that is not JSON (%(code)s)."),
            code=response.status_code,
        )
    if response.status_code >= 400 or "error" in data:
        raise error_of(http, response, data.get("error") or {})
    return data


def error_of(
    http: HttpClient, response: httpx.Response, error: Mapping[str, Any]
) -> ConnectorError:
    code = int(error.get("code") or 0) if str(error.get("code") or "").isdigit() else 0
    details = (error.get("error_data") or {}).get("details") if isinstance(error, Mapping) else ""
    words = str(error.get("message") or "")[:300]
    if details:
        words = f"{words} {str(details)[:300]}".strip()
    if code in AUTH_CODES or response.status_code == 401:
        return ConnectorError(
            _(
                "WhatsApp refused the access token (%(detail)s): give Liant a new system user "
                "token."
            ),
            ErrorKind.AUTH_EXPIRED,
            status=response.status_code,
            detail=words or str(code),
        )
    if code in RATE_LIMIT_CODES or response.status_code == 429:
        wait = 60.0  # Meta sends no wait; its limits are counted per hour and per pair
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))
        return ConnectorError(
            _("WhatsApp's rate limit (%(code)s): retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=response.status_code,
            code=code,
            seconds=int(wait),
            detail=words,
        )
    if code == WINDOW_CLOSED:
        return ConnectorError(
            _(
                "More than 24 hours have passed since this member last wrote: WhatsApp only "
                "lets a template message reach them now (%(detail)s)."
            ),
            status=response.status_code,
            detail=words,
        )
    return ConnectorError(
        _("WhatsApp refused the request (%(code)s): %(detail)s"),
        status=response.status_code,
        code=code or response.status_code,
        detail=words,
    )


def template_of(extras: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `template` object of a message from a draft's extras, or None when there is none."""
    name = str(extras.get("template") or "").strip()
    if not name:
        return None
    template: dict[str, Any] = {
        "name": name,
        "language": {"code": str(extras.get("language") or "fr")},
    }
    parameters = extras.get("parameters") or []
    if not isinstance(parameters, list):
        raise ConnectorError(_("A WhatsApp template's parameters are a list of texts."))
    if parameters:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in parameters]}
        ]
    return template


class WhatsAppConnector(Connector):
    kind = "whatsapp"
    label = "WhatsApp Business"
    capabilities = frozenset({Capability.SEND_DIRECT, Capability.REPLY, Capability.WEBHOOKS})
    rules = Rules(max_length=MAX_TEXT, count=count_chars, max_media=0, links="card")
    settings_model = WhatsAppSettings
    # Nothing to read: a look at the number each hour says whether the token still works.
    fetch_interval = 3600
    limitations = _(
        "WhatsApp has no feed: members' messages and the status of what Liant sent arrive "
        "pushed by Meta. Liant starts a conversation only with an approved template, and only "
        "with members who agreed to be contacted on WhatsApp; free replies are possible for "
        "24 hours after the member's last message. No moderation, and images are not sent."
    )
    publish_idempotency_window = 0.0  # the Cloud API has no idempotency key
    connection: ClassVar[str] = _("System user token, pushed events signed")

    settings: WhatsAppSettings

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call(
            self.http, str(self.credentials.get("access_token", "")), method, path, **kwargs
        )

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        number = describe_number(
            self.http, str(self.credentials.get("access_token", "")), self.settings.account_id
        )
        return f"{number.get('verified_name', '')} {number.get('display_phone_number', '')}".strip()

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        """Messages only come pushed; this checks the token and the number still work."""
        self.check_connection()
        return FetchResult([], dict(since))

    # --- writing ---------------------------------------------------------------------------

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        """An approved template to a member who agreed to WhatsApp messages (the caller checks
        the consent: see OPT_IN_PURPOSE). Free text cannot open a conversation."""
        template = template_of(draft.extras)
        if template is None:
            raise ConnectorError(
                _(
                    "WhatsApp only lets a business start a conversation with an approved "
                    "template: choose one."
                )
            )
        return self._send(recipient.remote_id, {"type": "template", "template": template})

    def reply(self, parent: Event, draft: Draft, now: datetime | None = None) -> RemotePost:
        """Free text within 24 hours of the member's message, as an answer to it; a template
        (draft.extras) at any time."""
        if parent.author is None or not parent.author.remote_id:
            raise ConnectorError(_("This WhatsApp event has no member to answer."))
        template = template_of(draft.extras)
        if template is not None:
            return self._send(parent.author.remote_id, {"type": "template", "template": template})
        now = now or datetime.now(UTC)
        if now - parent.occurred_at > REPLY_WINDOW:
            raise ConnectorError(
                _(
                    "More than 24 hours have passed since this member last wrote: WhatsApp only "
                    "lets a template message reach them now (%(detail)s)."
                ),
                detail=parent.occurred_at.isoformat(timespec="minutes"),
            )
        if not draft.text.strip():
            raise ConnectorError(_("WhatsApp cannot send an empty message."))
        if count_chars(draft.text) > MAX_TEXT:
            raise ConnectorError(
                _("WhatsApp messages hold at most %(count)s characters."), count=MAX_TEXT
            )
        return self._send(
            parent.author.remote_id,
            {
                "type": "text",
                "text": {"body": draft.text, "preview_url": False},
                "context": {"message_id": parent.remote_id},
            },
        )

    def _send(self, to: str, message: dict[str, Any]) -> RemotePost:
        if not to:
            raise ConnectorError(_("This member has no WhatsApp number."))
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        sent = self._call("POST", f"{self.settings.account_id}/messages", body=body | message)
        messages = sent.get("messages") or [{}]
        if not messages[0].get("id"):
            raise ConnectorError(_("WhatsApp accepted the message without giving its id."))
        return RemotePost(
            remote_id=str(messages[0]["id"]), published_at=datetime.now(UTC), raw=sent
        )

    # --- pushed events ---------------------------------------------------------------------

    @classmethod
    def receive_webhook(cls, request: WebhookRequest, app: Mapping[str, str]) -> WebhookResult:
        if request.method == "GET":
            return handshake(request, app.get("verify_token", ""))
        verify(request, app.get("client_secret") or app.get("app_secret") or "")
        try:
            payload = json.loads(request.body)
        except ValueError as exc:
            raise ConnectorError(_("This WhatsApp delivery is not JSON.")) from exc
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            return WebhookResult()
        batches = []
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if change.get("field") != "messages" or not isinstance(value, dict):
                    continue
                account = str((value.get("metadata") or {}).get("phone_number_id") or "")
                events = read_value(value)
                if account and events:
                    batches.append(WebhookBatch(account, events))
        return WebhookResult(batches=batches)


def handshake(request: WebhookRequest, verify_token: str) -> WebhookResult:
    """Meta's subscription check: GET with hub.mode=subscribe, hub.verify_token, hub.challenge."""
    given = request.query.get("hub.verify_token", "")
    if (
        request.query.get("hub.mode") != "subscribe"
        or not verify_token
        or not hmac.compare_digest(given.encode(), verify_token.encode())
    ):
        raise ConnectorError(_("The WhatsApp verification token does not match."))
    return WebhookResult(WebhookReply(body=request.query.get("hub.challenge", "").encode()))


def verify(request: WebhookRequest, secret: str) -> None:
    """X-Hub-Signature-256: sha256=HMAC-SHA256 of the raw body with the Meta app's secret."""
    if not secret:
        raise ConnectorError(_("LIANT_APP_WHATSAPP_CLIENT_SECRET is not set."))
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("x-hub-signature-256", "")):
        raise ConnectorError(_("The WhatsApp delivery's signature is wrong."))


def _when(stamp: Any) -> datetime:
    return datetime.fromtimestamp(int(stamp), UTC)


def read_value(value: Mapping[str, Any]) -> list[Event]:
    """The messages and statuses of one `messages` change, as Events."""
    names = {
        str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
        for c in value.get("contacts") or []
    }
    events = []
    for message in value.get("messages") or []:
        try:
            events.append(message_event(message, names))
        except (KeyError, TypeError, ValueError):
            continue  # an unreadable message is dropped, the others are kept
    for status in value.get("statuses") or []:
        try:
            if status.get("status") in STATUSES:
                events.append(status_event(status))
        except (KeyError, TypeError, ValueError):
            continue
    return events


def message_event(message: Mapping[str, Any], names: Mapping[str, str]) -> Event:
    sender = str(message["from"])
    kind_of = str(message.get("type") or "")
    found = message.get(kind_of)
    content: Mapping[str, Any] = found if isinstance(found, dict) else {}
    if kind_of == "text":
        text = str(content.get("body") or "")
    elif kind_of == "button":
        text = str(content.get("text") or "")
    elif kind_of == "interactive":
        reply = content.get("button_reply") or content.get("list_reply") or {}
        text = str(reply.get("title") or "")
    else:  # image, video, document, audio, sticker, location…: their caption when there is one
        text = str(content.get("caption") or content.get("emoji") or "")
    parent = str((message.get("context") or {}).get("id") or "")
    kind = EventKind.DIRECT_MESSAGE
    if kind_of == "reaction":
        kind, parent = EventKind.REACTION, str(content.get("message_id") or parent)
    return Event(
        kind=kind,
        remote_id=str(message["id"]),
        author=Author(remote_id=sender, handle=f"+{sender}", name=names.get(sender, "")),
        occurred_at=_when(message["timestamp"]),
        text=text,
        parent_remote_id=parent,
        raw=dict(message),
    )


def status_event(status: Mapping[str, Any]) -> Event:
    errors = status.get("errors") or []
    text = str(errors[0].get("title") or "") if errors else ""
    return Event(
        kind=EventKind.REACTION,
        remote_id=f"{status['id']}:{status['status']}",
        author=None,
        occurred_at=_when(status["timestamp"]),
        text=text,
        parent_remote_id=str(status["id"]),
        raw=dict(status),
    )


# --- connecting -----------------------------------------------------------------------------


def describe_number(http: HttpClient, token: str, phone_number_id: str) -> dict[str, Any]:
    return call(
        http,
        token,
        "GET",
        phone_number_id,
        params={"fields": "display_phone_number,verified_name,quality_rating"},
    )


def inspect(http: HttpClient, token: str, phone_number_id: str, waba_id: str) -> dict[str, Any]:
    """The settings of a channel for this number, after checking it belongs to the account."""
    number = describe_number(http, token, phone_number_id)
    numbers = call(http, token, "GET", f"{waba_id}/phone_numbers")
    if phone_number_id not in {str(n.get("id")) for n in numbers.get("data") or []}:
        raise ConnectorError(
            _("The phone number %(number)s is not in the WhatsApp Business Account %(account)s."),
            number=phone_number_id,
            account=waba_id,
        )
    return {
        "account_id": phone_number_id,
        "waba_id": waba_id,
        "display_phone_number": str(number.get("display_phone_number") or ""),
        "verified_name": str(number.get("verified_name") or ""),
        "quality_rating": str(number.get("quality_rating") or ""),
    }


def subscribe(http: HttpClient, token: str, waba_id: str) -> None:
    """Ask Meta to push this account's messages to Liant's app (POST subscribed_apps)."""
    call(http, token, "POST", f"{waba_id}/subscribed_apps")
