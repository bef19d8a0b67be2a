"""Images, with Pillow and no database: what an upload really is, its cleaned copy, its
thumbnail, and a rendition made to fit a network's declared limits.

Every decision is taken from the bytes, never from the file's name or the type the browser
claims: a name can lie, the bytes cannot.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from liant.connectors.base import Rules

# Pillow's format name → (MIME type, the extension a file of it gets).
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
TYPES = {content_type: fmt for fmt, (content_type, _ext) in FORMATS.items()}
THUMBNAIL_SIDE = 480
# Animated files are decoded frame by frame to find a truncated one; past this many pixels in
# all (frames × width × height, in units of the still-image limit) they are refused.
ANIMATION_BUDGET = 4


class Refused(ValueError):
    """An upload the library will not keep, with why in the reader's language."""


@dataclass(frozen=True)
class Checked:
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP
    width: int
    height: int
    frames: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def looks_like_svg(data: bytes, name: str) -> bool:
    if name.lower().endswith((".svg", ".svgz")):
        return True
    head = data[:4096].lower()
    return b"<svg" in head or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Open (headers only) one of the four formats, refusing what would decode into more
    than `max_pixels`. Pillow's own bomb check is made an error rather than a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise Refused("bomb") from exc
    if image.width * image.height > max_pixels:
        raise Refused("bomb")
    return image


