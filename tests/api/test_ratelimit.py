"""Rate limit per token, with the standard headers."""

from __future__ import annotations

import pytest
from django.test import override_settings

from liant.api import ratelimit
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


@override_settings(LIANT_API_RATE_LIMIT=3)
def test_headers_count_down_then_a_429_problem_with_retry_after(api, seeded, monkeypatch):
    remaining = []
    for _n in range(3):
        response = api.get("/channels")
        assert response.status_code == 200
        assert response["RateLimit-Limit"] == "3"
        remaining.append(response["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = api.get("/channels")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:liant:problem:rate-limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit-Remaining"] == "0"
    assert int(refused["RateLimit-Reset"]) == int(refused["Retry-After"])
    # The next minute starts afresh.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_060.0)
    assert api.get("/channels").status_code == 200


@override_settings(LIANT_API_RATE_LIMIT=1)
def test_each_token_has_its_own_budget(api, seeded, workspace, owner):
    assert api.get("/channels").status_code == 200
    assert api.get("/channels").status_code == 429
    assert Api(token_for(workspace, owner, "read")).get("/channels").status_code == 200


def test_errors_carry_the_headers_too(api, seeded):
    response = api.get("/channels/999999")
    assert response.status_code == 404 and response["RateLimit-Limit"]
