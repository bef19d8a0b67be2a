"""Members' pictures: an upload is treated as hostile and only a new image made from its
pixels is kept and served.

The upload goes through the media library's checks first (`media.images.check`: the bytes
decide the format, SVG refused, decompression bombs and truncated files refused), with a
2 MB and 16-megapixel limit. Then the picture is turned upright (EXIF orientation),
centre-cropped to a square and drawn into a fresh 256 × 256 image encoded as WebP: the
original bytes, and with them any camera metadata (EXIF, GPS, XMP, comments, colour
profile) or anything hidden after the image data, are never stored nor served.

Like the space's logo (theme.py), a picture is served by Liant itself at
`/space/<slug>/u/<id>/avatar/?v=<version>` to anyone while the space is open: it is shown on
public pages. The media library's files are private (signed addresses), which suits a
workspace's drafts, not a picture next to a public message.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from liant.media import images, library
from liant.space.models import SpaceAccount

MAX_BYTES = 2_000_000
MAX_PIXELS = 16_000_000
SIDE = 256
CONTENT_TYPE = "image/webp"


def max_pixels() -> int:
    return min(library.max_pixels(), MAX_PIXELS)


def too_large(name: str, size: int) -> images.Refused:
    return images.Refused(
        _("%(name)s is too large (%(size)s); a picture can be up to %(limit)s.")
        % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
    )


def make(data: bytes, name: str) -> bytes:
    """The WebP kept for an upload, or images.Refused saying why it is not an acceptable
    picture (too large, not an image, a bomb, damaged)."""
    if len(data) > MAX_BYTES:
        raise too_large(name, len(data))
    pixels = max_pixels()
    images.check(data, name, max_bytes=MAX_BYTES, max_pixels=pixels)
    try:
        return _redraw(data, pixels)
    except (OSError, ValueError, SyntaxError, EOFError):
        # Passed the checks yet Pillow cannot draw it (an odd mode or a decoder's quirk).
        raise images.Refused(
            _("%(name)s could not be read as a picture; please try another file.") % {"name": name}
        ) from None


def _redraw(data: bytes, pixels: int) -> bytes:
    image = images.open_image(data, pixels)
    image.seek(0)  # an animation gives its first frame
    image.draft("RGB", (SIDE * 2, SIDE * 2))  # JPEG: decode at a smaller scale
    image = ImageOps.exif_transpose(image)
    mode = "RGBA" if images.has_alpha(image) else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    square = ImageOps.fit(image, (SIDE, SIDE), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    # A new image from the pixels alone: nothing of the upload's `info` (EXIF, XMP, ICC,
    # comments) can follow it into the file.
    clean = Image.frombytes(mode, square.size, square.tobytes())
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def store(account: SpaceAccount, data: bytes) -> None:
    """Replace the account's picture with `data` (already made by `make`)."""
    old = account.avatar.name if account.avatar else ""
    digest = hashlib.sha256(data).hexdigest()[:12]
    name = f"{account.space_id}-{account.pk}-{digest}.webp"
    account.avatar.save(name, ContentFile(data), save=False)
    account.save(update_fields=["avatar"])
    if old and old != account.avatar.name:
        account.avatar.storage.delete(old)


def remove(account: SpaceAccount) -> None:
    if account.avatar:
        account.avatar.delete(save=False)
        account.avatar = ""
        account.save(update_fields=["avatar"])


def version(account: SpaceAccount) -> str:
    """Part of the picture's address: a new picture is a new address despite the caching."""
    return hashlib.sha256((account.avatar.name or "").encode()).hexdigest()[:10]


def shown(account: SpaceAccount) -> bool:
    """Whether pages show this account's picture: not for the erased nor the banned (whose
    words are not shown either), nor for the brand, whose mark is the space's logo."""
    return (
        bool(account.avatar) and not account.staff and not account.erased and not account.banned_at
    )


def serve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An account's picture in an open space, for anyone: it is on public pages."""
    account = get_object_or_404(
        SpaceAccount.objects.select_related("space"),
        pk=pk,
        space__workspace__slug=slug,
        space__enabled=True,
        confirmed_at__isnull=False,
    )
    if not shown(account):
        raise Http404
    try:
        with account.avatar.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        raise Http404 from None
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    # The address carries the picture's version (?v=): a new picture is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    return response
