"""OAuth 2 as the networks of the second wave speak it: the authorization-code flow (with PKCE
where the network asks for it), the code traded for tokens, and refreshing them.

A network's differences are data (`OAuthConfig`): where to send the person, where to trade the
code, how the client proves itself (form fields or HTTP Basic), what the client id is called
(TikTok says `client_key`), how scopes are joined. What follows the trade — a long-lived
Facebook token, the list of pages — is the connector's `accounts_after_oauth`.

The operator registers Liant once per network and gives its client id and secret in the
environment (`LIANT_APP_<NETWORK>_CLIENT_ID`, `..._CLIENT_SECRET`, see `apps.py`); the
redirect address to register is shown on the connect page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind

if TYPE_CHECKING:
    from liant.connectors.http import HttpClient


@dataclass(frozen=True)
class OAuthConfig:
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    pkce: bool = False
    client_auth: str = "body"  # "body": client_id + client_secret as form fields; "basic"
    client_id_param: str = "client_id"
    client_secret_param: str = "client_secret"  # noqa: S105 - a field name, not a secret
    authorize_params: Mapping[str, str] = field(default_factory=dict)  # e.g. access_type
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. Reddit's User-Agent


def new_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43–128 characters of the unreserved set)."""
    return secrets.token_urlsafe(64)[:96]


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    config: OAuthConfig, app: Mapping[str, str], redirect_uri: str, state: str, verifier: str
) -> str:
    params: dict[str, str] = {
        "response_type": "code",
        config.client_id_param: app.get("client_id", ""),
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if config.scopes:
        params["scope"] = config.scope_separator.join(config.scopes)
    if config.pkce:
        params["code_challenge"] = challenge(verifier)
        params["code_challenge_method"] = "S256"
    params.update(config.authorize_params)
    separator = "&" if "?" in config.authorize_url else "?"
    return config.authorize_url + separator + urlencode(params)


def exchange_code(
    config: OAuthConfig,
    app: Mapping[str, str],
    http: HttpClient,
    code: str,
    redirect_uri: str,
    verifier: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if config.pkce:
        form["code_verifier"] = verifier
    return _token_call(config, app, http, form, now)


def refresh(
    config: OAuthConfig,
    app: Mapping[str, str],
    http: HttpClient,
    refresh_token: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """New credentials from a refresh token; a network that does not send a new refresh
    token keeps the old one valid, so it is carried over."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    credentials = _token_call(config, app, http, form, now)
    credentials.setdefault("refresh_token", refresh_token)
    return credentials


def _token_call(
    config: OAuthConfig,
    app: Mapping[str, str],
    http: HttpClient,
    form: dict[str, str],
    now: datetime | None,
) -> dict[str, Any]:
    client_id, client_secret = app.get("client_id", ""), app.get("client_secret", "")
    headers = {"Accept": "application/json", **config.headers}
    if config.client_auth == "basic":
        pair = f"{client_id}:{client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        if config.pkce and not client_secret:
            form[config.client_id_param] = client_id
    else:
        form[config.client_id_param] = client_id
        if client_secret:
            form[config.client_secret_param] = client_secret
    # Trading a code twice fails (codes are single use), so the call is safe to retry only
    # when it surely did not reach the network: HttpClient's default for a POST.
    response = http.request(
        "POST", config.token_url, data=form, headers=headers, ok_statuses=(400, 401)
    )
    return credentials_from_token(_json(response), now or datetime.now(UTC))


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ConnectorError(
            _("The network answered the sign-in with something that is not JSON (HTTP %(code)s)."),
            code=response.status_code,
        )
    # RFC 6749 errors ({"error": "invalid_grant", …}) and Slack's {"ok": false, "error": …}.
    if response.status_code >= 400 or data.get("error") or data.get("ok") is False:
        words = str(data.get("error_description") or data.get("error") or data)[:300]
        kind = ErrorKind.AUTH_EXPIRED if response.status_code in (400, 401) else ErrorKind.PERMANENT
        raise ConnectorError(_("The network refused the sign-in: %(words)s"), kind, words=words)
    return data


def credentials_from_token(data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The parts of a token answer Liant keeps, with the lifetime as a date."""
    token = data.get("access_token")
    if not token or not isinstance(token, str):
        raise ConnectorError(_("The network answered the sign-in without an access token."))
    credentials: dict[str, Any] = {"access_token": token}
    if isinstance(data.get("refresh_token"), str) and data["refresh_token"]:
        credentials["refresh_token"] = data["refresh_token"]
    lifetime = data.get("expires_in")
    if isinstance(lifetime, int | float | str) and str(lifetime).strip().isdigit():
        credentials["expires_at"] = (now + timedelta(seconds=int(lifetime))).isoformat()
    refresh_lifetime = data.get("refresh_token_expires_in") or data.get("refresh_expires_in")
    if isinstance(refresh_lifetime, int | float | str) and str(refresh_lifetime).strip().isdigit():
        credentials["refresh_expires_at"] = (
            now + timedelta(seconds=int(refresh_lifetime))
        ).isoformat()
    if data.get("scope"):
        credentials["scope"] = str(data["scope"])
    return credentials


def expires_at(credentials: Mapping[str, Any]) -> datetime | None:
    value = credentials.get("expires_at")
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
