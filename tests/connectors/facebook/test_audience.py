"""A Page's followers_count and fan_count."""

from __future__ import annotations

from liant.connectors.base import Capability
from tests.connectors.facebook.conftest import PAGE


def test_audience_reads_the_pages_followers_and_fans(meta, connector):
    meta.route("GET", PAGE, "page_audience.json")
    audience = connector.audience()
    assert (audience.followers, audience.following) == (3821, None)
    assert audience.extra == {"fans": 3654}
    (request,) = meta.sent("GET", PAGE)
    assert request.url.params["fields"] == "followers_count,fan_count"
    assert connector.can(Capability.AUDIENCE)
