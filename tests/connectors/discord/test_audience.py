"""A server's members from GET /guilds/{id}?with_counts=true."""

from __future__ import annotations

import pytest

from liant.connectors.base import Capability, ConnectorError
from tests.connectors.discord.conftest import GUILD, ok


def test_audience_reads_the_approximate_member_count(discord, connector):
    discord.script(f"GET /guilds/{GUILD}$", ok("guild_with_counts.json"))
    audience = connector.audience()
    assert (audience.followers, audience.following) == (864, None)
    assert audience.extra == {"online": 131}
    (request,) = discord.sent("GET", rf"/guilds/{GUILD}$")
    assert request.url.params["with_counts"] == "true"
    assert connector.can(Capability.AUDIENCE)


def test_a_guild_without_counts_is_an_error(discord, connector):
    with pytest.raises(ConnectorError) as caught:
        connector.audience()  # guild.json: asked without with_counts
    assert "approximate_member_count" in caught.value.message
