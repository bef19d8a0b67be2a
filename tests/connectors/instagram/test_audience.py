"""An Instagram professional account's followers_count and follows_count."""

from __future__ import annotations

from liant.connectors.base import Capability
from tests.connectors.instagram.conftest import IG


def test_audience_reads_the_accounts_followers(meta, connector):
    meta.route("GET", IG, "account_audience.json")
    audience = connector.audience()
    assert (audience.followers, audience.following) == (4210, 187)
    assert audience.extra == {"posts": 318}
    (request,) = meta.sent("GET", IG)
    assert request.url.params["fields"] == "followers_count,follows_count,media_count"
    assert connector.can(Capability.AUDIENCE)
