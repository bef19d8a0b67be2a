"""Search and hashtags for listening, counters of published statuses, and moderation."""

from __future__ import annotations

import httpx
import pytest

from liant.connectors.base import Capability, ConnectorError, ErrorKind, EventKind, ModerationAction
from tests.connectors.mastodon.conftest import error, load


def test_search_returns_statuses_as_posts(instance, connector):
    events = connector.search("torréfaction")
    (request,) = instance.sent("GET", "/api/v2/search")
    assert request.url.params["q"] == "torréfaction"
    assert request.url.params["type"] == "statuses"
    assert request.url.params["resolve"] == "false"
    assert [e.remote_id for e in events] == ["113481000000000101", "113480900000000102"]
    assert all(e.kind is EventKind.POST for e in events)
    # A shortened link keeps its full address in the text.
    assert events[1].text == (
        "Torréfaction: light roasts win for filter. https://blog.example/roasting-notes"
    )
    assert connector.can(Capability.SEARCH)


def test_search_can_continue_from_the_newest_status_seen(instance, connector):
    connector.search("guji", newer_than="113481000000000101")
    assert instance.sent("GET", "/api/v2/search")[0].url.params["min_id"] == "113481000000000101"


def test_a_hashtag_timeline_returns_posts(instance, connector):
    events = connector.hashtag("#cafe")
    assert [r.url.path for r in instance.requests] == ["/api/v1/timelines/tag/cafe"]
    assert [e.remote_id for e in events] == ["113482000000000201", "113481000000000101"]
    assert events[0].raw["tags"] == ["cafe"]
    assert events[0].author is not None and events[0].author.handle == "camille@piaille.example"


def test_an_unknown_hashtag_is_an_empty_timeline(instance, connector):
    assert connector.hashtag("jamaisvu") == []


def test_an_unreadable_status_is_left_out_of_a_listening_sample(instance, connector):
    broken = load("tag_timeline.json")
    del broken[0]["account"]
    instance.script("GET", "/api/v1/timelines/tag/cafe", httpx.Response(200, json=broken))
    assert [e.remote_id for e in connector.hashtag("cafe")] == ["113481000000000101"]


def test_metrics_read_favourites_reblogs_and_replies_and_skip_deleted_statuses(instance, connector):
    instance.script("GET", r"/api/v1/statuses/(\d+)", error(404, "error_not_found.json"))
    metrics = connector.metrics(["113482391700000000", "113482391727200001"])
    assert [m.remote_id for m in metrics] == ["113482391727200001"]
    assert metrics[0].values == {"favourites": 48, "reblogs": 12, "replies": 3}
    assert len(instance.sent("GET", "/api/v1/statuses/113482391700000000")) == 1


def test_metrics_read_a_polls_counts_back(instance, connector):
    instance.script(
        "GET", r"/api/v1/statuses/(\d+)", httpx.Response(200, json=load("status_poll.json"))
    )
    [metrics] = connector.metrics(["113482391727200777"])
    assert metrics.values == {
        "favourites": 9,
        "reblogs": 5,
        "replies": 2,
        "poll_votes": 57,
        "poll_option_0": 21,
        "poll_option_1": 30,
        "poll_option_2": 6,
    }
    hidden = load("status_poll.json")
    hidden["poll"]["options"][0]["votes_count"] = None  # totals hidden until the end
    instance.script("GET", r"/api/v1/statuses/(\d+)", httpx.Response(200, json=hidden))
    [metrics] = connector.metrics(["113482391727200777"])
    assert "poll_option_0" not in metrics.values and metrics.values["poll_option_1"] == 30


def test_delete_removes_our_own_status(instance, connector):
    connector.moderate("113482391727200001", ModerationAction.DELETE)
    (request,) = instance.requests
    assert (request.method, request.url.path) == ("DELETE", "/api/v1/statuses/113482391727200001")
    assert request.headers["Authorization"].startswith("Bearer ")


def test_deleting_someone_elses_status_says_mastodon_does_not_allow_it(instance, connector):
    instance.script("DELETE", r"/api/v1/statuses/(\d+)", error(404, "error_not_found.json"))
    with pytest.raises(ConnectorError) as failure:
        connector.moderate("113482440000000012", ModerationAction.DELETE)
    assert failure.value.kind is ErrorKind.PERMANENT
    assert "deletes only the account's own statuses" in failure.value.message


@pytest.mark.parametrize(
    "action",
    [
        ModerationAction.BLOCK,
        ModerationAction.MUTE,
        ModerationAction.UNBLOCK,
        ModerationAction.UNMUTE,
    ],
)
def test_block_and_mute_act_on_the_author_account(instance, connector, action):
    connector.moderate("110000000000000777", action)
    (request,) = instance.requests
    assert request.method == "POST"
    assert request.url.path == f"/api/v1/accounts/110000000000000777/{action.value}"


def test_a_block_is_retried_after_a_server_error_because_it_is_idempotent(instance, connector):
    instance.script("POST", r"/api/v1/accounts/(\d+)/block", httpx.Response(502))
    connector.moderate("110000000000000777", ModerationAction.BLOCK)
    assert len(instance.requests) == 2


@pytest.mark.parametrize(
    "action", [ModerationAction.HIDE, ModerationAction.KICK, ModerationAction.BAN]
)
def test_actions_mastodon_has_no_api_for_are_refused_without_a_request(instance, connector, action):
    with pytest.raises(ConnectorError) as failure:
        connector.moderate("113482440000000012", action)
    assert failure.value.kind is ErrorKind.PERMANENT
    assert "Mastodon's API does not allow it" in failure.value.message
    assert instance.requests == []
