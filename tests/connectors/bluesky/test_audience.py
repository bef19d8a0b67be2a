"""Followers from app.bsky.actor.getProfile (profileViewDetailed)."""

from __future__ import annotations

import httpx

from liant.connectors.base import Capability
from tests.connectors.bluesky.conftest import fixture


def test_audience_reads_the_profile_of_the_accounts_own_did(pds, connector):
    pds.queue("app.bsky.actor.getProfile", httpx.Response(200, json=fixture("getProfile")))
    audience = connector.audience()
    assert (audience.followers, audience.following) == (612, 148)
    assert audience.extra == {"posts": 233}
    (request,) = [r for r in pds.requests if r.url.path.endswith("getProfile")]
    assert request.url.params["actor"] == "did:plc:ml4brand7xq2lumiere3cafe"
    assert connector.can(Capability.AUDIENCE)
