"""The Bluesky connector on the documented XRPC payloads, replayed by a fake PDS."""

from __future__ import annotations

import json

import httpx
import pytest

from liant.connectors.base import (
    ConnectorError,
    Draft,
    ErrorKind,
    EventKind,
    Media,
    ModerationAction,
)
from liant.connectors.bluesky.connector import BlueskyConnector, create_session, facets, tid_from
from liant.connectors.http import HttpClient, MemoryRecorder
from tests.connectors.bluesky.conftest import SERVICE, fixture

OWN_POST = "at://did:plc:ml4brand7xq2lumiere3cafe/app.bsky.feed.post/3lbyroast2026"


def body_of(request: httpx.Request) -> dict:
    return json.loads(request.content)


def test_signing_in_with_an_app_password(pds):
    http = HttpClient(MemoryRecorder(), transport=httpx.MockTransport(pds.handle), check_urls=False)
    session = create_session(http, SERVICE, "maisonlumiere.bsky.social", "abcd-efgh-ijkl-mnop")
    assert session["did"] == "did:plc:ml4brand7xq2lumiere3cafe"
    with pytest.raises(ConnectorError) as error:
        create_session(http, SERVICE, "maisonlumiere.bsky.social", "wrong")
    assert error.value.kind is ErrorKind.AUTH_EXPIRED
    assert "Invalid identifier or password" in error.value.message


def test_check_connection(connector):
    assert connector.check_connection() == "@maisonlumiere.bsky.social"


def test_facets_count_utf8_bytes_for_links_mentions_and_tags():
    text = "Café ☕ avec @jose.bsky.social #torréfaction https://maison-lumiere.example/guji"
    found = facets(
        text, lambda handle: "did:plc:jose5martin2client" if handle == "jose.bsky.social" else None
    )
    raw = text.encode()
    by_type = {f["features"][0]["$type"].rsplit("#", 1)[1]: f for f in found}
    for kind, expected in [
        ("mention", "@jose.bsky.social"),
        ("tag", "#torréfaction"),
        ("link", "https://maison-lumiere.example/guji"),
    ]:
        index = by_type[kind]["index"]
        assert raw[index["byteStart"] : index["byteEnd"]].decode() == expected
    assert by_type["mention"]["features"][0]["did"] == "did:plc:jose5martin2client"
    assert by_type["tag"]["features"][0]["tag"] == "torréfaction"


def test_an_unknown_handle_stays_plain_text():
    assert facets("merci @personne.example", lambda handle: None) == []


