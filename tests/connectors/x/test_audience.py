"""Followers from GET /2/users/me?user.fields=public_metrics."""

from __future__ import annotations

import pytest

from liant.connectors.base import Capability, ConnectorError, ErrorKind
from tests.connectors.x.conftest import answer


def test_audience_asks_for_public_metrics_of_the_signed_in_user(fake, connector):
    fake.script("GET", r"/2/users/me", answer("users_me_public_metrics.json"))
    audience = connector.audience()
    assert (audience.followers, audience.following) == (1207, 318)
    assert audience.extra == {"posts": 2145, "listed": 17}
    (request,) = fake.sent("GET", r"/2/users/me")
    assert request.url.params["user.fields"] == "public_metrics"
    assert connector.can(Capability.AUDIENCE)


def test_an_answer_without_public_metrics_is_an_error(fake, connector):
    with pytest.raises(ConnectorError) as caught:
        connector.audience()  # users_me.json: no public_metrics
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "public_metrics.followers_count" in caught.value.message
