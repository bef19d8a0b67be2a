"""An organisation's followers from networkSizes (COMPANY_FOLLOWED_BY_MEMBER)."""

from __future__ import annotations

from liant.connectors.base import Capability
from tests.connectors.linkedin.conftest import ORG


def test_audience_reads_the_first_degree_size(linkedin, connector):
    audience = connector.audience()
    assert (audience.followers, audience.following, audience.extra) == (1843, None, {})
    (request,) = linkedin.sent("GET", r"/rest/networkSizes/")
    assert request.url.params["edgeType"] == "COMPANY_FOLLOWED_BY_MEMBER"
    assert request.url.path.endswith(f"/networkSizes/{ORG}")
    assert connector.can(Capability.AUDIENCE)
