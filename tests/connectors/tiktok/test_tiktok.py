"""The TikTok connector against a fake Open API replaying documented payloads."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import override_settings

from liant.channels import connect_oauth, tasks
from liant.channels.models import Channel
from liant.connectors.base import ConnectorError, Draft, ErrorKind, Event, EventKind, Media
from liant.connectors.tiktok import connector as tiktok
from liant.connectors.tiktok import demo
from liant.connectors.tiktok.connector import TikTokConnector, TikTokSettings, chunk_plan
from tests.connectors.tiktok.conftest import (
    NOW,
    OPEN_ID,
    TOKEN,
    answer,
    client_for,
    connector_for,
)

APP = {"tiktok": {"client_id": "aw-client-key", "client_secret": "tt-secret"}}
VIDEO = Media("video/mp4", b"\x00\x00\x00\x18ftypmp42" + b"v" * 1000, filename="guji.mp4")


def draft(**kwargs) -> Draft:
    values = {"text": "Torréfaction du Guji ☕", "media": [VIDEO], "idempotency_key": "k-1"}
    return Draft(**(values | kwargs))


# --- connecting ----------------------------------------------------------------------------------


@pytest.fixture
def network(monkeypatch, fake):
    monkeypatch.setattr(connect_oauth, "client", lambda: client_for(fake))
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return fake


@override_settings(NETWORK_APPS=APP)
def test_connect_through_oauth_with_client_key(owner_client, workspace, network):
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/tiktok/oauth/", {"name": ""}
    )
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("www.tiktok.com", "/v2/auth/authorize/")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_key"] == "aw-client-key" and "client_id" not in query
    assert query["scope"] == "user.info.basic,user.info.stats,video.list,video.publish,video.upload"
    state = owner_client.session[connect_oauth.SESSION_KEY]["state"]

    owner_client.get("/connect/oauth/tiktok/callback/", {"code": "c0de", "state": state})

    channel = Channel.objects.get(workspace=workspace, kind="tiktok")
    assert channel.name == "Maison Lumière"
    assert channel.settings["account_id"] == OPEN_ID
    assert channel.credentials["access_token"] == TOKEN
    assert channel.credentials["refresh_token"] == "rft.example12345Example12345Example"
    assert channel.credentials["refresh_expires_at"] and channel.credentials_expire_at
    form = parse_qs(network.sent("POST", r"/v2/oauth/token/")[0].content.decode())
    assert form["client_key"] == ["aw-client-key"] and form["client_secret"] == ["tt-secret"]


@override_settings(NETWORK_APPS=APP)
def test_refresh(connector, fake):
    fake.route("POST", r"/v2/oauth/token/", answer("token_refreshed.json"))
    fresh = connector.refresh_credentials()
    assert fresh is not None
    assert fresh["refresh_token"] == "rft.example67890Example67890Example"
    assert fresh["access_token"] == "act.example67890Example67890Example"
    form = parse_qs(fake.sent("POST", r"/v2/oauth/token/")[0].content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["client_key"] == ["aw-client-key"]


def test_settings_and_demo_validate():
    TikTokSettings.model_validate(demo.SETTINGS)
    events = demo.events(NOW)
    assert 15 <= len(events) <= 30
    assert len({e.remote_id for e in events}) == len(events)
    assert all(isinstance(e, Event) and e.occurred_at < NOW for e in events)


# --- publishing ----------------------------------------------------------------------------------


def test_publish_a_video_by_file_upload(connector, fake):
    fake.script("POST", r"/v2/post/publish/status/fetch/", answer("status_processing.json"))

    post = connector.publish(draft())

    init = json.loads(fake.sent("POST", r"/v2/post/publish/video/init/")[0].content)
    size = len(VIDEO.data)
    assert init["source_info"] == {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": size,
        "total_chunk_count": 1,
    }
    assert init["post_info"]["privacy_level"] == "SELF_ONLY"
    assert init["post_info"]["title"] == "Torréfaction du Guji ☕"
    [put] = fake.sent("PUT", r"/video/")
    assert put.headers["content-range"] == f"bytes 0-{size - 1}/{size}"
    assert put.headers["content-type"] == "video/mp4"
    assert bytes(fake.received) == VIDEO.data
    assert post.remote_id == "7234567890123456789"
    assert post.raw["publish_id"] == "v_pub_file~v2-1.123456789"
    # creator info first, then init, then upload, then two status polls
    assert [r.url.path for r in fake.requests][:3] == [
        "/v2/post/publish/creator_info/query/",
        "/v2/post/publish/video/init/",
        "/video/",
    ]


def test_a_large_video_goes_in_chunks_the_last_taking_the_rest(monkeypatch, connector, fake):
    monkeypatch.setattr(tiktok, "WHOLE_MAX", 300)
    monkeypatch.setattr(tiktok, "CHUNK", 300)
    assert chunk_plan(len(VIDEO.data)) == (300, 3)  # 1012 bytes: 300, 300, 412

    connector.publish(draft())

    ranges = [r.headers["content-range"] for r in fake.sent("PUT", r"/video/")]
    assert ranges == ["bytes 0-299/1012", "bytes 300-599/1012", "bytes 600-1011/1012"]
    assert bytes(fake.received) == VIDEO.data


def test_an_upload_interrupted_is_finished_on_retry_without_a_second_post(monkeypatch, fake):
    monkeypatch.setattr(tiktok, "WHOLE_MAX", 300)
    monkeypatch.setattr(tiktok, "CHUNK", 300)
    fake.script("PUT", r"/video/", httpx.Response(201), *[httpx.Response(503)] * 3)

    with pytest.raises(ConnectorError) as caught:
        connector_for(fake).publish(draft())
    assert caught.value.kind is ErrorKind.TRANSIENT

    fake.received.clear()
    post = connector_for(fake).publish(draft())  # the publisher's retry: a new connector

    assert len(fake.sent("POST", r"/v2/post/publish/video/init/")) == 1
    assert bytes(fake.received) == VIDEO.data  # sent again to the same upload address
    assert post.remote_id == "7234567890123456789"


def test_an_expired_token_while_polling_polls_again_after_refresh(fake):
    fake.script(
        "POST",
        r"/v2/post/publish/status/fetch/",
        answer("error_access_token_invalid.json", 401),
    )
    with pytest.raises(ConnectorError) as caught:
        connector_for(fake).publish(draft())
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED

    # with_fresh_credentials refreshes and calls publish again with a new connector
    post = connector_for(fake).publish(draft())

    assert len(fake.sent("POST", r"/v2/post/publish/video/init/")) == 1
    assert len(fake.sent("PUT", r"/video/")) == 1
    assert post.remote_id == "7234567890123456789"


def test_a_failed_post_says_why_and_may_be_tried_again(connector, fake):
    fake.script("POST", r"/v2/post/publish/status/fetch/", answer("status_failed.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft())
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "file_format_check_failed" in caught.value.message

    connector.publish(draft())
    assert len(fake.sent("POST", r"/v2/post/publish/video/init/")) == 2


def test_still_processing_after_the_polls_is_left_to_tiktok(connector, fake):
    fake.route("POST", r"/v2/post/publish/status/fetch/", answer("status_processing.json"))
    post = connector.publish(draft())
    assert post.remote_id == "v_pub_file~v2-1.123456789"
    assert len(fake.sent("POST", r"/v2/post/publish/status/fetch/")) == tiktok.STATUS_POLLS


def test_a_privacy_level_the_creator_does_not_allow_is_refused_before_init(fake):
    connector = connector_for(fake, privacy_level="FOLLOWER_OF_CREATOR")
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft())
    assert "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY" in caught.value.message
    assert fake.sent("POST", r"/v2/post/publish/video/init/") == []


def test_photos_are_pulled_from_their_addresses(connector, fake):
    urls = [
        "https://media.maison-lumiere.fr/guji-1.jpg",
        "https://media.maison-lumiere.fr/guji-2.jpg",
    ]
    post = connector.publish(draft(media=[], extras={"photo_urls": urls}))
    body = json.loads(fake.sent("POST", r"/v2/post/publish/content/init/")[0].content)
    assert body["source_info"] == {
        "source": "PULL_FROM_URL",
        "photo_cover_index": 0,
        "photo_images": urls,
    }
    assert body["media_type"] == "PHOTO" and body["post_mode"] == "DIRECT_POST"
    assert fake.sent("PUT", r"/video/") == []
    assert post.remote_id == "7234567890123456789"


def test_a_photo_file_alone_cannot_be_posted(connector, fake):
    with pytest.raises(ConnectorError):
        connector.publish(draft(media=[Media("image/jpeg", b"jpeg")]))
    assert fake.sent("POST", r"/v2/post/publish/video/init/") == []


def test_an_unaudited_app_posting_publicly_is_permanent_with_tiktok_words(fake):
    fake.route("POST", r"/v2/post/publish/video/init/", answer("error_unaudited.json", 403))
    with pytest.raises(ConnectorError) as caught:
        connector_for(fake, privacy_level="PUBLIC_TO_EVERYONE").publish(draft())
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "unaudited_client_can_only_post_to_private_accounts" in caught.value.message


# --- reading, metrics, errors --------------------------------------------------------------------


def test_fetch_reads_own_videos_once(connector):
    first = connector.fetch({})
    assert [e.remote_id for e in first.events] == ["7234567890123456789", "7230000000000000001"]
    assert all(e.kind is EventKind.POST for e in first.events)
    assert first.events[0].url.endswith("/video/7234567890123456789")
    second = connector.fetch(first.cursor)
    assert second.events == []


def test_metrics(connector, fake):
    [metrics] = connector.metrics(["7234567890123456789", "v_pub_file~v2-1.123456789"])
    assert metrics.values == {"likes": 412, "replies": 37, "shares": 18, "views": 9805}
    body = json.loads(fake.sent("POST", r"/v2/video/query/")[0].content)
    assert body == {"filters": {"video_ids": ["7234567890123456789"]}}


def test_rate_limit_exceeded(connector, fake):
    fake.route("POST", r"/v2/video/list/", answer("error_rate_limit_exceeded.json", 429))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 60  # TikTok's limits are per minute; no reset header


def test_rate_limit_with_retry_after(connector, fake):
    fake.route(
        "POST",
        r"/v2/video/list/",
        answer("error_rate_limit_exceeded.json", 429, **{"retry-after": "17"}),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.retry_after == 17


def test_an_invalid_token_asks_for_a_refresh(connector, fake):
    fake.token = "other"
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.kind is ErrorKind.AUTH_EXPIRED


def test_a_scope_not_granted_is_permanent(connector, fake):
    fake.route("POST", r"/v2/video/query/", answer("error_scope_not_authorized.json", 401))
    with pytest.raises(ConnectorError) as caught:
        connector.metrics(["7234567890123456789"])
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "scope_not_authorized" in caught.value.message


def test_the_title_is_counted_in_utf16_units():
    assert TikTokConnector.rules.count("☕") == 1
    assert TikTokConnector.rules.count("😀") == 2
