"""The creator's followers from /v2/user/info/ (scope user.info.stats)."""

from __future__ import annotations

from liant.connectors.base import Capability
from tests.connectors.tiktok.conftest import answer


def test_audience_asks_for_the_stats_fields(fake, connector):
    fake.script("GET", r"/v2/user/info/", answer("user_info_stats.json"))
    audience = connector.audience()
    assert (audience.followers, audience.following) == (2871, 12)
    assert audience.extra == {"likes": 40210, "videos": 64}
    (request,) = fake.sent("GET", r"/v2/user/info/")
    assert "follower_count" in request.url.params["fields"].split(",")
    assert connector.can(Capability.AUDIENCE)
