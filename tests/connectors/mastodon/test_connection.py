"""The connect flow's helpers (app registration, authorize URL, code exchange), checking a
connection, the settings and the length rules."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from liant.connectors import registry
from liant.connectors.base import ConnectorError, ErrorKind
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.mastodon.connector import (
    MastodonConnector,
    authorize_url,
    exchange_code,
    normalise_instance_url,
    register_app,
)
from tests.connectors.mastodon.conftest import TOKEN, error, make_connector

CALLBACK = "https://liant.maison-lumiere.example/w/brand/channels/connect/mastodon/callback/"


def http_for(instance):
    return HttpClient(
        MemoryRecorder(), transport=instance.transport(), sleep=lambda s: None, check_urls=False
    )


def test_the_registry_knows_mastodon():
    assert registry.connector_class("mastodon") is MastodonConnector
    assert ("mastodon", "Mastodon") in registry.choices()


def test_registering_the_app_sends_name_scopes_redirect_and_website(instance):
    app = register_app(
        http_for(instance), "mastodon.example", CALLBACK, website="https://liant.example/"
    )
    assert app == {
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
    }
    (request,) = instance.requests
    assert str(request.url) == "https://mastodon.example/api/v1/apps"
    assert dict(instance.form(request)) == {
        "client_name": "Liant",
        "redirect_uris": CALLBACK,
        "scopes": "read write follow",
        "website": "https://liant.example/",
    }


def test_the_authorize_url_carries_client_redirect_scopes_and_state():
    url = authorize_url("https://mastodon.example/", "cid", CALLBACK, "s7a7e")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "mastodon.example",
        "/oauth/authorize",
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["cid"],
        "redirect_uri": [CALLBACK],
        "scope": ["read write follow"],
        "state": ["s7a7e"],
    }


def test_the_code_is_exchanged_for_a_token(instance):
    token = exchange_code(
        http_for(instance), "mastodon.example", "cid", "csecret", "c0de", CALLBACK
    )
    assert token == TOKEN
    (request,) = instance.requests
    assert dict(instance.form(request)) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "client_id": "cid",
        "client_secret": "csecret",
        "redirect_uri": CALLBACK,
        "scope": "read write follow",
    }


def test_a_used_code_is_refused_with_the_servers_words(instance):
    instance.script("POST", "/oauth/token", error(400, "error_invalid_grant.json"))
    with pytest.raises(ConnectorError) as failure:
        exchange_code(http_for(instance), "mastodon.example", "cid", "cs", "old", CALLBACK)
    assert failure.value.kind is ErrorKind.PERMANENT
    assert "The provided authorization grant is invalid" in failure.value.message
    assert len(instance.requests) == 1  # a code is used once: never retried


def test_check_connection_names_the_account_with_its_server(instance, connector):
    assert connector.check_connection() == "@maisonlumiere@mastodon.example"
    assert instance.requests[0].url.path == "/api/v1/accounts/verify_credentials"


def test_a_revoked_token_is_auth_expired(instance, connector):
    instance.script(
        "GET", "/api/v1/accounts/verify_credentials", error(401, "error_token_invalid.json")
    )
    with pytest.raises(ConnectorError) as failure:
        connector.check_connection()
    assert failure.value.kind is ErrorKind.AUTH_EXPIRED


@pytest.mark.parametrize(
    "typed",
    [
        "mastodon.example",
        "https://mastodon.example/",
        "  HTTPS://Mastodon.Example  ",
        "@maisonlumiere@mastodon.example",
        "https://mastodon.example/@maisonlumiere",
    ],
)
def test_the_instance_url_is_normalised(typed):
    assert normalise_instance_url(typed) == "https://mastodon.example"


@pytest.mark.parametrize("typed", ["http://mastodon.example", "", "ftp://x.example", "a b"])
def test_an_unusable_instance_url_is_refused(typed):
    with pytest.raises(ValueError):
        normalise_instance_url(typed)


def test_the_settings_are_normalised_and_checked(instance):
    assert make_connector(instance).settings.instance_url == "https://mastodon.example"
    with pytest.raises(ValidationError):
        make_connector(instance, visibility="friends")


def test_the_rules_count_a_long_url_as_23_characters():
    rules = MastodonConnector.rules
    url = "https://maison-lumiere.example/blog/2026/11/nouvelle-torrefaction-ethiopie?utm=mastodon"
    assert rules.count(f"Nouveau café ! {url}") == len("Nouveau café ! ") + 23
    assert rules.remaining("x" * 477 + " " + url) == -1
    assert rules.check("x" * 476 + " " + url) == []


def test_the_rules_count_a_remote_mention_by_its_name_only():
    assert MastodonConnector.rules.count("@camille@piaille.example merci !") == len(
        "@camille merci !"
    )


def test_the_rules_know_mastodons_media_limits():
    rules = MastodonConnector.rules
    assert rules.check("x", [("image/avif", 1000)] * 4) == []
    assert "at most 4 media" in rules.check("x", [("image/png", 1)] * 5)
    assert any("larger than 16 MB" in p for p in rules.check("x", [("image/jpeg", 17_000_000)]))
    assert rules.check("x", [("video/mp4", 90_000_000)]) == []
    assert rules.content_warning and rules.threads
