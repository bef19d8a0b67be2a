"""Fetching notifications and direct conversations: mapping, pagination, no duplicates, and
what happens when the token, the rate limit, the server or a payload fails."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors.base import ConnectorError, ErrorKind, EventKind
from tests.connectors.mastodon.conftest import error, load, make_connector


def by_id(result):
    return {(str(e.kind), e.remote_id): e for e in result.events}


def test_notifications_and_conversations_become_events(instance, connector):
    result = connector.fetch({})
    events = by_id(result)
    assert result.errors == []
    assert set(events) == {
        ("comment", "113482455000000016"),  # a reply to one of our statuses
        ("reaction", "35000015"),  # favourite
        ("reaction", "35000014"),  # boost
        ("follow", "35000013"),
        ("mention", "113482440000000012"),
        ("direct_message", "113482460000000011"),  # a mention and its conversation: once
        ("direct_message", "113482300000000300"),  # only in the conversations
    }

    mention = events[("mention", "113482440000000012")]
    assert mention.author is not None
    assert mention.author.remote_id == "110000000000000777"
    assert mention.author.handle == "jordan_brews"
    assert mention.author.name == "Jordan Brews"
    assert mention.author.url == "https://mastodon.example/@jordan_brews"
    assert mention.author.avatar_url.startswith("https://files.mastodon.example/accounts/avatars/")
    assert (
        mention.text
        == "Best flat white in Lyon at @maisonlumiere — #coffee\n10/10 would queue again"
    )
    assert mention.html.startswith('<p>Best flat white in Lyon at <span class="h-card"')
    assert mention.url == "https://mastodon.example/@jordan_brews/113482440000000012"
    assert mention.language == "en"
    assert mention.parent_remote_id == ""
    assert mention.occurred_at == datetime(2026, 11, 22, 9, 41, 2, 519000, tzinfo=UTC)
    assert mention.raw["tags"] == ["coffee"]
    assert mention.raw["notification_id"] == "35000012"

    comment = events[("comment", "113482455000000016")]
    assert comment.parent_remote_id == "113482391727200001"
    assert comment.text == "@maisonlumiere Superbe, l'Éthiopie Guji ! Elle sera dispo en 250 g ?"

    favourite = events[("reaction", "35000015")]
    assert favourite.raw["type"] == "favourite"
    assert favourite.parent_remote_id == "113482391727200001"
    assert favourite.author is not None and favourite.author.handle == "jordan_brews"
    assert events[("reaction", "35000014")].raw["type"] == "reblog"

    follow = events[("follow", "35000013")]
    assert follow.author is not None and follow.author.handle == "lea@social.example"
    assert follow.url == "https://social.example/@lea"

    dm = events[("direct_message", "113482460000000011")]
    assert dm.thread_remote_id == "418450"
    assert "commande n°4821" in dm.text
    lea_dm = events[("direct_message", "113482300000000300")]
    assert lea_dm.thread_remote_id == "418300"
    # Our own last message in conversation 418374 is not an event.
    assert ("direct_message", "113482400000000374") not in events


def test_without_our_account_id_every_mention_is_a_mention(instance):
    connector = make_connector(instance, account_id="")
    kinds = {e.remote_id: e.kind for e in connector.fetch({}).events}
    assert kinds["113482455000000016"] is EventKind.MENTION


def test_it_asks_only_for_the_notification_types_it_maps(instance, connector):
    connector.fetch({})
    request = instance.sent("GET", "/api/v1/notifications")[0]
    assert request.url.params.get_list("types[]") == ["mention", "follow", "favourite", "reblog"]


def test_a_second_fetch_returns_nothing_already_returned(instance, connector):
    first = connector.fetch({})
    assert first.cursor["notification_id"] == "35000016"
    assert first.cursor["conversations"] == {
        "418450": "113482460000000011",
        "418374": "113482400000000374",
        "418300": "113482300000000300",
    }

    second = connector.fetch(first.cursor)

    assert second.events == []
    assert second.errors == []
    assert second.cursor == first.cursor
    request = instance.sent("GET", "/api/v1/notifications")[-1]
    assert request.url.params["min_id"] == "35000016"


def test_a_later_fetch_returns_only_what_is_new(instance, connector):
    cursor = connector.fetch({}).cursor
    instance.notifications += load("notifications_newer.json")
    conversation = load("conversations.json")[2]
    conversation["last_status"] = load("notifications_newer.json")[0]["status"] | {
        "id": "113482520000000099",
        "visibility": "direct",
    }
    instance.conversations[2] = conversation

    result = connector.fetch(cursor)

    assert [(str(e.kind), e.remote_id) for e in result.events] == [
        ("mention", "113482520000000021"),
        ("direct_message", "113482520000000099"),
    ]
    assert result.cursor["notification_id"] == "35000021"
    assert result.cursor["conversations"]["418300"] == "113482520000000099"


def test_pages_are_followed_through_the_link_header(instance, connector):
    instance.page_cap = 2  # the server gives two notifications per page
    first = connector.fetch({})
    pages = instance.sent("GET", "/api/v1/notifications")
    assert [p.url.params.get("max_id") for p in pages] == [None, "35000015", "35000013", "35000011"]
    assert len(by_id(first)) == 7

    # Forward from the cursor, through rel="prev" (min_id), oldest page first.
    instance.notifications += [
        n | {"id": str(35000040 + i)} for i, n in enumerate(load("notifications.json")[4:])
    ]
    connector.fetch(first.cursor)
    forward = instance.sent("GET", "/api/v1/notifications")[len(pages) :]
    assert [p.url.params.get("min_id") for p in forward] == ["35000016", "35000041"]
    assert all("since_id" not in p.url.params for p in forward)


def test_a_link_to_another_server_is_not_followed(instance, connector):
    def page(request):
        return httpx.Response(
            200,
            json=load("notifications.json")[:1],
            headers={"Link": '<https://evil.example/api/v1/notifications?max_id=1>; rel="next"'},
        )

    instance.script("GET", "/api/v1/notifications", page)
    connector.fetch({})
    assert all(r.url.host == "mastodon.example" for r in instance.requests)


def test_a_malformed_notification_is_reported_and_the_others_are_kept(instance, connector):
    instance.notifications = load("notifications_malformed.json")
    result = connector.fetch({})
    kept = {(str(e.kind), e.remote_id) for e in result.events}
    assert ("follow", "35000033") in kept
    assert ("mention", "113482530000000030") in kept
    assert sorted(e.message for e in result.errors) == [
        "notification 35000031: the notification has no account",
        "notification 35000032: the notification has no status",
    ]
    # The broken ones are behind the cursor: reported once, not at every fetch.
    assert result.cursor["notification_id"] == "35000033"


def test_an_answer_that_is_not_a_list_is_a_clear_permanent_error(instance, connector):
    instance.script("GET", "/api/v1/notifications", httpx.Response(200, json={"id": "1"}))
    with pytest.raises(ConnectorError) as failure:
        connector.fetch({})
    assert failure.value.kind is ErrorKind.PERMANENT
    assert failure.value.message == (
        "Mastodon answered /api/v1/notifications with a JSON dict where a list of "
        "notifications was expected."
    )


def test_an_answer_that_is_not_json_is_a_clear_permanent_error(instance, connector):
    instance.script(
        "GET", "/api/v1/notifications", httpx.Response(200, text="<html>Maintenance</html>")
    )
    with pytest.raises(ConnectorError, match="not JSON"):
        connector.fetch({})


def test_a_token_that_expires_mid_run_is_auth_expired(instance, connector):
    instance.page_cap = 2
    first_page = instance.routes[("GET", "/api/v1/notifications")]
    instance.script(
        "GET", "/api/v1/notifications", first_page, error(401, "error_token_invalid.json")
    )
    with pytest.raises(ConnectorError) as failure:
        connector.fetch({})
    assert failure.value.kind is ErrorKind.AUTH_EXPIRED
    assert "The access token is invalid" in failure.value.message
    first, second = instance.sent("GET", "/api/v1/notifications")
    assert second.url.params["max_id"] == "35000015"  # it died on the second page


def test_a_429_is_rate_limited_with_the_retry_after(instance, connector):
    instance.script(
        "GET",
        "/api/v1/notifications",
        error(
            429,
            "error_rate_limited.json",
            **{
                "Retry-After": "120",
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "2026-11-22T12:05:00.000Z",
            },
        ),
    )
    with pytest.raises(ConnectorError) as failure:
        connector.fetch({})
    assert failure.value.kind is ErrorKind.RATE_LIMITED
    assert failure.value.retry_after == 120
    assert "Too many requests" in failure.value.message
    assert len(instance.requests) == 1


def test_a_503_then_success_is_retried(instance, connector):
    instance.script("GET", "/api/v1/notifications", httpx.Response(503, text="Service Unavailable"))
    result = connector.fetch({})
    assert len(result.events) == 7
    failed, retried, next_page = instance.sent("GET", "/api/v1/notifications")
    assert failed.url == retried.url
    assert next_page.url.params["max_id"] == "35000011"


def test_a_channel_without_a_token_is_auth_expired_before_any_request(instance):
    connector = make_connector(instance, token="")
    with pytest.raises(ConnectorError) as failure:
        connector.fetch({})
    assert failure.value.kind is ErrorKind.AUTH_EXPIRED
    assert instance.requests == []