def check(data: bytes, name: str, *, max_bytes: int, max_pixels: int) -> Checked:
    """What the upload is, or Refused with a message that says why it is not kept."""
    if not data:
        raise Refused(_("%(name)s is empty (0 bytes).") % {"name": name})
    if len(data) > max_bytes:
        raise Refused(
            _("%(name)s is too large (%(size)s); the library takes files up to %(limit)s.")
            % {"name": name, "size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)}
        )
    bomb = _(
        "%(name)s would take more than %(limit)s million pixels once opened; it is refused "
        "(a file built to exhaust memory looks like this)."
    ) % {"name": name, "limit": max_pixels // 1_000_000}
    try:
        image = open_image(data, max_pixels)
    except Refused:
        raise Refused(bomb) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Asked only of what is no raster image: a PNG whose text happens to hold "<svg" is
        # a PNG (and is served as one, with nosniff), not a drawing that can run scripts.
        if looks_like_svg(data, name):
            raise Refused(
                _(
                    "%(name)s is an SVG drawing, which can carry scripts: it is refused. "
                    "Export it as PNG first."
                )
                % {"name": name}
            ) from None
        raise Refused(
            _("%(name)s is not a JPEG, PNG, GIF or WebP image.") % {"name": name}
        ) from None
    frames = getattr(image, "n_frames", 1)
    if frames * image.width * image.height > ANIMATION_BUDGET * max_pixels:
        raise Refused(bomb)
    damaged = _("%(name)s is damaged or incomplete (cut short during a transfer?).") % {
        "name": name
    }
    # WeasyPrint (the report PDFs) turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole
    # process when it is imported: a file cut short must still fail here, whatever ran before.
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # Decode every frame: a file cut short fails here, not later in the worker.
        for index in range(frames):
            image.seek(index)
            image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise Refused(damaged) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    assert image.format in FORMATS  # open_image only tried these
    return Checked(image.format, image.width, image.height, frames)


def has_metadata(image: Image.Image) -> bool:
    """EXIF (where GPS lives), XMP or a comment: what a cleaned copy drops."""
    info = image.info
    return bool(image.getexif()) or any(
        key in info for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment")
    )


def cleaned(data: bytes, checked: Checked, max_pixels: int) -> tuple[bytes, int, int]:
    """The image upright (EXIF orientation applied) and without camera metadata; the bytes
    as they are when there is nothing to remove (no second lossy encoding then).

    Animated GIFs are kept as they are: GIF has no EXIF, and re-encoding loses frames' timing.
    The colour profile is kept: it is how the colours look right, not personal data."""
    image = open_image(data, max_pixels)
    if checked.format == "GIF" or not has_metadata(image):
        return data, checked.width, checked.height
    icc = image.info.get("icc_profile")
    out = io.BytesIO()
    if checked.frames > 1:  # animated WebP: every frame, without the metadata chunks
        image.save(out, "WEBP", save_all=True, quality=95, icc_profile=icc)
        return out.getvalue(), image.width, image.height
    upright = ImageOps.exif_transpose(image)
    options: dict = {"icc_profile": icc} if icc else {}
    if checked.format == "JPEG":
        options.update(quality=95, subsampling="keep" if upright is image else 0)
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
    elif checked.format == "WEBP":
        options.update(quality=95)
    upright.save(out, checked.format, **options)
    return out.getvalue(), upright.width, upright.height


def thumbnail(data: bytes, max_pixels: int) -> bytes:
    """A small WebP for the library's grid (keeps transparency, a few tens of kB)."""
    image = open_image(data, max_pixels)
    image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # JPEG: decode at 1/2..1/8 scale
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80)
    return out.getvalue()


# --- renditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What a network takes, read from its connector's Rules."""

    max_bytes: int | None = None
    max_side: int | None = None
    max_pixels: int | None = None
    ratio: tuple[float, float] | None = None
    types: frozenset[str] = frozenset()  # empty: any of the four

    @classmethod
    def of(cls, rules: Rules) -> Spec:
        return cls(
            max_bytes=rules.max_image_bytes,
            max_side=rules.image_max_side,
            max_pixels=rules.image_max_pixels,
            ratio=rules.image_ratio,
            types=frozenset(rules.media_types) & frozenset(TYPES),
        )

    def key(self, focal: tuple[float, float]) -> str:
        """Every value the rendition depends on; the focal point only where it crops."""
        types = "".join(sorted(TYPES[t][0].lower() for t in self.types)) or "any"
        parts = [
            f"b{self.max_bytes or 0}",
            f"s{self.max_side or 0}",
            f"p{self.max_pixels or 0}",
            f"t{types}",
        ]
        if self.ratio:
            parts.append(f"r{self.ratio[0]:.3f}-{self.ratio[1]:.3f}")
            parts.append(f"f{focal[0]:.3f},{focal[1]:.3f}")
        return ":".join(parts)

    def accepts(self, content_type: str) -> bool:
        return not self.types or content_type in self.types


class CannotFit(ValueError):
    """No rendition under the network's byte limit, even small and compressed."""


def crop_box(
    width: int, height: int, ratio: tuple[float, float] | None, focal: tuple[float, float]
) -> tuple[int, int, int, int] | None:
    """The largest box within the accepted ratios, centred on the focal point as far as the
    edges allow; None when the image already fits."""
    if not ratio:
        return None
    narrowest, widest = ratio
    current = width / height
    if current > widest:
        new_width = max(1, round(height * widest))
        left = min(max(round(focal[0] * width - new_width / 2), 0), width - new_width)
        return (left, 0, left + new_width, height)
    if current < narrowest:
        new_height = max(1, round(width / narrowest))
        top = min(max(round(focal[1] * height - new_height / 2), 0), height - new_height)
        return (0, top, width, top + new_height)
    return None


def scale_for(width: int, height: int, spec: Spec) -> float:
    factor = 1.0
    if spec.max_side and max(width, height) > spec.max_side:
        factor = min(factor, spec.max_side / max(width, height))
    if spec.max_pixels and width * height > spec.max_pixels:
        factor = min(factor, math.sqrt(spec.max_pixels / (width * height)))
    return factor


QUALITIES = (90, 85, 80, 74, 68, 60, 50, 40)
SHRINK_STEPS = 6  # each one 0.8 × the sides, when even the lowest quality is too heavy


def rendition(
    data: bytes, content_type: str, spec: Spec, focal: tuple[float, float], max_pixels: int
) -> tuple[bytes, str, int, int]:
    """(bytes, content type, width, height) that the network takes as they are.

    The stored file goes out untouched when it already fits (no loss, animations kept);
    otherwise it is cropped, shrunk and encoded until it does."""
    image = open_image(data, max_pixels)
    width, height = image.size
    box = crop_box(width, height, spec.ratio, focal)
    if box:
        width, height = box[2] - box[0], box[3] - box[1]
    factor = scale_for(width, height, spec)
    fits_bytes = spec.max_bytes is None or len(data) <= spec.max_bytes
    if box is None and factor == 1.0 and fits_bytes and spec.accepts(content_type):
        return data, content_type, image.width, image.height
    # Rounded down: a limit on pixels or sides is never passed by one pixel.
    target = (max(1, int(width * factor)), max(1, int(height * factor)))
    if box is None:
        # JPEG: let the decoder scale by 1/2, 1/4 or 1/8 while reading, which is most of
        # the speed and memory saved on a 12-megapixel photo.
        image.draft("RGB", target)
    else:
        image.load()
    image.seek(0)  # an animation that must change goes as its first frame
    mode = "RGBA" if has_alpha(image) else "RGB"
    # No copy when the decoded mode is already right: on a 12 MP photo a copy is 36 MB more.
    frame = image if image.mode == mode else image.convert(mode)
    if box:
        frame = frame.crop(box)
    fmt = TYPES.get(content_type, "JPEG")
    if not spec.accepts(content_type) or fmt == "GIF":
        # GIF's 256 colours make a worse and larger still image than PNG or JPEG.
        fmt = "PNG" if has_alpha(image) and spec.accepts("image/png") else "JPEG"
    for _step in range(SHRINK_STEPS + 1):
        sized = frame.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        for encoded, fmt_used in encodings(sized, fmt, spec):
            if spec.max_bytes is None or len(encoded) <= spec.max_bytes:
                return encoded, FORMATS[fmt_used][0], sized.width, sized.height
        target = (max(1, int(target[0] * 0.8)), max(1, int(target[1] * 0.8)))
    raise CannotFit


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def encodings(image: Image.Image, fmt: str, spec: Spec):  # noqa: ANN201 - a generator
    """Encodings to try, lightest loss first: lossless PNG once, then lossy at falling
    qualities (WebP keeps transparency; JPEG, flattened on white, is the last resort)."""
    if fmt == "PNG":
        out = io.BytesIO()
        image.save(out, "PNG", optimize=spec.max_bytes is not None)
        yield out.getvalue(), "PNG"
        if spec.accepts("image/webp"):
            fmt = "WEBP"
        elif spec.accepts("image/jpeg"):
            fmt = "JPEG"
        else:
            return
    if fmt == "JPEG" and image.mode != "RGB":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
        image = flat
    for quality in QUALITIES:
        out = io.BytesIO()
        if fmt == "JPEG":
            image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        else:
            image.save(out, "WEBP", quality=quality, method=4)
        yield out.getvalue(), fmt
