"""Videos on LinkedIn: the Videos API's multi-part upload, resumed rather than sent twice.

learn.microsoft.com/linkedin/marketing/community-management/shares/videos-api:

1. POST /rest/videos?action=initializeUpload {owner, fileSizeBytes, uploadCaptions,
   uploadThumbnail} → value.video (the URN), value.uploadToken and value.uploadInstructions:
   one upload address per part with its firstByte and lastByte (inclusive), about 4 MB each;
2. each part PUT to its address as application/octet-stream; LinkedIn answers its ETag;
3. POST /rest/videos?action=finalizeUpload {video, uploadToken, uploadedPartIds: the ETags in
   order};
4. GET /rest/videos/{urn} until status AVAILABLE (PROCESSING before; PROCESSING_FAILED ends it).

Never twice: the URN, the instructions and each part's ETag are written down as they come
(liant/connectors/progress.py), so a retry with the same idempotency key sends only the
parts without an ETag, or only finalizes, or only waits. Addresses that expired
(uploadUrlsExpireAt) start over with a new upload.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind, Media
from liant.connectors.http import HttpClient
from liant.connectors.progress import Progress

POLLS = 6
MAX_POLL_WAIT = 15.0
EXPIRY_MARGIN_MS = 5 * 60 * 1000

Call = Callable[..., httpx.Response | None]
JsonOf = Callable[[httpx.Response | None], dict[str, Any]]


def linkedin_host(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "linkedin.com" or host.endswith(".linkedin.com")


def upload_video(
    http: HttpClient,
    call: Call,
    json_of: JsonOf,
    token: str,
    owner: str,
    media: Media,
    progress: Progress,
    error_of: Callable[[HttpClient, httpx.Response], ConnectorError],
) -> str:
    """The video's URN, once LinkedIn has it AVAILABLE."""
    data = media.data
    state = progress.read()
    now_ms = http.clock().astimezone(UTC).timestamp() * 1000
    if (
        not state.get("video")
        or state.get("size") != len(data)
        or (
            not state.get("finalized")
            and float(state.get("expires_ms") or 0) < now_ms + EXPIRY_MARGIN_MS
        )
    ):
        state = initialize(call, json_of, owner, media)
        progress.write(state)
    parts: list[dict[str, Any]] = state["parts"]
    for part in parts:
        if part.get("etag"):
            continue  # LinkedIn has it
        response = http.request(
            "PUT",
            part["url"],
            content=data[int(part["first"]) : int(part["last"]) + 1],
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
            },
            ok_statuses=(400, 401, 403, 404, 429),
        )
        if response.status_code >= 400:
            raise error_of(http, response)
        etag = response.headers.get("etag", "")
        if not etag:
            raise ConnectorError(_("LinkedIn took a part of the video but gave no ETag."))
        part["etag"] = etag
        progress.write(state)
    if not state.get("finalized"):
        call(
            "POST",
            "/videos",
            query="action=finalizeUpload",
            body={
                "finalizeUploadRequest": {
                    "video": state["video"],
                    "uploadToken": state.get("upload_token", ""),
                    "uploadedPartIds": [part["etag"] for part in parts],
                }
            },
        )
        state["finalized"] = True
        progress.write(state)
    if not state.get("ready"):
        wait_until_available(http, call, json_of, str(state["video"]), media)
        state["ready"] = True
        progress.write(state)
    return str(state["video"])


def initialize(call: Call, json_of: JsonOf, owner: str, media: Media) -> dict[str, Any]:
    value = (
        json_of(
            call(
                "POST",
                "/videos",
                query="action=initializeUpload",
                body={
                    "initializeUploadRequest": {
                        "owner": owner,
                        "fileSizeBytes": len(media.data),
                        "uploadCaptions": False,
                        "uploadThumbnail": False,
                    }
                },
            )
        ).get("value")
        or {}
    )
    instructions = value.get("uploadInstructions") or []
    video = str(value.get("video") or "")
    parts = [
        {
            "url": str(i.get("uploadUrl") or ""),
            "first": i.get("firstByte"),
            "last": i.get("lastByte"),
        }
        for i in instructions
    ]
    covered = sum(int(p["last"]) - int(p["first"]) + 1 for p in parts if p["last"] is not None)
    if (
        not video
        or not parts
        or covered != len(media.data)
        or not all(linkedin_host(p["url"]) for p in parts)
    ):
        # The token goes with the bytes: only to LinkedIn's own hosts, and all of the file.
        raise ConnectorError(_("LinkedIn's video upload answer is not usable."))
    return {
        "video": video,
        "size": len(media.data),
        "upload_token": str(value.get("uploadToken") or ""),
        "expires_ms": float(value.get("uploadUrlsExpireAt") or 0),
        "parts": parts,
        "finalized": False,
        "ready": False,
    }


def wait_until_available(
    http: HttpClient, call: Call, json_of: JsonOf, video: str, media: Media
) -> None:
    wait = 2.0
    for _poll in range(POLLS):
        http.sleep(min(wait, MAX_POLL_WAIT))
        status = str(json_of(call("GET", f"/videos/{quote(video, safe='')}")).get("status") or "")
        if status == "AVAILABLE":
            return
        if status == "PROCESSING_FAILED":
            raise ConnectorError(
                _("LinkedIn could not process %(file)s."), file=media.filename or "video"
            )
        wait *= 2
    raise ConnectorError(
        _("LinkedIn is still processing %(file)s; Liant will look again."),
        ErrorKind.TRANSIENT,
        retry_after=60.0,
        status=-1,  # nothing posted yet: trying again cannot double the post
        file=media.filename or "video",
    )
