"""Videos on X: the v2 chunked media upload, resumed rather than sent twice.

https://docs.x.com/x-api/media/quickstart/media-upload-chunked — a video goes in four steps:

1. initialize: POST /2/media/upload/initialize {media_type, total_bytes, media_category}
   → data.id (the media id) and expires_after_secs (the upload must end before);
2. append: POST /2/media/upload/{id}/append, multipart `media` + `segment_index` (0, 1, ...),
   each chunk at most 5 MB, in order; X says a failed chunk may be sent again alone;
3. finalize: POST /2/media/upload/{id}/finalize → data.processing_info when X still has to
   process the video ("pending" → "in_progress" → "succeeded" | "failed");
4. status: GET /2/media/upload?command=STATUS&media_id={id} every check_after_secs until
   "succeeded"; only then may a post carry the media id.

Never twice: after each step, what X has is written down (liant/connectors/progress.py),
keyed by the draft's idempotency key and the file. A retry — a 5xx on the 30th chunk, a
worker that died, processing longer than a worker waits — reads it and goes on from the
first chunk X did not acknowledge, or straight to polling the status, with the same media id.
An expired media id (X keeps an unfinished upload for expires_after_secs) starts over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind, Media
from liant.connectors.progress import Progress

CHUNK = 4 * 1024 * 1024  # under the 5 MB a chunk may be
CATEGORY = "amplify_video"  # the category the v2 guide uses for videos in posts
POLLS = 8  # status reads in one attempt; then the retry goes on polling
MAX_POLL_WAIT = 15.0  # seconds; X says how long in check_after_secs
EXPIRY_MARGIN = timedelta(minutes=5)

Call = Callable[..., dict[str, Any]]


def upload_video(
    call: Call,
    media: Media,
    progress: Progress,
    *,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
) -> str:
    """The media id of the video, once X has processed it."""
    data = media.data
    state = progress.read()
    expires = state.get("expires_at")
    if (
        not state.get("media_id")
        or state.get("total_bytes") != len(data)
        or (
            not state.get("ready")
            and (not expires or datetime.fromisoformat(expires) < now() + EXPIRY_MARGIN)
        )
    ):
        state = initialize(call, media, now)
        progress.write(state)
    media_id = str(state["media_id"])
    chunks = max(1, math.ceil(len(data) / CHUNK))
    for index in range(int(state.get("appended", 0)), chunks):
        call(
            "POST",
            f"/media/upload/{media_id}/append",
            files={"media": ("chunk", data[index * CHUNK : (index + 1) * CHUNK])},
            data={"segment_index": str(index)},
            # Sending a chunk again replaces it: safe to repeat.
            idempotent=True,
        )
        state["appended"] = index + 1
        progress.write(state)
    if not state.get("finalized"):
        answer = call("POST", f"/media/upload/{media_id}/finalize", idempotent=True)
        state["finalized"] = True
        info = (answer.get("data") or {}).get("processing_info")
        state["ready"] = not info or info.get("state") == "succeeded"
        progress.write(state)
        if info and info.get("state") == "failed":
            raise processing_failed(media, info)
    if not state.get("ready"):
        wait_until_processed(call, media, media_id, sleep)
        state["ready"] = True
        progress.write(state)
    return media_id


def initialize(call: Call, media: Media, now: Callable[[], datetime]) -> dict[str, Any]:
    answer = call(
        "POST",
        "/media/upload/initialize",
        body={
            "media_type": media.content_type,
            "total_bytes": len(media.data),
            "media_category": CATEGORY,
        },
        # A second initialize only leaves an empty upload X forgets: safe to repeat.
        idempotent=True,
    )
    data = answer.get("data") or {}
    media_id = str(data.get("id") or "")
    if not media_id:
        raise ConnectorError(
            _("X accepted %(file)s but sent back no id."), file=media.filename or "video"
        )
    seconds = float(data.get("expires_after_secs") or 3600)
    return {
        "media_id": media_id,
        "total_bytes": len(media.data),
        "expires_at": (now() + timedelta(seconds=seconds)).isoformat(),
        "appended": 0,
        "finalized": False,
        "ready": False,
    }


def wait_until_processed(
    call: Call, media: Media, media_id: str, sleep: Callable[[float], None]
) -> None:
    wait = 1.0
    for _poll in range(POLLS):
        sleep(min(wait, MAX_POLL_WAIT))
        answer = call("GET", "/media/upload", params={"command": "STATUS", "media_id": media_id})
        info = (answer.get("data") or {}).get("processing_info") or {}
        state = info.get("state")
        if state == "succeeded" or not info:
            return
        if state == "failed":
            raise processing_failed(media, info)
        wait = float(info.get("check_after_secs") or wait * 2)
    raise ConnectorError(
        _("X is still processing %(file)s; Liant will look again."),
        ErrorKind.TRANSIENT,
        retry_after=max(wait, 30.0),
        # Nothing is posted before the video is ready: trying again cannot double a post.
        status=-1,
        file=media.filename or "video",
    )


def processing_failed(media: Media, info: dict[str, Any]) -> ConnectorError:
    error = info.get("error") or {}
    return ConnectorError(
        _("X could not process %(file)s: %(problem)s"),
        file=media.filename or "video",
        problem=str(error.get("message") or error.get("name") or "failed"),
    )
