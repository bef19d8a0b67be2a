"""Videos on X: the chunked upload (initialize, append, finalize, status) against the fake
api.x.com, and a retry that resumes with the same media id instead of uploading again."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, Media
from liant.connectors.x import video
from tests.connectors.x.conftest import answer

MEDIA_ID = "1880028106020515841"
UPLOAD = rf"/2/media/upload/{MEDIA_ID}"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path, monkeypatch):
    """The progress of uploads is kept in the storage; chunks made small for the test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(video, "CHUNK", 1000)


@pytest.fixture
def x_video(fake):
    fake.route("POST", r"/2/media/upload/initialize", answer("media_upload_initialize.json"))
    fake.route("POST", rf"{UPLOAD}/append", answer("media_upload_append.json"))
    fake.route("POST", rf"{UPLOAD}/finalize", answer("media_upload_finalize.json"))
    fake.route("GET", r"/2/media/upload", answer("media_upload_status_succeeded.json"))
    return fake


def clip(size: int = 3500) -> Media:
    return Media("video/mp4", os.urandom(size), alt_text="La torréfaction", filename="roast.mp4")


def segments(fake) -> list[tuple[int, bytes]]:
    """(segment_index, chunk) of every append X received, in order."""
    found = []
    for request in fake.sent("POST", rf"{UPLOAD}/append"):
        body = request.content
        index = int(body.split(b'name="segment_index"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0])
        chunk = body.split(b'filename="chunk"', 1)[1].split(b"\r\n\r\n", 1)[1]
        found.append((index, chunk.rsplit(b"\r\n--", 1)[0]))
    return found


def test_a_video_goes_in_chunks_waits_for_processing_then_is_posted(connector, x_video):
    media = clip()
    x_video.script(
        "GET", r"/2/media/upload", answer("media_upload_status_in_progress.json")
    )  # then the route: succeeded
    post = connector.publish(
        Draft(text="Torréfaction du jour", media=[media], idempotency_key="k1")
    )

    init = json.loads(x_video.sent("POST", r"/2/media/upload/initialize")[0].content)
    assert init == {
        "media_type": "video/mp4",
        "total_bytes": 3500,
        "media_category": "amplify_video",
    }
    sent = segments(x_video)
    assert [index for index, _ in sent] == [0, 1, 2, 3]
    assert b"".join(chunk for _, chunk in sent) == media.data
    assert len(x_video.sent("POST", rf"{UPLOAD}/finalize")) == 1
    status = x_video.sent("GET", r"/2/media/upload")
    assert len(status) == 2
    assert dict(status[0].url.params) == {"command": "STATUS", "media_id": MEDIA_ID}
    assert x_video.posted == [{"text": "Torréfaction du jour", "media": {"media_ids": [MEDIA_ID]}}]
    assert json.loads(x_video.sent("POST", r"/2/media/metadata")[0].content)["id"] == MEDIA_ID
    assert post.remote_id


def test_a_failed_chunk_is_resumed_on_retry_not_uploaded_again(connector, x_video):
    media = clip()
    # The third chunk fails (503) more times than the client retries in one attempt.
    x_video.script("POST", rf"{UPLOAD}/append", *[answer("media_upload_append.json")] * 2)
    x_video.script("POST", rf"{UPLOAD}/append", *[httpx.Response(503)] * 3)
    draft = Draft(text="Torréfaction", media=[media], idempotency_key="variant-7")
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft)
    # Nothing was posted, so the publisher may try again (status -1: never sent).
    assert caught.value.kind is ErrorKind.TRANSIENT and caught.value.status == -1
    assert x_video.posted == []
    assert [index for index, _ in segments(x_video)] == [0, 1, 2, 2, 2]

    connector.publish(draft)  # the publisher's retry: same key, same file

    assert len(x_video.sent("POST", r"/2/media/upload/initialize")) == 1  # same media id
    indexes = [index for index, _ in segments(x_video)]
    assert indexes == [0, 1, 2, 2, 2, 2, 3]  # 0 and 1 were not sent again
    assert len(x_video.sent("POST", rf"{UPLOAD}/finalize")) == 1
    assert x_video.posted == [{"text": "Torréfaction", "media": {"media_ids": [MEDIA_ID]}}]


def test_processing_longer_than_an_attempt_is_polled_again_on_retry(connector, x_video):
    x_video.script(
        "GET",
        r"/2/media/upload",
        *[answer("media_upload_status_in_progress.json")] * video.POLLS,
    )
    draft = Draft(text="Longue vidéo", media=[clip()], idempotency_key="variant-8")
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft)
    assert caught.value.kind is ErrorKind.TRANSIENT and caught.value.status == -1
    assert caught.value.retry_after and caught.value.retry_after >= 10
    before = len(x_video.requests)

    connector.publish(draft)

    again = [r.url.path for r in x_video.requests[before:]]
    assert again == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]  # status only


def test_a_video_x_cannot_process_fails_plainly(connector, x_video):
    x_video.route("GET", r"/2/media/upload", answer("media_upload_status_failed.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="Vidéo", media=[clip()], idempotency_key="k9"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Unsupported video format" in caught.value.message
    assert x_video.posted == []


def test_an_expired_upload_starts_over(connector, x_video, monkeypatch):
    from datetime import timedelta

    from tests.connectors.x.conftest import NOW

    x_video.script("POST", rf"{UPLOAD}/append", answer("media_upload_append.json"))
    x_video.script("POST", rf"{UPLOAD}/append", *[httpx.Response(503)] * 3)
    draft = Draft(text="Vidéo", media=[clip()], idempotency_key="k10")
    with pytest.raises(ConnectorError):
        connector.publish(draft)
    # Two days later X has forgotten the unfinished upload (expires_after_secs: one day).
    monkeypatch.setattr(connector.http, "clock", lambda: NOW + timedelta(days=2))
    connector.publish(draft)
    assert len(x_video.sent("POST", r"/2/media/upload/initialize")) == 2
    assert [i for i, _ in segments(x_video)][-4:] == [0, 1, 2, 3]


def test_a_video_goes_alone(connector, x_video):
    image = Media("image/jpeg", b"\xff\xd8jpeg", filename="a.jpg")
    with pytest.raises(ConnectorError, match="one video alone"):
        connector.publish(Draft(text="Deux", media=[clip(), image]))
    assert x_video.requests == []


def test_without_a_key_nothing_is_kept(connector, x_video, tmp_path):
    connector.publish(Draft(text="Réponse", media=[clip()]))
    assert not (tmp_path / "media" / "uploads").exists()


def test_the_progress_is_removed_once_posted(connector, x_video, tmp_path):
    connector.publish(Draft(text="Vidéo", media=[clip()], idempotency_key="k11"))
    folder = tmp_path / "media" / "uploads" / "progress" / "x"
    assert folder.is_dir() and list(folder.iterdir()) == []
