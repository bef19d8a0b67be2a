"""Every error under /api/v1/ is a problem: unknown address, wrong method, a crash."""

from __future__ import annotations

import pytest

from liant.api.routers import channels

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_404_problem(api, seeded):
    response = api.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/nothing-here"


def test_a_wrong_method_is_a_405_problem_with_allow(api, seeded):
    response = api.client.delete("/api/v1/channels", headers=api.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_a_crash_is_a_500_problem_that_says_nothing_inside(api, seeded, monkeypatch):
    def boom(channel):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(channels, "channel_detail", boom)
    response = api.get(f"/channels/{seeded.channel.pk}")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "secret" not in response.content.decode()


def test_a_body_that_is_not_json_is_a_problem(api, seeded):
    response = api.client.post(
        "/api/v1/posts", "{nope", content_type="application/json", headers=api.headers
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_problems_speak_the_callers_language(api, seeded):
    response = api.client.get(
        "/api/v1/channels/999999", headers={**api.headers, "Accept-Language": "fr"}
    )
    assert response.status_code == 404
    assert response.json()["title"]  # translated by the catalogue once it has the msgid
