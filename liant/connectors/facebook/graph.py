"""Meta's Graph API, shared by the Facebook Pages and Instagram connectors: one pinned version,
one way to call it, one reading of its errors and rate-limit headers, and the signature of
the webhooks Meta pushes.

References: developers.facebook.com/docs/graph-api/guides/error-handling (the error object and
its codes), /docs/graph-api/overview/rate-limiting (X-App-Usage, X-Business-Use-Case-Usage),
/docs/graph-api/webhooks/getting-started (hub.challenge, X-Hub-Signature-256).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind, WebhookReply, WebhookRequest
from liant.connectors.http import HttpClient

# One version for every call (the docs read for this code say "Latest Graph API Version:
# v25.0"); Meta keeps a version about two years, so moving on is a one-line change here.
VERSION = "v25.0"
GRAPH = f"https://graph.facebook.com/{VERSION}"
DIALOG = f"https://www.facebook.com/{VERSION}/dialog/oauth"

AUTH_CODES = {102, 190}  # 190: "Access token has expired"; 102: API session
THROTTLE_CODES = {4, 17, 32, 613}  # app, user, page and custom-level call limits
# Business Use Case limits (page and system-user tokens, Instagram): 80001 Pages,
# 80002 Instagram, 80006 Messenger, and the other 800xx use cases.
BUC_CODES = set(range(80000, 80015))
TRANSIENT_CODES = {1, 2}  # "API Unknown", "API Service": downtime
DEFAULT_WAIT = 600.0  # Meta names no figure for app/user limits (a rolling hour): ten minutes
HANDLED = (400, 401, 403, 404, 429, 500, 503)


def call(
    http: HttpClient,
    token: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    idempotent: bool | None = None,
) -> Any:
    """One Graph call; the token goes in the Authorization header, never in the address."""
    if not token:
        raise ConnectorError(
            _("This channel has no Meta access token; connect it again."), ErrorKind.AUTH_EXPIRED
        )
    url = path if path.startswith("https://") else f"{GRAPH}/{path.lstrip('/')}"
    response = http.request(
        method,
        url,
        params=params,
        data=data,
        files=files,
        headers={"Authorization": f"Bearer {token}"},
        idempotent=idempotent,
        ok_statuses=HANDLED,
    )
    honour_usage(http, response)
    body = _json(response)
    if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
        raise error_of(http, response, body)
    return body


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError as exc:
        if response.status_code >= 500:
            raise ConnectorError(
                _("Meta failed (%(code)s)."), ErrorKind.TRANSIENT, code=response.status_code
            ) from exc
        raise ConnectorError(
            _("Meta answered something that is not JSON (%(code)s)."), code=response.status_code
        ) from exc


def usage_wait(headers: httpx.Headers) -> float | None:
    """Seconds to wait when a usage header says a limit is reached, else None.

    X-Business-Use-Case-Usage: {"<business id>": [{"type", "call_count", "total_cputime",
    "total_time", "estimated_time_to_regain_access" (minutes)}]}; X-App-Usage and
    X-Page-Usage: {"call_count", "total_cputime", "total_time"} in percent of the limit."""
    wait: float | None = None
    buc = _header_json(headers.get("x-business-use-case-usage"))
    if isinstance(buc, dict):
        for uses in buc.values():
            for use in uses if isinstance(uses, list) else []:
                if not isinstance(use, dict):
                    continue
                minutes = _number(use.get("estimated_time_to_regain_access"))
                if minutes:
                    wait = max(wait or 0.0, minutes * 60)
                elif _full(use):
                    wait = max(wait or 0.0, DEFAULT_WAIT)
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        usage = _header_json(headers.get(name))
        if isinstance(usage, dict) and _full(usage):
            wait = max(wait or 0.0, DEFAULT_WAIT)
    return wait


def _full(usage: Mapping[str, Any]) -> bool:
    return any(
        (_number(usage.get(k)) or 0) >= 100 for k in ("call_count", "total_cputime", "total_time")
    )


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _header_json(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def honour_usage(http: HttpClient, response: httpx.Response) -> None:
    """A limit reached (100 % used, or a time to regain access) blocks the channel's next
    calls until then, before Meta has to refuse one."""
    wait = usage_wait(response.headers)
    if wait:
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))


def error_of(http: HttpClient, response: httpx.Response, body: Any) -> ConnectorError:
    """Meta's error object → the error kind Liant acts on, with Meta's own words."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    status = response.status_code
    code = _number(error.get("code"))
    code = int(code) if code is not None else None
    subcode = error.get("error_subcode")
    words = str(error.get("error_user_msg") or error.get("message") or "")[:300]
    detail = f"{words} (#{code}{f'/{subcode}' if subcode else ''})" if code else words
    if code in AUTH_CODES or (status == 401 and code is None):
        return ConnectorError(
            _("Meta refused the access token: %(detail)s. Sign in again to renew it."),
            ErrorKind.AUTH_EXPIRED,
            status=status,
            detail=detail,
        )
    if code in THROTTLE_CODES or code in BUC_CODES or status == 429:
        wait = usage_wait(response.headers) or DEFAULT_WAIT
        http.recorder.block_until(http.clock() + timedelta(seconds=wait))
        return ConnectorError(
            _("Meta's rate limit is reached; retry in %(seconds)s s. %(detail)s"),
            ErrorKind.RATE_LIMITED,
            retry_after=wait,
            status=status,
            seconds=int(wait),
            detail=detail,
        )
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        return ConnectorError(
            _("Meta failed for a moment: %(detail)s"),
            ErrorKind.TRANSIENT,
            status=status,
            detail=detail or str(status),
        )
    if code == 10 or (code is not None and 200 <= code <= 299):
        return ConnectorError(
            _("Meta does not allow it (permission missing): %(detail)s"),
            status=status,
            detail=detail,
        )
    return ConnectorError(
        _("Meta refused the request (%(code)s): %(detail)s"),
        status=status,
        code=status,
        detail=detail,
    )


# --- webhooks -------------------------------------------------------------------------------


def verification_reply(request: WebhookRequest, app: Mapping[str, str]) -> WebhookReply:
    """The subscription handshake: Meta sends GET hub.mode=subscribe, hub.verify_token (the
    one the operator typed in the App Dashboard) and hub.challenge, to be sent back as is."""
    expected = app.get("verify_token", "")
    given = request.query.get("hub.verify_token", "")
    if (
        request.query.get("hub.mode") != "subscribe"
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise ConnectorError(_("The webhook verification token does not match."))
    return WebhookReply(body=request.query.get("hub.challenge", "").encode())


def check_signature(request: WebhookRequest, app: Mapping[str, str]) -> None:
    """X-Hub-Signature-256: "sha256=" + HMAC-SHA256 of the raw body with the app secret."""
    secret = app.get("client_secret", "")
    if not secret:
        raise ConnectorError(_("The Meta app secret is not set: deliveries cannot be checked."))
    digest = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    given = request.headers.get("x-hub-signature-256", "")
    if not hmac.compare_digest(f"sha256={digest}".encode(), given.encode()):
        raise ConnectorError(_("The delivery's signature is wrong."))


def payload(request: WebhookRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise ConnectorError(_("The delivery is not JSON.")) from exc
    if not isinstance(data, dict):
        raise ConnectorError(_("The delivery is not a JSON object."))
    return data
