"""The Matrix connector against a real Synapse homeserver started by the test session."""

from __future__ import annotations

import httpx
import pytest

from liant.connectors.base import (
    Author,
    ConnectorError,
    Draft,
    ErrorKind,
    EventKind,
    ModerationAction,
)
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.connectors.matrix.connector import MatrixConnector, login


def test_login_and_whoami(room, synapse):
    with HttpClient(MemoryRecorder()) as http:
        credentials = login(http, synapse.url, room.brand["user_id"], "brand-password")
    connector = MatrixConnector(
        {"homeserver": synapse.url}, credentials, HttpClient(MemoryRecorder())
    )
    assert connector.check_connection() == room.brand["user_id"]


def test_a_wrong_password_is_refused(room, synapse):
    with HttpClient(MemoryRecorder()) as http, pytest.raises(ConnectorError) as error:
        login(http, synapse.url, room.brand["user_id"], "wrong")
    assert error.value.kind is ErrorKind.AUTH_EXPIRED


def test_messages_are_fetched_once_then_only_new_ones(room):
    connector = room.brand_connector()
    room.member_says("Bonjour ! Le nouveau café d'Éthiopie est-il en stock ?")
    first = connector.fetch({})
    texts = [e.text for e in first.events if e.kind is not EventKind.MEMBERSHIP]
    assert texts == ["Bonjour ! Le nouveau café d'Éthiopie est-il en stock ?"]
    assert first.cursor["next_batch"]
    again = connector.fetch(first.cursor)
    assert again.events == []
    room.member_says("Et en grains ?")
    third = connector.fetch(again.cursor)
    assert [e.text for e in third.events] == ["Et en grains ?"]
    event = third.events[0]
    assert event.author.remote_id == room.member["user_id"]
    assert event.remote_id.startswith(room.room_id + "|$")


def test_a_mention_of_the_brand_is_a_mention(room):
    connector = room.brand_connector()
    cursor = connector.fetch({}).cursor
    room.member_says(
        f"{room.brand['user_id']} pouvez-vous m'aider ?",
        **{"m.mentions": {"user_ids": [room.brand["user_id"]]}},
    )
    [event] = connector.fetch(cursor).events
    assert event.kind is EventKind.MENTION


