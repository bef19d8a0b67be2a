"""The Facebook Pages connector against a fake Graph host replaying documented payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, Event, EventKind, Media
from liant.connectors.base import ModerationAction as Do
from liant.connectors.facebook import demo
from liant.connectors.facebook.connector import FacebookConnector, FacebookSettings

from .conftest import PAGE, PAGE_TOKEN, POST

JPEG = Media("image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg", alt_text="Sacs de café", filename="a.jpg")


# --- fetch ------------------------------------------------------------------------------------


def test_fetch_reads_comments_and_messages_and_skips_the_pages_own(connector, meta):
    result = connector.fetch({})

    by_id = {e.remote_id: e for e in result.events}
    assert set(by_id) == {"870000000000001_5501", "870000000000001_5503", "m_AbCdEfGh1"}
    question = by_id["870000000000001_5501"]
    assert question.kind is EventKind.COMMENT
    assert question.author.remote_id == "6312345678901234"
    assert question.author.name == "Claire Dumas"
    assert question.parent_remote_id == question.thread_remote_id == POST
    assert question.occurred_at == datetime(2026, 11, 27, 9, 12, 44, tzinfo=UTC)
    message = by_id["m_AbCdEfGh1"]
    assert message.kind is EventKind.DIRECT_MESSAGE
    assert message.thread_remote_id == "messenger:7123456789012345"
    assert any("870000000000001" in p.message for p in result.errors)  # the dateless one
    # The quiet post (updated when it was created) is read the first time only.
    assert result.cursor["comments_after"] == int(
        datetime(2026, 11, 28, 18, 4, 10, tzinfo=UTC).timestamp()
    )


def test_fetching_again_brings_nothing_new_and_asks_meta_since_the_cursor(connector, meta):
    first = connector.fetch({})
    asked_before = len(meta.sent("GET", f"{POST}/comments"))
    again = connector.fetch(first.cursor)

    assert again.events == []
    assert again.cursor == first.cursor
    # A post not updated since the cursor is not read again.
    assert len(meta.sent("GET", f"{POST}/comments")) == asked_before
    # A post updated since (a new comment) is read from the cursor on.
    feed = meta.load("page_feed.json")
    feed["data"][0]["updated_time"] = "2026-11-30T08:00:00+0000"
    meta.route("GET", f"{PAGE}/feed", httpx.Response(200, json=feed))
    later = connector.fetch(first.cursor)
    asked = meta.sent("GET", f"{POST}/comments")[-1]
    assert asked.url.params["since"] == str(first.cursor["comments_after"])
    assert asked.headers["authorization"] == f"Bearer {PAGE_TOKEN}"
    assert "access_token" not in str(asked.url)
    assert later.events == []  # Meta's `since` is inclusive: the last one is not given twice


# --- publish ----------------------------------------------------------------------------------


def test_a_text_post_with_its_link_goes_to_the_feed(connector, meta):
    post = connector.publish(Draft(text="Nouvelle récolte !", link="https://lumiere.example/guji"))

    assert post.remote_id == f"{PAGE}_870000000000099"
    assert post.url == f"https://www.facebook.com/{PAGE}_870000000000099"
    sent = meta.form(meta.sent("POST", f"{PAGE}/feed")[0])
    assert sent == {"message": "Nouvelle récolte !", "link": "https://lumiere.example/guji"}


def test_one_photo_goes_to_photos_with_its_caption(connector, meta):
    post = connector.publish(Draft(text="Torréfié ce matin", media=[JPEG]))

    assert post.remote_id == f"{PAGE}_870000000000098"
    upload = meta.sent("POST", f"{PAGE}/photos")[0]
    assert meta.form(upload)["caption"] == "Torréfié ce matin"
    assert b"fake-jpeg" in upload.content


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(connector, meta):
    meta.route("POST", f"{PAGE}/photos", "photo_unpublished.json")

    post = connector.publish(Draft(text="Trois origines", media=[JPEG, JPEG, JPEG]))

    uploads = meta.sent("POST", f"{PAGE}/photos")
    assert [meta.form(u)["published"] for u in uploads] == ["false"] * 3
    feed = meta.form(meta.sent("POST", f"{PAGE}/feed")[0])
    assert json.loads(feed["attached_media[2]"]) == {"media_fbid": "870000000000601"}
    assert post.remote_id == f"{PAGE}_870000000000099"


def test_native_scheduling_when_the_draft_asks_for_it(connector, meta):
    post = connector.publish(
        Draft(text="Atelier samedi", extras={"scheduled_publish_time": "2026-12-05T09:00:00Z"})
    )

    feed = meta.form(meta.sent("POST", f"{PAGE}/feed")[0])
    assert feed["published"] == "false"
    assert feed["scheduled_publish_time"] == str(
        int(datetime(2026, 12, 5, 9, tzinfo=UTC).timestamp())
    )
    assert post.published_at == datetime(2026, 12, 5, 9, tzinfo=UTC)


def test_a_lost_answer_is_not_posted_again_by_the_http_client(connector, meta):
    meta.script("POST", f"{PAGE}/feed", httpx.Response(502, text="Bad Gateway"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Une fois"))

    assert caught.value.kind is ErrorKind.TRANSIENT
    assert len(meta.sent("POST", f"{PAGE}/feed")) == 1
    assert FacebookConnector.publish_idempotency_window == 0  # the publisher asks a person


# --- reply, direct messages, moderation, metrics -----------------------------------------------


def comment_event() -> Event:
    return Event(
        kind=EventKind.COMMENT,
        remote_id="870000000000001_5503",
        author=None,
        occurred_at=datetime(2026, 11, 28, tzinfo=UTC),
    )


def test_a_comment_is_answered_under_it(connector, meta):
    answer = connector.reply(comment_event(), Draft(text="Désolés Karim, on regarde !"))

    assert answer.remote_id == "870000000000001_5599"
    sent = meta.sent("POST", "870000000000001_5503/comments")[0]
    assert meta.form(sent) == {"message": "Désolés Karim, on regarde !"}


def test_a_messenger_message_is_answered_through_the_send_api(connector, meta):
    fetched = connector.fetch({}).events
    message = next(e for e in fetched if e.kind is EventKind.DIRECT_MESSAGE)

    answer = connector.reply(message, Draft(text="Il reste 3 places !"))

    assert answer.remote_id.startswith("m_")
    sent = meta.form(meta.sent("POST", f"{PAGE}/messages")[0])
    assert json.loads(sent["recipient"]) == {"id": "7123456789012345"}
    assert sent["messaging_type"] == "RESPONSE"
    assert json.loads(sent["message"]) == {"text": "Il reste 3 places !"}


def test_hide_delete_and_ban(connector, meta):
    connector.moderate("870000000000001_5503", Do.HIDE)
    connector.moderate("870000000000001_5503", Do.DELETE)
    connector.moderate("870000000000001_5503", Do.BAN)

    assert meta.form(meta.sent("POST", "870000000000001_5503$")[0]) == {"is_hidden": "true"}
    assert meta.sent("DELETE", "870000000000001_5503$")
    ban = meta.sent("POST", f"{PAGE}/blocked")[0]
    assert ban.url.params["user"] == "6312345678909999"
    with pytest.raises(ConnectorError):
        connector.moderate("870000000000001_5503", Do.MUTE)


def test_metrics_read_counts_and_the_current_insights(connector, meta):
    (metrics,) = connector.metrics([POST])

    assert metrics.values == {
        "likes": 57,
        "replies": 12,
        "reposts": 4,
        "views": 1840,
        "reach": 1312,
    }
    asked = meta.sent("GET", f"{POST}/insights")[0]
    assert asked.url.params["metric"] == "post_media_view,post_total_media_view_unique"


def test_the_pages_own_id_gives_its_followers_and_daily_insights(connector, meta):
    meta.script("GET", PAGE, meta.ok("page_followers.json"))
    meta.route("GET", f"{PAGE}/insights", "page_insights.json")

    (metrics,) = connector.metrics([PAGE])

    assert metrics.values == {"followers": 3821, "views": 2380, "reach": 1610, "engagements": 203}
    assert meta.sent("GET", f"{PAGE}/insights")[0].url.params["period"] == "day"


# --- errors -----------------------------------------------------------------------------------


def test_an_expired_token_is_auth_expired_and_cannot_be_refreshed_without_the_person(
    connector, meta
):
    meta.script("GET", f"{PAGE}/feed", meta.error(400, "error_expired_token.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert "Session has expired" in caught.value.message
    assert connector.refresh_credentials() is None


def test_a_reached_limit_waits_the_time_meta_gives(connector, meta, recorder):
    usage = json.dumps(
        {
            PAGE: [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 12,
                    "total_time": 25,
                    "estimated_time_to_regain_access": 17,
                }
            ]
        }
    )
    meta.script(
        "GET",
        f"{PAGE}/feed",
        meta.error(400, "error_rate_limited.json", **{"X-Business-Use-Case-Usage": usage}),
    )

    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 17 * 60
    assert recorder.until is not None
    # The next call waits instead of spending another refusal.
    with pytest.raises(ConnectorError) as again:
        connector.fetch({})
    assert again.value.kind is ErrorKind.RATE_LIMITED


def test_a_429_without_usage_headers_still_waits(connector, meta):
    meta.script("GET", f"{PAGE}/feed", meta.error(429, "error_rate_limited.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 600


def test_a_permission_error_is_permanent_with_metas_words(connector, meta):
    meta.script("POST", f"{PAGE}/feed", meta.error(403, "error_permission.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Bonjour"))

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "hasn't authorized the application" in caught.value.message


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_settings_and_events_are_valid():
    FacebookSettings.model_validate(demo.SETTINGS)
    events = demo.events(datetime(2026, 11, 30, tzinfo=UTC))
    assert 15 <= len(events) <= 30
    assert len({(e.kind, e.remote_id) for e in events}) == len(events)
    assert all(e.occurred_at < datetime(2026, 11, 30, tzinfo=UTC) for e in events)
    assert demo.events(datetime(2026, 11, 30, tzinfo=UTC))[0].remote_id == events[0].remote_id