def test_publish_with_images_alt_text_and_facets(connector, pds):
    draft = Draft(
        text="Nouveau : Éthiopie Guji ☕ https://maison-lumiere.example/guji #café",
        media=[
            Media("image/jpeg", b"\xff\xd8jpeg-bytes", alt_text="Sachet de café Guji"),
            Media("image/png", b"\x89PNG", alt_text="Tasse"),
        ],
        idempotency_key="post-17",
        extras={"language": "fr"},
    )
    sent = connector.publish(draft)
    assert (
        sent.remote_id
        == f"at://did:plc:ml4brand7xq2lumiere3cafe/app.bsky.feed.post/{tid_from('post-17')}"
    )
    assert sent.url.startswith("https://bsky.app/profile/maisonlumiere.bsky.social/post/")
    [create] = pds.sent("com.atproto.repo.createRecord")
    record = body_of(create)["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["langs"] == ["fr"]
    assert [i["alt"] for i in record["embed"]["images"]] == ["Sachet de café Guji", "Tasse"]
    assert [u.headers["content-type"] for u in pds.sent("com.atproto.repo.uploadBlob")] == [
        "image/jpeg",
        "image/png",
    ]
    assert {f["features"][0]["$type"] for f in record["facets"]} == {
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    }


def test_a_retried_publish_finds_the_first_post_instead_of_posting_twice(connector, pds):
    draft = Draft(text="Une seule fois", idempotency_key="post-18")
    first = connector.publish(draft)
    second = connector.publish(draft)  # e.g. the worker died after Bluesky answered
    assert first.remote_id == second.remote_id
    assert len(pds.records) == 1


def test_a_5xx_on_create_with_a_key_is_retried_with_the_same_record_key(connector, pds):
    pds.queue("com.atproto.repo.createRecord", httpx.Response(502))
    connector.publish(Draft(text="Retry", idempotency_key="post-19"))
    keys = [body_of(r)["rkey"] for r in pds.sent("com.atproto.repo.createRecord")]
    assert keys == [tid_from("post-19")] * 2
    assert len(pds.records) == 1


def test_a_5xx_on_create_without_a_key_is_not_retried(connector, pds):
    pds.queue("com.atproto.repo.createRecord", httpx.Response(502))
    with pytest.raises(ConnectorError) as error:
        connector.publish(Draft(text="No key"))
    assert error.value.kind is ErrorKind.TRANSIENT
    assert len(pds.sent("com.atproto.repo.createRecord")) == 1


def test_a_reply_points_to_the_thread_root_and_the_parent(connector, pds):
    [reply_notification] = [e for e in connector.fetch({}).events if e.kind is EventKind.COMMENT]
    sent = connector.reply(reply_notification, Draft(text="Oui, en 48 h !", idempotency_key="r1"))
    record = pds.records[sent.remote_id]
    assert record["reply"]["parent"] == {
        "uri": reply_notification.remote_id,
        "cid": "bafyreia3reply",
    }
    assert record["reply"]["root"]["uri"] == OWN_POST


def test_a_reply_to_our_own_post_reads_the_parent_from_our_repository(connector, pds):
    pds.records[OWN_POST] = {"$type": "app.bsky.feed.post", "text": "Torréfaction du jour"}
    sent = connector.publish(Draft(text="Merci à tous", reply_to=OWN_POST))
    ref = {"uri": OWN_POST, "cid": "bafyrei3lbyroast2026"}
    assert pds.records[sent.remote_id]["reply"] == {"root": ref, "parent": ref}
    assert not pds.sent("app.bsky.feed.getPosts")


def test_a_reply_to_someone_elses_post_asks_the_appview(connector, pds):
    other = "at://did:plc:jose5martin2client/app.bsky.feed.post/3lbyq"
    post = fixture("getPosts")["posts"][0] | {"uri": other, "cid": "bafyreijose"}
    pds.queue("app.bsky.feed.getPosts", httpx.Response(200, json={"posts": [post]}))
    sent = connector.publish(Draft(text="Merci José", reply_to=other))
    assert pds.records[sent.remote_id]["reply"]["root"] == {"uri": other, "cid": "bafyreijose"}
    assert not pds.sent("com.atproto.repo.getRecord")


def test_notifications_become_events_of_the_right_kind(connector):
    result = connector.fetch({})
    kinds = {e.remote_id.rsplit("/", 2)[1]: e.kind for e in result.events}
    assert [e.kind for e in result.events] == [
        EventKind.MENTION,
        EventKind.COMMENT,
        EventKind.REACTION,
        EventKind.FOLLOW,
    ]
    mention = result.events[0]
    assert mention.author.handle == "jose.bsky.social" and mention.author.name == "José Martin"
    assert mention.text.endswith("votre café Guji est incroyable ☕")
    assert mention.language == "fr"
    assert mention.occurred_at.isoformat() == "2026-11-21T10:15:00+00:00"
    assert result.events[2].parent_remote_id == OWN_POST
    assert result.cursor == {"indexed_at": "2026-11-21T10:15:01.200Z"}
    assert kinds


def test_a_second_fetch_returns_nothing_already_seen(connector, pds):
    first = connector.fetch({})
    again = connector.fetch(first.cursor)
    assert again.events == []
    newer = fixture("listNotifications")
    newer["notifications"][0] = newer["notifications"][0] | {
        "uri": "at://did:plc:jose5martin2client/app.bsky.feed.post/3lbznewer0000",
        "indexedAt": "2026-11-21T11:00:00.000Z",
    }
    pds.queue("app.bsky.notification.listNotifications", httpx.Response(200, json=newer))
    third = connector.fetch(again.cursor)
    assert [e.remote_id for e in third.events] == [
        "at://did:plc:jose5martin2client/app.bsky.feed.post/3lbznewer0000"
    ]


def test_a_malformed_notification_is_reported_and_the_others_kept(connector, pds):
    page = fixture("listNotifications")
    del page["notifications"][1]["author"]
    page["notifications"][2]["reason"] = "starterpack-joined-but-unknown"
    pds.queue("app.bsky.notification.listNotifications", httpx.Response(200, json=page))
    result = connector.fetch({})
    assert [e.kind for e in result.events] == [EventKind.MENTION, EventKind.FOLLOW]
    assert len(result.errors) == 2 and "3lbz6aaaa2c2x" in result.errors[0].message


def test_an_answer_without_a_list_is_a_clear_error(connector, pds):
    pds.queue("app.bsky.notification.listNotifications", httpx.Response(200, json={"cursor": "x"}))
    with pytest.raises(ConnectorError, match="cannot be read"):
        connector.fetch({})


def test_an_expired_session_is_refreshed_mid_run(connector, pds):
    pds.access = "eyJhbGciOiJFUzI1NksifQ.rotated.signature"  # the PDS no longer takes our token
    pds.queue(
        "com.atproto.server.refreshSession",
        httpx.Response(200, json=fixture("createSession") | {"accessJwt": pds.access}),
    )
    result = connector.fetch({})
    assert len(result.events) == 4
    assert connector.credentials["accessJwt"] == pds.access


def test_a_session_that_cannot_be_refreshed_is_an_expired_sign_in(connector, pds):
    pds.access = "something-else"
    pds.queue(
        "com.atproto.server.refreshSession",
        httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has been revoked"}),
    )
    with pytest.raises(ConnectorError) as error:
        connector.fetch({})
    assert error.value.kind is ErrorKind.AUTH_EXPIRED


def test_a_429_with_the_rate_limit_headers_is_rate_limited(connector, pds, recorder):
    headers = {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "1795435500",
        "Retry-After": "300",
    }
    pds.queue(
        "app.bsky.notification.listNotifications",
        httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers=headers,
        ),
    )
    with pytest.raises(ConnectorError) as error:
        connector.fetch({})
    assert error.value.kind is ErrorKind.RATE_LIMITED and error.value.retry_after == 300
    assert recorder.until is not None