def test_a_reply_goes_into_the_thread_and_reads_back(room):
    connector = room.brand_connector()
    room.member_says("Quels sont vos horaires ?")
    [question] = [e for e in connector.fetch({}).events if e.kind is not EventKind.MEMBERSHIP]
    sent = connector.reply(
        question, Draft(text="Du mardi au samedi, 9 h – 19 h.", idempotency_key="reply-1")
    )
    _room, event_id = sent.remote_id.split("|")
    stored = room.member_client._call(
        "GET", f"/_matrix/client/v3/rooms/{room.room_id}/event/{event_id}"
    )
    relation = stored["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread"
    assert relation["m.in_reply_to"]["event_id"] == question.remote_id.split("|")[1]
    assert stored["content"]["body"] == "Du mardi au samedi, 9 h – 19 h."


def test_the_same_transaction_is_sent_once(room):
    connector = room.brand_connector()
    first = connector.publish(
        Draft(text="Nouvelle torréfaction ce samedi !", idempotency_key="post-42")
    )
    second = connector.publish(
        Draft(text="Nouvelle torréfaction ce samedi !", idempotency_key="post-42")
    )
    assert first.remote_id == second.remote_id
    messages = room.member_client._call(
        "GET", f"/_matrix/client/v3/rooms/{room.room_id}/messages", params={"dir": "b", "limit": 50}
    )
    bodies = [e["content"].get("body") for e in messages["chunk"] if e["type"] == "m.room.message"]
    assert bodies.count("Nouvelle torréfaction ce samedi !") == 1


def test_moderation_redacts_kicks_and_bans(room):
    connector = room.brand_connector()
    insult = room.member_says("message insultant")
    connector.moderate(f"{room.room_id}|{insult}", ModerationAction.DELETE)
    redacted = room.member_client._call(
        "GET", f"/_matrix/client/v3/rooms/{room.room_id}/event/{insult}"
    )
    assert redacted["content"] == {}
    spam = room.member_says("spam spam spam")
    connector.moderate(f"{room.room_id}|{spam}", ModerationAction.BAN)
    state = connector._call(
        "GET",
        f"/_matrix/client/v3/rooms/{room.room_id}/state/m.room.member/{room.member['user_id']}",
    )
    assert state["membership"] == "ban"
    connector.moderate(f"{room.room_id}|{spam}", ModerationAction.UNBAN)  # an appeal won
    state = connector._call(
        "GET",
        f"/_matrix/client/v3/rooms/{room.room_id}/state/m.room.member/{room.member['user_id']}",
    )
    assert state["membership"] == "leave"
    with pytest.raises(ConnectorError, match="no 'mute'"):
        connector.moderate(f"{room.room_id}|{spam}", ModerationAction.MUTE)


def test_a_direct_message_opens_a_private_room(room):
    connector = room.brand_connector()
    sent = connector.send_direct(
        Author(remote_id=room.member["user_id"]), Draft(text="Votre colis est parti.")
    )
    dm_room = sent.remote_id.split("|")[0]
    assert dm_room != room.room_id
    sync = room.member_client._call("GET", "/_matrix/client/v3/sync", params={"timeout": 0})
    assert dm_room in sync["rooms"]["invite"]


def test_a_revoked_token_is_an_expired_sign_in(room, synapse):
    with HttpClient(MemoryRecorder()) as http:
        credentials = login(http, synapse.url, room.brand["user_id"], "brand-password")
    connector = MatrixConnector(
        {"homeserver": synapse.url}, credentials, HttpClient(MemoryRecorder())
    )
    connector._call("POST", "/_matrix/client/v3/logout", body={})
    with pytest.raises(ConnectorError) as error:
        connector.fetch({})
    assert error.value.kind is ErrorKind.AUTH_EXPIRED


def replaying(*responses):
    queue = list(responses)
    return HttpClient(
        MemoryRecorder(),
        transport=httpx.MockTransport(lambda request: queue.pop(0)),
        sleep=lambda s: None,
        check_urls=False,
    )


def connector_on(http):
    return MatrixConnector(
        {"homeserver": "https://matrix.example.org"}, {"access_token": "t"}, http
    )


def test_a_429_from_the_homeserver_is_rate_limited():
    body = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 2000}
    http = replaying(httpx.Response(429, json=body, headers={"Retry-After": "2"}))
    with pytest.raises(ConnectorError) as error:
        connector_on(http).fetch({})
    assert error.value.kind is ErrorKind.RATE_LIMITED and error.value.retry_after == 2


def test_a_5xx_then_success_is_retried():
    ok = {"next_batch": "s1", "rooms": {"join": {}}}
    http = replaying(httpx.Response(502), httpx.Response(200, json=ok))
    assert connector_on(http).fetch({}).cursor == {"next_batch": "s1"}


def test_a_malformed_event_is_reported_and_the_others_kept():
    sync = {
        "next_batch": "s2",
        "rooms": {
            "join": {
                "!r:example.org": {
                    "timeline": {
                        "events": [
                            {
                                "type": "m.room.message",
                                "event_id": "$bad",
                                "content": {"body": "x"},
                            },
                            {
                                "type": "m.room.message",
                                "event_id": "$good",
                                "sender": "@ines:example.org",
                                "origin_server_ts": 1795435200000,
                                "content": {"msgtype": "m.text", "body": "Bonjour"},
                            },
                        ]
                    }
                }
            }
        },
    }
    result = connector_on(replaying(httpx.Response(200, json=sync))).fetch({})
    assert [e.remote_id for e in result.events] == ["!r:example.org|$good"]
    assert result.errors and "$bad" in result.errors[0].message


def test_a_sync_without_next_batch_is_a_clear_error():
    with pytest.raises(ConnectorError, match="next_batch"):
        connector_on(replaying(httpx.Response(200, json={"rooms": {}}))).fetch({})
