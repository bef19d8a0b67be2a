"""A channel's subscribers from getChatMemberCount."""

from __future__ import annotations

from liant.connectors.base import Capability
from liant.connectors.telegram.demo import SETTINGS


def test_audience_counts_the_chats_members(bot_api, connector):
    audience = connector.audience()
    assert (audience.followers, audience.following, audience.extra) == (1843, None, {})
    assert bot_api.sent("getChatMemberCount") == [{"chat_id": SETTINGS["chat_id"]}]
    assert connector.can(Capability.AUDIENCE)
