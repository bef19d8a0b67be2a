from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from liant.connectors import oauth
from liant.connectors.base import ConnectorError, ErrorKind
from liant.connectors.http import HttpClient, MemoryRecorder

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_pkce_challenge_matches_rfc_7636_appendix_b():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert oauth.challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert 43 <= len(oauth.new_verifier()) <= 128


def test_a_network_that_names_the_client_otherwise_gets_its_own_name():
    config = oauth.OAuthConfig(
        authorize_url="https://www.tiktok.com/v2/auth/authorize/",
        token_url="https://open.tiktokapis.com/v2/oauth/token/",
        scopes=("user.info.basic", "video.publish"),
        scope_separator=",",
        client_id_param="client_key",
    )
    url = oauth.authorize_url(config, {"client_id": "key"}, "https://liant/cb", "st", "v")
    query = parse_qs(urlsplit(url).query)
    assert query["client_key"] == ["key"] and "client_id" not in query
    assert query["scope"] == ["user.info.basic,video.publish"]


def client_answering(*responses: httpx.Response) -> tuple[HttpClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return (
        HttpClient(MemoryRecorder(), transport=httpx.MockTransport(handle), check_urls=False),
        seen,
    )


CONFIG = oauth.OAuthConfig(authorize_url="https://n/a", token_url="https://n/token")


def test_refresh_keeps_the_refresh_token_the_network_did_not_replace():
    http, seen = client_answering(
        httpx.Response(200, json={"access_token": "a2", "expires_in": "3600"})
    )
    credentials = oauth.refresh(CONFIG, {"client_id": "c", "client_secret": "s"}, http, "r1", NOW)

    assert credentials == {
        "access_token": "a2",
        "refresh_token": "r1",
        "expires_at": "2026-11-30T13:00:00+00:00",
    }
    assert parse_qs(seen[0].content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["r1"],
        "client_id": ["c"],
        "client_secret": ["s"],
    }


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (httpx.Response(400, json={"error": "invalid_grant"}), ErrorKind.AUTH_EXPIRED),
        (httpx.Response(200, json={"ok": False, "error": "invalid_code"}), ErrorKind.PERMANENT),
        (httpx.Response(200, text="<html>"), ErrorKind.PERMANENT),
        (httpx.Response(200, json={"token_type": "bearer"}), ErrorKind.PERMANENT),
    ],
)
def test_a_refused_or_strange_token_answer_is_a_clear_error(response, kind):
    http, _seen = client_answering(response)
    with pytest.raises(ConnectorError) as caught:
        oauth.refresh(CONFIG, {"client_id": "c"}, http, "r1", NOW)
    assert caught.value.kind is kind


def test_expiry_dates_are_read_back():
    assert oauth.expires_at({"expires_at": "2026-11-30T13:00:00+00:00"}) == datetime(
        2026, 11, 30, 13, tzinfo=UTC
    )
    assert oauth.expires_at({"expires_at": "soon"}) is None
    assert oauth.expires_at({}) is None
