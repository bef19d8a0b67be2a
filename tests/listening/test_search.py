"""Listening through the networks' own search, on Mastodon's documented payloads replayed."""

from __future__ import annotations

import pytest

from liant.channels import fetching
from liant.channels.models import Channel
from liant.listening.models import Mention, Query
from liant.listening.query import parse
from liant.listening.search import positive_terms, search_networks
from tests.connectors.mastodon.conftest import FakeInstance, error, make_connector

pytestmark = pytest.mark.django_db


def test_only_terms_that_can_match_are_searched():
    tree = parse('(torréfaction OR #cafe) -"light roast" NOT (pub OR -kenya)')
    assert [t.text for t in positive_terms(tree)] == ["torréfaction", "#cafe", "kenya"]


@pytest.fixture
def mastodon(workspace, monkeypatch):
    instance = FakeInstance()
    channel = Channel.objects.create(
        workspace=workspace,
        kind="mastodon",
        name="Mastodon",
        settings={"instance_url": "https://mastodon.example", "account_id": "1"},
    )
    channel.credentials = {"access_token": "t"}
    channel.save()
    monkeypatch.setattr(fetching, "connector_for", lambda ch, http=None: make_connector(instance))
    return instance


def test_search_and_hashtags_become_mentions_once(workspace, mastodon):
    Query.objects.create(
        workspace=workspace, name="Torréfaction", kind="topic", text='torréfaction -"light roasts"'
    )
    Query.objects.create(workspace=workspace, name="Tag", kind="topic", text="#cafe")

    report = search_networks(workspace)

    texts = {m.author_handle: m for m in Mention.objects.filter(workspace=workspace)}
    assert set(texts) == {"lea@social.example", "camille@piaille.example"}  # jordan excluded
    assert texts["lea@social.example"].author_followers == 1022
    assert texts["lea@social.example"].url.startswith("https://")
    assert report.stored == 2 and report.already_stored == 1  # lea came by search and by tag
    assert mastodon.sent("GET", "/api/v2/search") and mastodon.sent(
        "GET", "/api/v1/timelines/tag/cafe"
    )
    assert search_networks(workspace).stored == 0


def test_a_network_refusing_the_search_stops_that_channel_only(workspace, mastodon):
    Query.objects.create(workspace=workspace, name="T", kind="topic", text="torréfaction")
    mastodon.script(
        "GET", "/api/v2/search", error(429, "error_rate_limited.json", **{"Retry-After": "60"})
    )
    assert search_networks(workspace).stored == 0
    assert not Mention.objects.exists()
