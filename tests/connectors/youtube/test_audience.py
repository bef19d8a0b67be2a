"""A channel's subscribers from channels.list part=statistics."""

from __future__ import annotations

import pytest

from liant.connectors.base import Capability, ConnectorError, ErrorKind
from tests.connectors.youtube.conftest import CHANNEL, ok


def test_audience_reads_the_subscriber_count_sent_as_text(youtube, connector):
    audience = connector.audience()
    assert (audience.followers, audience.following) == (3120, None)
    assert audience.extra == {"views": 184503, "videos": 58}
    (request,) = youtube.sent("GET", r"/youtube/v3/channels")
    assert request.url.params["part"] == "statistics"
    assert request.url.params["id"] == CHANNEL
    assert connector.can(Capability.AUDIENCE)


def test_a_hidden_subscriber_count_is_said_plainly(youtube, connector):
    youtube.script("GET /youtube/v3/channels", ok("channels_statistics_hidden.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.audience()
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "hides its subscriber count" in caught.value.message
