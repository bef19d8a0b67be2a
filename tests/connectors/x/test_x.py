"""The X connector against a fake api.x.com replaying documented payloads."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import override_settings

from liant.channels import connect_oauth, tasks
from liant.channels.models import Channel
from liant.connectors.base import (
    ConnectorError,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    Media,
    ModerationAction,
)
from liant.connectors.x import demo
from liant.connectors.x.connector import XConnector, XSettings
from liant.connectors.x.text import count_x
from tests.connectors.x.conftest import ACCOUNT, NOW, answer, client_for, load

APP = {"x": {"client_id": "liant-x", "client_secret": "x-secret"}}


# --- counting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour Lyon", 12),
        ("café crème", 10),  # Latin-1 and accents weigh 1
        ("珈琲", 4),  # CJK weighs 2
        ("☕", 2),
        ("👨‍👩‍👧", 2),  # one emoji sequence, however many code points
        ("🇫🇷", 2),
        ("👍🏽 1️⃣", 5),  # skin tone and keycap sequences are one emoji each
        ("😀😀", 4),
        ("© Maison", 8),  # © alone is text
        ("https://maison-lumiere.fr/atelier/inscriptions?session=decembre-2026", 23),
        ("voir maison-lumiere.fr/atelier", 5 + 23),
        ("x" * 280, 280),
        ("e\u0301", 1),  # NFC: é
        ("“quote” — dash", 14),  # punctuation in the weight-1 ranges
    ],
)
def test_length_is_counted_the_way_x_counts(text, expected):
    assert count_x(text) == expected


def test_rules_refuse_281_weighted_characters():
    assert XConnector.rules.check("a" * 280) == []
    assert XConnector.rules.check("日本" * 70 + "a")  # 281


# --- connecting (the shared OAuth flow) --------------------------------------------------------


@pytest.fixture
def network(monkeypatch, fake):
    monkeypatch.setattr(connect_oauth, "client", lambda: client_for(fake))
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return fake


@override_settings(NETWORK_APPS=APP)
def test_connect_through_oauth_with_pkce_creates_the_channel(owner_client, workspace, network):
    response = owner_client.post(f"/w/{workspace.slug}/channels/connect/x/oauth/", {"name": ""})
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("x.com", "/i/oauth2/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["code_challenge_method"] == "S256"
    assert "offline.access" in query["scope"].split(" ")
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]
    network.token = load("token.json")["access_token"]  # what the code is traded for

    response = owner_client.get("/connect/oauth/x/callback/", {"code": "c0de", "state": state})

    channel = Channel.objects.get(workspace=workspace, kind="x")
    assert response.status_code == 302
    assert channel.name == "@maisonlumiere"
    assert channel.settings["account_id"] == ACCOUNT
    assert channel.credentials["refresh_token"].startswith("bWRWa3gz")
    assert channel.credentials_expire_at is not None
    sent = network.sent("POST", r"/2/oauth2/token")[0]
    assert (
        sent.headers["authorization"] == "Basic " + base64.b64encode(b"liant-x:x-secret").decode()
    )
    assert "code_verifier" in parse_qs(sent.content.decode())


@override_settings(NETWORK_APPS=APP)
def test_refresh_keeps_the_rotated_refresh_token(connector, fake):
    fake.route("POST", r"/2/oauth2/token", answer("token_refreshed.json"))

    fresh = connector.refresh_credentials()

    assert fresh is not None
    assert fresh["refresh_token"].startswith("Yk5uQnJF")  # the new one, not refresh-1
    assert fresh["access_token"].startswith("Rm5pMGJx")
    assert "expires_at" in fresh
    form = parse_qs(fake.sent("POST", r"/2/oauth2/token")[0].content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["refresh-1"]


@override_settings(NETWORK_APPS=APP)
def test_a_spent_refresh_token_is_an_expired_sign_in(connector, fake):
    fake.route("POST", r"/2/oauth2/token", answer("token_invalid_grant.json", 400))
    with pytest.raises(ConnectorError) as caught:
        connector.refresh_credentials()
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED


def test_settings_and_demo_validate():
    XSettings.model_validate(demo.SETTINGS)
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    assert len({e.remote_id for e in events}) == len(events)
    assert all(isinstance(e, Event) and e.occurred_at < NOW for e in events)


# --- publishing ----------------------------------------------------------------------------------


def test_publish_uploads_the_image_then_posts_once(connector, fake):
    post = connector.publish(
        Draft(
            text="Nouvelle récolte",
            media=[Media("image/jpeg", b"\xff\xd8jpeg", alt_text="Sacs de café", filename="a.jpg")],
            link="https://maison-lumiere.fr/guji",
        )
    )

    assert fake.posted == [
        {
            "text": "Nouvelle récolte\n\nhttps://maison-lumiere.fr/guji",
            "media": {"media_ids": ["1880028106020515840"]},
        }
    ]
    upload = fake.sent("POST", r"/2/media/upload")[0]
    assert b'name="media_category"' in upload.content and b"tweet_image" in upload.content
    assert json.loads(fake.sent("POST", r"/2/media/metadata")[0].content)["metadata"] == {
        "alt_text": {"text": "Sacs de café"}
    }
    assert post.url == f"https://x.com/maisonlumiere/status/{post.remote_id}"


def test_a_thread_interrupted_resumes_after_its_last_part_without_posting_twice(connector, fake):
    """The publisher sends each part with reply_to = the previous part and keeps the ids out
    (Variant.parts_out); a part whose answer was lost is not sent again by the connector."""
    parts = ["1/3 Notre Guji arrive", "2/3 Notes de pêche", "3/3 En boutique samedi"]
    out: list[str] = []
    fake.script("POST", r"/2/tweets", fake._create, httpx.Response(503))
    for text in parts:
        try:
            out.append(
                connector.publish(Draft(text=text, reply_to=out[-1] if out else "")).remote_id
            )
        except ConnectorError as exc:
            assert exc.kind is ErrorKind.TRANSIENT and exc.status == 503
            break
    assert len(out) == 1 and len(fake.sent("POST", r"/2/tweets")) == 2  # no retry of a POST

    # Resumed: only the parts not out, each answering the one before.
    for text in parts[len(out) :]:
        out.append(connector.publish(Draft(text=text, reply_to=out[-1])).remote_id)

    assert [p["text"] for p in fake.posted] == parts
    assert [p.get("reply", {}).get("in_reply_to_tweet_id") for p in fake.posted] == [
        None,
        out[0],
        out[1],
    ]


def test_a_post_over_280_weighted_characters_is_refused_before_sending(connector, fake):
    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="咖啡" * 71))
    assert fake.posted == []


# --- reading ---------------------------------------------------------------------------------------


def test_fetch_twice_gives_nothing_new(connector, fake):
    first = connector.fetch({})

    kinds = {e.remote_id: e.kind for e in first.events}
    assert kinds == {
        "1460323737035677698": EventKind.POST,
        "1460323737035677701": EventKind.COMMENT,  # a reply, found by mentions and search
        "1460323737035677705": EventKind.MENTION,
        "1460323737035677709": EventKind.COMMENT,  # deeper in our conversation: search
    }
    reply = next(e for e in first.events if e.remote_id == "1460323737035677709")
    assert reply.parent_remote_id == "1460323737035677701"
    assert reply.thread_remote_id == "1460323737035677698"
    assert reply.author.url == "https://x.com/karimb" and reply.author.remote_id == "6253282"
    query = fake.sent("GET", r"/2/tweets/search/recent")[0].url.params["query"]
    assert query == "(conversation_id:1460323737035677698) -from:maisonlumiere"
    mentions = fake.sent("GET", rf"/2/users/{ACCOUNT}/mentions")[0].url.params
    assert mentions["expansions"] == "author_id"
    assert "conversation_id" in mentions["tweet.fields"]

    second = connector.fetch(first.cursor)

    new = [e for e in second.events if e.kind is not EventKind.POST]
    assert new == []
    assert fake.sent("GET", rf"/2/users/{ACCOUNT}/mentions")[-1].url.params["since_id"] == (
        "1460323737035677705"
    )


def test_a_tier_without_search_still_reads_mentions(connector, fake):
    fake.route("GET", r"/2/tweets/search/recent", answer("error_403_client_not_enrolled.json", 403))
    result = connector.fetch({})
    assert {e.remote_id for e in result.events} >= {"1460323737035677705"}
    assert "client-not-enrolled" in result.errors[0].message


def test_reply_answers_the_post(connector, fake):
    parent = Event(EventKind.MENTION, "1460323737035677705", None, NOW)
    connector.reply(parent, Draft(text="Merci Tom !"))
    assert fake.posted[-1] == {
        "text": "Merci Tom !",
        "reply": {"in_reply_to_tweet_id": "1460323737035677705"},
    }


# --- moderation, metrics ------------------------------------------------------------------------


def test_hide_a_reply(connector, fake):
    connector.moderate("1460323737035677709", ModerationAction.HIDE)
    sent = fake.sent("PUT", r"/2/tweets/1460323737035677709/hidden")
    assert json.loads(sent[0].content) == {"hidden": True}


def test_mute_then_unmute_the_author(connector, fake):
    connector.moderate("1460323737035677709", ModerationAction.MUTE)
    connector.moderate("1460323737035677709", ModerationAction.UNMUTE)
    assert json.loads(fake.sent("POST", rf"/2/users/{ACCOUNT}/muting")[0].content) == {
        "target_user_id": "6253282"
    }
    assert fake.sent("DELETE", rf"/2/users/{ACCOUNT}/muting/6253282")


def test_hiding_outside_our_conversations_is_permanent_with_x_words(connector, fake):
    fake.route("PUT", r"/2/tweets/\d+/hidden", answer("error_403_hide.json", 403))
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("1460323737035677705", ModerationAction.HIDE)
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "You are not permitted to perform this action." in caught.value.message


def test_metrics_use_the_shared_keys(connector):
    [metrics] = connector.metrics(["1460323737035677698"])
    assert metrics.values == {
        "likes": 27,
        "reposts": 4,
        "replies": 3,
        "quotes": 1,
        "views": 1843,
        "bookmarks": 2,
    }


# --- errors ----------------------------------------------------------------------------------------


def test_429_waits_until_x_rate_limit_reset(connector, fake):
    reset = int((NOW + timedelta(seconds=640)).timestamp())
    fake.route(
        "GET",
        rf"/2/users/{ACCOUNT}/tweets",
        answer(
            "error_429.json",
            429,
            **{
                "x-rate-limit-limit": "5",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 640


def test_an_expired_token_asks_for_a_refresh(connector, fake):
    fake.token = "another"
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour"))
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert fake.posted == []


def test_a_client_not_enrolled_is_permanent_with_x_words(connector, fake):
    fake.route("POST", r"/2/tweets", answer("error_403_client_not_enrolled.json", 403))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Client Forbidden" in caught.value.message
    assert "client-not-enrolled" in caught.value.message


def test_a_spent_mentions_window_keeps_what_was_read(connector, fake):
    reset = int((NOW + timedelta(seconds=300)).timestamp())
    fake.route(
        "GET",
        rf"/2/users/{ACCOUNT}/mentions",
        answer(
            "error_429.json",
            429,
            **{"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
        ),
    )
    result = connector.fetch({"mentions": "1460323737035677000"})
    assert "1460323737035677698" in {e.remote_id for e in result.events}  # own posts, replies
    assert result.cursor["mentions"] == "1460323737035677000"  # read again next time
    assert "Too Many Requests" in result.errors[0].message
    # publishing is not held by the spent mentions window
    connector.publish(Draft(text="Bonjour"))
    assert fake.posted
