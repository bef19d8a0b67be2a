"""The account's followers from verify_credentials (Account entity counters)."""

from __future__ import annotations

import httpx
import pytest

from liant.connectors.base import Capability, ConnectorError, ErrorKind
from tests.connectors.mastodon.conftest import error, load


def test_audience_reads_the_accounts_own_counters(instance, connector):
    audience = connector.audience()
    assert (audience.followers, audience.following) == (1843, 212)
    assert audience.extra == {"posts": 964}
    assert len(instance.sent("GET", "/api/v1/accounts/verify_credentials")) == 1
    assert connector.can(Capability.AUDIENCE)


def test_an_account_without_a_follower_count_is_an_error_not_zero(instance, connector):
    account = load("verify_credentials.json")
    del account["followers_count"]
    instance.script("GET", "/api/v1/accounts/verify_credentials", httpx.Response(200, json=account))
    with pytest.raises(ConnectorError) as caught:
        connector.audience()
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "followers_count" in caught.value.message


def test_a_revoked_token_says_the_sign_in_expired(instance, connector):
    instance.script(
        "GET", "/api/v1/accounts/verify_credentials", error(401, "error_token_invalid.json")
    )
    with pytest.raises(ConnectorError) as caught:
        connector.audience()
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
