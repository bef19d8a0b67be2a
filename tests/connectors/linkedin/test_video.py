"""Videos on LinkedIn: initializeUpload, the parts PUT with their ETags, finalizeUpload, then
the status read until AVAILABLE; a retry sends only the parts LinkedIn has not acknowledged."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from liant.connectors.base import ConnectorError, Draft, ErrorKind, Media
from tests.connectors.linkedin.conftest import ok

VIDEO = "urn:li:video:D5610AQEmaisonLumiereVid"
PARTS = r"^/dms-uploads/sp/v2/D5610AQEmaisonLumiereVid/uploadedVideo/"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # where the upload's progress is kept


def etag_of(request: httpx.Request) -> httpx.Response:
    part = request.url.path.rsplit("/", 1)[-1]
    return httpx.Response(200, headers={"ETag": f"/ambry-video/part-{part}"})


@pytest.fixture
def videos(linkedin):
    linkedin.route("POST", r"/rest/videos", ok("videos_initialize.json"))
    linkedin.route("PUT", PARTS.lstrip("^") + r"\d+", etag_of)
    linkedin.route("GET", r"/rest/videos/.+", ok("videos_available.json"))
    return linkedin


def body(request: httpx.Request):
    return json.loads(request.content)


def clip() -> Media:
    return Media("video/mp4", os.urandom(2500), filename="torrefaction.mp4")


def actions(linkedin) -> list[str]:
    return [r.url.params.get("action", "") for r in linkedin.sent("POST", r"^/rest/videos$")]


def test_a_video_goes_in_parts_then_is_posted_once_available(connector, videos):
    media = clip()
    videos.script("GET /rest/videos/", ok("videos_processing.json"))
    connector.publish(Draft(text="La torréfaction", media=[media], idempotency_key="v1"))

    assert actions(videos) == ["initializeUpload", "finalizeUpload"]
    start = videos.sent("POST", r"^/rest/videos$")[0]
    assert body(start)["initializeUploadRequest"]["fileSizeBytes"] == 2500
    puts = videos.sent("PUT", PARTS)
    assert b"".join(p.content for p in puts) == media.data
    assert [p.headers["content-type"] for p in puts] == ["application/octet-stream"] * 3
    finalize = body(videos.sent("POST", r"^/rest/videos$")[1])["finalizeUploadRequest"]
    assert finalize == {
        "video": VIDEO,
        "uploadToken": "",
        "uploadedPartIds": [f"/ambry-video/part-{i}" for i in range(3)],
    }
    assert len(videos.sent("GET", r"^/rest/videos/")) == 2
    [sent] = videos.sent("POST", r"^/rest/posts$")
    assert body(sent)["content"] == {"media": {"id": VIDEO, "title": "torrefaction"}}


def test_a_failed_part_is_resumed_on_retry_not_uploaded_again(connector, videos):
    videos.script("PUT /uploadedVideo/1", *[httpx.Response(503)] * 3)
    draft = Draft(text="La torréfaction", media=[clip()], idempotency_key="variant-12")
    with pytest.raises(ConnectorError) as caught:
        connector.publish(draft)
    assert caught.value.kind is ErrorKind.TRANSIENT and caught.value.status == -1
    assert not videos.sent("POST", r"^/rest/posts$")

    connector.publish(draft)  # the publisher's retry

    assert actions(videos) == ["initializeUpload", "finalizeUpload"]  # one upload, same URN
    parts = [r.url.path.rsplit("/", 1)[-1] for r in videos.sent("PUT", PARTS)]
    assert parts == ["0", "1", "1", "1", "1", "2"]  # part 0 was not sent again
    assert len(videos.sent("POST", r"^/rest/posts$")) == 1


def test_processing_that_fails_is_reported_plainly(connector, videos):
    videos.route("GET", r"/rest/videos/.+", ok("videos_processing_failed.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(Draft(text="x", media=[clip()], idempotency_key="v3"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert not videos.sent("POST", r"^/rest/posts$")


def test_upload_addresses_outside_linkedin_never_get_the_token(connector, videos):
    data = ok("videos_initialize.json").json()
    data["value"]["uploadInstructions"][1]["uploadUrl"] = "https://attacker.example/part"
    videos.route("POST", r"/rest/videos", httpx.Response(200, json=data))
    with pytest.raises(ConnectorError):
        connector.publish(Draft(text="x", media=[clip()], idempotency_key="v4"))
    assert not [r for r in videos.requests if r.url.host == "attacker.example"]
