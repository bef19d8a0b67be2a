"""The Instagram connector against a fake Graph host replaying documented payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, Event, EventKind, Media
from liant.connectors.base import ModerationAction as Do
from liant.connectors.instagram import demo
from liant.connectors.instagram.connector import InstagramConnector, InstagramSettings

from .conftest import CONTAINER, IG, MEDIA, PAGE, SETTINGS

JPEG = Media("image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg", alt_text="Sacs de café", filename="a.jpg")
MP4 = Media("video/mp4", b"\x00\x00\x00\x18ftypmp42fake", filename="reel.mp4")
CAPTION = "Nouvelle récolte : Éthiopie Guji ☕"


def draft(*media: Media, key: str = "variant-key-1") -> Draft:
    return Draft(text=CAPTION, media=list(media), idempotency_key=key)


def containers_made(meta) -> list[dict[str, str]]:
    return [meta.form(r) for r in meta.sent("POST", f"{IG}/media$")]


# --- publish ----------------------------------------------------------------------------------


def test_an_image_is_a_container_from_a_public_signed_address_then_published(connector, meta):
    post = connector.publish(draft(JPEG))

    assert post.remote_id == MEDIA
    assert post.url == "https://www.instagram.com/p/DBxYz12AbCd/"
    (form,) = containers_made(meta)
    assert form["image_url"].startswith("https://liant.example/m/instagram/")
    assert form["caption"] == CAPTION and form["alt_text"] == "Sacs de café"
    assert meta.form(meta.sent("POST", "media_publish")[0]) == {"creation_id": CONTAINER}


@pytest.mark.django_db
def test_the_staged_file_is_served_to_instagram_only_under_its_signed_name(connector, meta, client):
    status = {"code": "IN_PROGRESS"}

    def container(request, match):
        # Instagram fetches the file while it processes the container.
        form = containers_made(meta)[0]
        path = form["image_url"].removeprefix("https://liant.example")
        served = client.get(path)
        assert served.status_code == 200 and b"".join(served.streaming_content) == JPEG.data
        assert served["Content-Type"] == "image/jpeg"
        assert client.get(path[:-3] + "xx/").status_code == 404  # a forged signature
        status["code"] = "FINISHED"
        return httpx.Response(200, json={"status_code": status["code"], "id": CONTAINER})

    meta.route("GET", CONTAINER, container)
    connector.publish(draft(JPEG))

    path = containers_made(meta)[0]["image_url"].removeprefix("https://liant.example")
    assert client.get(path).status_code == 404  # removed once published


def test_processing_is_polled_until_finished(connector, meta):
    meta.script(
        "GET",
        CONTAINER,
        meta.ok("container_in_progress.json"),
        meta.ok("container_in_progress.json"),
    )
    waits = []
    connector.http.sleep = waits.append

    connector.publish(draft(MP4))

    (form,) = containers_made(meta)
    assert form["media_type"] == "REELS"
    assert "video_url" in form
    assert waits == [1.0, 2.0]


def test_a_carousel_is_made_of_child_containers(connector, meta):
    made = []

    def create(request, match):
        made.append(f"1788945556005{len(made) + 1:04d}")
        return httpx.Response(200, json={"id": made[-1]})

    meta.route("POST", f"{IG}/media", create)
    meta.route("GET", r"1788945556005\d{4}", meta.ok("container_finished.json"))

    connector.publish(draft(JPEG, JPEG, MP4))

    forms = containers_made(meta)
    assert [f.get("is_carousel_item") for f in forms[:3]] == ["true"] * 3
    assert forms[2]["media_type"] == "VIDEO"
    assert forms[3] == {
        "media_type": "CAROUSEL",
        "children": ",".join(made[:3]),
        "caption": CAPTION,
    }
    assert meta.form(meta.sent("POST", "media_publish")[0]) == {"creation_id": made[3]}


def test_a_container_in_error_is_a_clear_permanent_error(connector, meta):
    meta.route("GET", CONTAINER, "container_error.json")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft(JPEG))

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "2207026" in caught.value.message
    assert not meta.sent("POST", "media_publish")


def test_interrupted_between_container_and_publish_the_retry_reuses_the_container(connector, meta):
    meta.script("POST", f"{IG}/media_publish", httpx.Response(503, text="unavailable"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft(JPEG))
    assert caught.value.kind is ErrorKind.TRANSIENT

    post = connector.publish(draft(JPEG))  # the publisher's retry, same key

    assert post.remote_id == MEDIA
    assert len(containers_made(meta)) == 1  # no second container
    assert len(meta.sent("POST", "media_publish")) == 2  # the first never went through


def test_interrupted_between_publish_and_its_answer_nothing_is_published_twice(connector, meta):
    published = {"done": False}

    def media_publish(request, match):
        published["done"] = True
        raise httpx.ReadTimeout("the answer was lost", request=request)

    def container(request, match):
        code = "PUBLISHED" if published["done"] else "FINISHED"
        return httpx.Response(200, json={"status_code": code, "id": CONTAINER})

    def recent(request, match):
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        media = {"id": MEDIA, "caption": CAPTION, "timestamp": now, "permalink": "https://i/p/x/"}
        return httpx.Response(200, json={"data": [media]})

    meta.route("POST", f"{IG}/media_publish", media_publish)
    meta.route("GET", CONTAINER, container)
    meta.route("GET", f"{IG}/media", recent)
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft(JPEG))
    assert caught.value.kind is ErrorKind.TRANSIENT

    post = connector.publish(draft(JPEG))  # retried after the lost answer

    assert post.remote_id == MEDIA and post.url == "https://i/p/x/"
    assert len(meta.sent("POST", "media_publish")) == 1
    assert len(containers_made(meta)) == 1
    # Known from now on without asking Instagram anything.
    before = len(meta.requests)
    assert connector.publish(draft(JPEG)).remote_id == MEDIA
    assert len(meta.requests) == before


def test_an_expired_container_is_replaced_when_it_was_never_published(connector, meta):
    meta.script("POST", f"{IG}/media_publish", httpx.Response(503, text="unavailable"))
    with pytest.raises(ConnectorError):
        connector.publish(draft(JPEG))
    meta.script("GET", CONTAINER, meta.ok("container_expired.json"))

    assert connector.publish(draft(JPEG)).remote_id == MEDIA
    assert len(containers_made(meta)) == 2


def test_without_a_public_address_nothing_is_sent(connector, meta, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft(JPEG))

    assert "LIANT_SITE_URL" in caught.value.message
    assert not meta.sent("POST", "")


def test_a_png_or_a_text_only_post_is_refused_before_anything_is_sent(connector, meta):
    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="Juste du texte"))
    with pytest.raises(ConnectorError):
        connector.publish(draft(Media("image/png", b"\x89PNG")))
    assert not meta.requests


# --- fetch, reply, moderate, metrics ------------------------------------------------------------


def test_fetch_reads_comments_tags_and_messages_once(connector, meta):
    result = connector.fetch({})

    by_id = {e.remote_id: e for e in result.events}
    assert set(by_id) == {
        "17858893269000001",
        "17858893269000003",
        "18012345678901234",
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIy",
    }  # not the account's own reply
    comment = by_id["17858893269000001"]
    assert comment.kind is EventKind.COMMENT
    assert comment.author.handle == "@claire_dms"
    assert comment.author.url == "https://www.instagram.com/claire_dms/"
    assert comment.parent_remote_id == comment.thread_remote_id == MEDIA
    assert by_id["18012345678901234"].kind is EventKind.MENTION
    assert by_id["aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIy"].author.handle == "@anna_s"
    # The media without comments is not asked for them.
    assert not meta.sent("GET", "17918195224117851/comments")

    again = connector.fetch(result.cursor)
    assert again.events == [] and again.cursor == result.cursor


def test_a_comment_is_answered_and_a_tag_is_answered_on_the_media(connector, meta):
    comment = Event(EventKind.COMMENT, "17858893269000003", None, datetime.now(UTC))
    tag = Event(EventKind.MENTION, "18012345678901234", None, datetime.now(UTC))

    connector.reply(comment, Draft(text="Désolés Karim !"))
    connector.reply(tag, Draft(text="Merci Tom !"))

    assert meta.form(meta.sent("POST", "17858893269000003/replies")[0]) == {
        "message": "Désolés Karim !"
    }
    assert meta.form(meta.sent("POST", f"{IG}/mentions")[0]) == {
        "media_id": "18012345678901234",
        "message": "Merci Tom !",
    }


def test_a_direct_message_is_answered_through_the_linked_page(connector, meta):
    message = next(e for e in connector.fetch({}).events if e.kind is EventKind.DIRECT_MESSAGE)

    connector.reply(message, Draft(text="Oui, en 3 jours !"))

    sent = meta.form(meta.sent("POST", f"{PAGE}/messages")[0])
    assert json.loads(sent["recipient"]) == {"id": "6798051523611110"}
    assert sent["messaging_type"] == "RESPONSE"


def test_hide_and_delete_a_comment(connector, meta):
    connector.moderate("17858893269000003", Do.HIDE)
    connector.moderate("17858893269000003", Do.DELETE)

    assert meta.form(meta.sent("POST", "17858893269000003$")[0]) == {"hide": "true"}
    assert meta.sent("DELETE", "17858893269000003$")
    with pytest.raises(ConnectorError):
        connector.moderate("17858893269000003", Do.BAN)


def test_media_and_account_insights(connector, meta):
    meta.script("GET", IG, meta.ok("account_fields.json"))

    media, account = connector.metrics([MEDIA, IG])

    assert media.values == {
        "reach": 812,
        "likes": 96,
        "replies": 3,
        "saved": 14,
        "reposts": 7,
        "views": 1520,
        "total_interactions": 120,
    }
    assert account.values == {"followers": 4210, "posts": 318, "reach": 2241, "views": 5120}
    assert meta.sent("GET", f"{IG}/insights")[0].url.params["metric_type"] == "total_value"


# --- errors -----------------------------------------------------------------------------------


def test_an_invalidated_token_is_auth_expired(connector, meta):
    meta.script("GET", f"{IG}/media", meta.error(400, "error_expired_token.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert connector.refresh_credentials() is None


def test_the_business_use_case_limit_gives_the_wait(connector, meta):
    usage = json.dumps(
        {
            IG: [
                {
                    "type": "instagram",
                    "call_count": 100,
                    "total_cputime": 3,
                    "total_time": 5,
                    "estimated_time_to_regain_access": 5,
                }
            ]
        }
    )
    meta.script(
        "GET",
        f"{IG}/media",
        meta.error(400, "error_rate_limited.json", **{"X-Business-Use-Case-Usage": usage}),
    )

    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 300


def test_a_missing_permission_is_permanent_with_metas_words(connector, meta):
    meta.script("POST", f"{IG}/media", meta.error(403, "error_permission.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft(JPEG))

    assert caught.value.kind is ErrorKind.PERMANENT
    assert "does not have permission" in caught.value.message


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_settings_and_events_are_valid():
    InstagramSettings.model_validate(demo.SETTINGS)
    InstagramSettings.model_validate(SETTINGS)
    events = demo.events(datetime(2026, 11, 30, tzinfo=UTC))
    assert 15 <= len(events) <= 30
    assert len({(e.kind, e.remote_id) for e in events}) == len(events)
    assert InstagramConnector.publish_idempotency_window > 0
