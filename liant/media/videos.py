"""Videos, with PyAV (FFmpeg's libraries, shipped in its wheel): what an upload really is, its
duration, size and codec, and a poster frame. Videos are not re-encoded: each network's
declared limits are checked before scheduling, and the file goes out as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
from django.utils.translation import gettext as _
from PIL import Image

from liant.media.images import THUMBNAIL_SIDE, Refused


@dataclass(frozen=True)
class Probed:
    content_type: str
    extension: str
    duration: float  # seconds
    width: int
    height: int
    codec: str
    poster: bytes  # a WebP of the first frame, thumbnail-sized


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an MP4, MOV or WebM, from the container's first bytes."""
    if data[4:8] == b"ftyp":
        return ("video/quicktime", ".mov") if data[8:12] == b"qt  " else ("video/mp4", ".mp4")
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]:
        return ("video/webm", ".webm")
    return None


def probe(data: bytes, name: str, *, max_pixels: int) -> Probed:
    """Read the video's facts and its first frame; Refused when it cannot be read whole."""
    found = sniff(data)
    assert found is not None, "sniff() first"
    damaged = _("%(name)s is damaged or incomplete (cut short during a transfer?).") % {
        "name": name
    }
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise Refused(_("%(name)s has no picture: it is not a video.") % {"name": name})
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > max_pixels:
                raise Refused(
                    _(
                        "%(name)s would take more than %(limit)s million pixels once opened; "
                        "it is refused (a file built to exhaust memory looks like this)."
                    )
                    % {"name": name, "limit": max_pixels // 1_000_000}
                )
            declared = container.duration / av.time_base if container.duration else 0.0
            # Read every packet (no decoding: fast): a file cut short ends before its duration.
            last = 0.0
            for packet in container.demux(stream):
                if packet.pts is not None and packet.time_base is not None:
                    last = max(
                        last, float((packet.pts + (packet.duration or 0)) * packet.time_base)
                    )
            if declared <= 0 or last < declared * 0.9:
                raise Refused(damaged)
            container.seek(0)
            frame = next(container.decode(stream), None)
            if frame is None:
                raise Refused(damaged)
            poster = frame.to_image()
            codec = stream.codec_context.name
    except Refused:
        raise
    except (av.FFmpegError, StopIteration, ValueError, OSError):
        raise Refused(damaged) from None
    poster.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    poster.save(out, "WEBP", quality=80)
    return Probed(found[0], found[1], declared, width, height, codec, out.getvalue())
