"""A subreddit's subscribers from /r/{subreddit}/about."""

from __future__ import annotations

from liant.connectors.base import Capability
from tests.connectors.reddit.conftest import ok


def test_audience_reads_the_subreddits_subscribers(reddit, connector):
    reddit.route("GET", r"/r/MaisonLumiereCafe/about", ok("about.json"))
    audience = connector.audience()
    assert (audience.followers, audience.following) == (5123, None)
    assert audience.extra == {"active": 42}
    assert len(reddit.sent("GET", r"/r/MaisonLumiereCafe/about$")) == 1
    assert connector.can(Capability.AUDIENCE)
