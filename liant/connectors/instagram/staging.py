"""Instagram fetches a post's media itself, from a public address: the Graph API takes an
`image_url` or `video_url`, never the bytes. Liant's files are never public (liant/media), and
a Draft carries bytes, so each file is staged here for the time Instagram needs it:

- written once through Django's storage (where the media library keeps its files, so the web
  server that answers Instagram sees what the worker wrote), under a name made from the
  draft's key, so a retried publish stages the same file again instead of a second one;
- served by `staged_media` at SITE_URL/m/instagram/<signed name>/: the name is signed with
  the media library's helper (liant/media/signed.py) and the signature expires after two
  days (a container is published within 24 hours or expires), so nobody can list or guess
  the files;
- deleted once the post is published, and any left by a failed publish after two days.

This needs LIANT_SITE_URL to be this Liant's public https address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import mimetypes
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, Media
from liant.media import signed

FOLDER = "instagram/staged"
SALT = "liant.instagram.staged"
KEEP = timedelta(days=2)
EXTENSIONS = {"image/jpeg": ".jpg", "video/mp4": ".mp4", "video/quicktime": ".mov"}


def public_base() -> str:
    base = settings.SITE_URL.rstrip("/")
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    private = host in ("localhost", "") or host.endswith(".local")
    try:
        address = ipaddress.ip_address(host)
        private = private or address.is_private or address.is_loopback
    except ValueError:
        pass
    if parts.scheme != "https" or private:
        raise ConnectorError(
            _(
                "Instagram fetches a post's media from a public address: set LIANT_SITE_URL "
                "to this Liant's public https address (it is %(url)s)."
            ),
            url=base,
        )
    return base


def stage(media: Media, key: str, index: int) -> str:
    """Store the file (once per key, index and content) and return its public address."""
    base = public_base()
    digest = hashlib.sha256(f"{key}\0{index}\0".encode() + media.data).hexdigest()[:40]
    extension = EXTENSIONS.get(media.content_type) or mimetypes.guess_extension(media.content_type)
    name = f"{FOLDER}/{digest}{extension or ''}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(media.data))
    token = signed.sign(name.rsplit("/", 1)[-1], purpose=SALT)
    return base + reverse("instagram_staged_media", kwargs={"token": token})


def unstage(urls: list[str]) -> None:
    for url in urls:
        token = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            # Any age: a file staged long ago is removed all the same.
            name = signed.unsign(token, purpose=SALT, max_age=None)
        except signed.Refused:
            continue
        default_storage.delete(f"{FOLDER}/{name}")


def prune(now: datetime | None = None) -> int:
    """Files staged more than two days ago: their publish failed or was given up."""
    now = now or datetime.now(UTC)
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < now - KEEP:
            default_storage.delete(path)
            removed += 1
    return removed


def staged_media(request: HttpRequest, token: str) -> FileResponse:
    """Public, for Instagram's servers: only a signed, unexpired name is served."""
    try:
        name = signed.unsign(token, purpose=SALT, max_age=KEEP)
    except signed.Refused:
        raise Http404 from None
    if "/" in name or name.startswith("."):
        raise Http404
    path = f"{FOLDER}/{name}"
    if not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # Streamed: a reel may be hundreds of megabytes.
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