def test_a_5xx_then_success_on_a_read(connector, pds):
    pds.queue("app.bsky.notification.listNotifications", httpx.Response(503))
    assert len(connector.fetch({}).events) == 4


def test_search_for_listening(connector, pds):
    events = connector.search("Maison Lumière")
    assert [e.author.handle for e in events] == [
        "journalducafe.bsky.social",
        "brulerie-saint-roch.fr",
    ]
    assert pds.sent("app.bsky.feed.searchPosts")[0].url.params["q"] == "Maison Lumière"


def test_metrics_of_a_post(connector):
    [metrics] = connector.metrics([OWN_POST])
    assert metrics.values == {"likes": 31, "reposts": 7, "replies": 4, "quotes": 1}


def test_moderation(connector, pds):
    connector.moderate(OWN_POST, ModerationAction.DELETE)
    assert body_of(pds.sent("com.atproto.repo.deleteRecord")[0]) == {
        "repo": "did:plc:ml4brand7xq2lumiere3cafe",
        "collection": "app.bsky.feed.post",
        "rkey": "3lbyroast2026",
    }
    others = "at://did:plc:rival9stroch/app.bsky.feed.post/3lbzsearch2bb"
    with pytest.raises(ConnectorError, match="only its own posts"):
        connector.moderate(others, ModerationAction.DELETE)
    connector.moderate(others, ModerationAction.MUTE)
    assert body_of(pds.sent("app.bsky.graph.muteActor")[0]) == {"actor": "did:plc:rival9stroch"}
    connector.moderate(others, ModerationAction.BLOCK)
    block = body_of(pds.sent("com.atproto.repo.createRecord")[-1])
    assert (
        block["collection"] == "app.bsky.graph.block"
        and block["record"]["subject"] == "did:plc:rival9stroch"
    )
    with pytest.raises(ConnectorError, match="no 'hide'"):
        connector.moderate(others, ModerationAction.HIDE)


def test_rules_count_graphemes_up_to_300():
    rules = BlueskyConnector.rules
    assert rules.remaining("👨‍👩‍👧‍👦" * 300) == 0
    assert rules.check("a" * 301) == ["1 grapheme too long"]


def test_record_keys_are_valid_tids():
    import re

    for key in ("a", "post-17", "x" * 100):
        assert re.fullmatch(
            r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", tid_from(key)
        )
    assert tid_from("same") == tid_from("same") != tid_from("other")
