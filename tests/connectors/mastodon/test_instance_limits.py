"""A Mastodon server says its own limits (GET /api/v2/instance); the composer's rules and the
publisher's checks use them instead of the documented defaults."""

from __future__ import annotations

import copy

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.mastodon.connector import (
    MastodonConnector,
    read_instance_limits,
    rules_for,
)
from tests.connectors.mastodon.conftest import error, load, make_connector


def limits_of(instance, answer=None):
    if answer is not None:
        instance.route("GET", "/api/v2/instance", answer)
    http = HttpClient(
        MemoryRecorder(), transport=instance.transport(), sleep=lambda s: None, check_urls=False
    )
    return read_instance_limits(http, "https://mastodon.example")


def a_big_server():
    data = copy.deepcopy(load("instance_v2.json"))
    config = data["configuration"]
    config["statuses"] |= {"max_characters": 5000, "characters_reserved_per_url": 30}
    config["polls"] |= {"max_options": 8, "max_characters_per_option": 100}
    config["media_attachments"]["supported_mime_types"] = ["image/png", "video/mp4"]
    config["media_attachments"]["description_limit"] = 3000
    return data


def test_the_documented_instance_gives_the_documented_rules(instance):
    limits = limits_of(instance)
    rules = rules_for(limits)
    assert (rules.max_length, rules.max_media, rules.max_alt_text) == (500, 4, 1500)
    assert rules.max_image_bytes == 16777216 and rules.max_video_bytes == 103809024
    assert "image/webp" in rules.media_types and "audio/mpeg" not in rules.media_types
    assert rules.count("https://maison-lumiere.example/une/très/longue/adresse") == 23


def test_a_server_allowing_more_widens_the_composer(instance):
    limits = limits_of(instance, httpx.Response(200, json=a_big_server()))
    connector = make_connector(instance, limits=limits.model_dump(exclude_none=True))

    assert connector.rules.max_length == 5000
    assert connector.rules.media_types == frozenset({"image/png", "video/mp4"})
    assert connector.rules.remaining("x" * 600) == 4400
    assert connector.rules.count("voir https://maison-lumiere.example/carte") == 5 + 30
    assert connector.rules.check("x" * 600) == []
    assert MastodonConnector.rules.max_length == 500  # the class keeps the defaults


def test_a_poll_is_checked_against_the_servers_limits_before_sending(instance):
    limits = limits_of(instance, httpx.Response(200, json=a_big_server()))
    big = make_connector(instance, limits=limits.model_dump(exclude_none=True))
    small = make_connector(instance)
    six = {"options": [f"Choix {n}" for n in range(6)], "expires_in": 3600}

    sent = big.publish(Draft(text="Votre café préféré ?", extras={"poll": six}))
    assert sent.remote_id
    with pytest.raises(ConnectorError, match="at most 4 choices"):
        small.publish(Draft(text="Votre café préféré ?", extras={"poll": six}))
    with pytest.raises(ConnectorError, match="5 minutes to 30 days"):
        small.publish(
            Draft(text="Vite !", extras={"poll": {"options": ["oui", "non"], "expires_in": 60}})
        )
    assert len(instance.sent("POST", "/api/v1/statuses")) == 1


@pytest.mark.parametrize(
    "answer",
    [
        error(404, "error_not_found.json"),
        httpx.Response(200, text="<html>Maintenance</html>"),
        httpx.Response(200, json={"configuration": {"statuses": {"max_characters": "lots"}}}),
        httpx.Response(503, text="Service Unavailable"),
    ],
    ids=["absent", "not-json", "wrong-type", "down"],
)
def test_a_server_that_says_nothing_usable_keeps_the_defaults(instance, answer):
    instance.route("GET", "/api/v1/instance", error(404, "error_not_found.json"))
    rules = rules_for(limits_of(instance, answer))
    assert rules.max_length == 500 and rules.max_media == 4


def test_an_older_server_answers_on_the_first_version_of_the_api(instance):
    instance.route("GET", "/api/v1/instance", httpx.Response(200, json={"max_toot_chars": 1000}))
    limits = limits_of(instance, error(404, "error_not_found.json"))
    assert rules_for(limits).max_length == 1000
