"""Uploads checked from their bytes: each hostile file is refused with a clear message, and
nothing of it is kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from liant.media import images, library
from liant.media.models import MediaItem, MediaSettings
from tests.media.conftest import SVG, encode, jpeg, noise, phone_photo, png, png_claiming

pytestmark = pytest.mark.django_db


def upload(workspace, data: bytes, name: str):
    return library.store_upload(workspace, SimpleUploadedFile(name, data))


def files_of(workspace) -> list[Path]:
    root = Path(default_storage.location) / "library" / str(workspace.pk)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused(workspace, data: bytes, name: str) -> str:
    with pytest.raises(images.Refused) as caught:
        upload(workspace, data, name)
    assert not MediaItem.objects.exists()
    assert files_of(workspace) == []
    return str(caught.value)


def test_a_good_jpeg_is_kept_with_its_thumbnail(workspace):
    stored = upload(workspace, jpeg((800, 600)), "salle.jpg")
    item = stored.item
    assert (item.content_type, item.width, item.height, item.name) == (
        "image/jpeg",
        800,
        600,
        "salle.jpg",
    )
    assert stored.note == ""
    with item.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
    assert thumb.format == "WEBP" and max(thumb.size) == images.THUMBNAIL_SIDE
    assert len(files_of(workspace)) == 2


def test_an_empty_file_is_refused(workspace):
    assert "is empty" in refused(workspace, b"", "vide.jpg")


def test_a_truncated_jpeg_is_refused(workspace):
    whole = noise((300, 200), quality=90)
    assert "damaged or incomplete" in refused(workspace, whole[: len(whole) // 2], "coupe.jpg")


def test_making_report_pdfs_does_not_relax_the_check(workspace):
    """WeasyPrint switches Pillow to accepting truncated images when it is imported."""
    import liant.analytics.pdf  # noqa: F401

    whole = noise((300, 200), quality=90)
    assert "damaged or incomplete" in refused(workspace, whole[: len(whole) // 2], "coupe.jpg")


def test_a_truncated_png_is_refused(workspace):
    whole = encode(
        Image.frombytes("RGB", (200, 200), bytes(range(256)) * 468 + b"\x00" * 192), "PNG"
    )
    assert "damaged or incomplete" in refused(workspace, whole[: len(whole) - 40], "coupe.png")


def test_a_decompression_bomb_is_refused_before_it_is_decoded(workspace):
    # 100 000 × 100 000 pixels announced in a file of a few dozen bytes: Pillow's own limit.
    message = refused(workspace, png_claiming(100_000, 100_000), "bombe.png")
    assert "million pixels" in message


def test_an_image_over_the_library_pixel_limit_is_refused(workspace, settings):
    settings.LIANT_MEDIA_MAX_PIXELS = 1_000_000
    assert "million pixels" in refused(workspace, png_claiming(2000, 1000), "grand.png")


def test_an_svg_is_refused_even_under_an_image_name(workspace):
    assert "SVG" in refused(workspace, SVG, "logo.svg")
    assert "SVG" in refused(workspace, SVG, "logo.png")


def test_a_file_that_is_no_image_is_refused(workspace):
    assert "not a JPEG, PNG, GIF or WebP" in refused(workspace, b"%PDF-1.7 hello", "doc.jpg")
    bmp = encode(Image.new("RGB", (10, 10)), "BMP")
    assert "not a JPEG, PNG, GIF or WebP" in refused(workspace, bmp, "image.bmp")


def test_a_file_too_large_is_refused_before_it_is_read(workspace, settings):
    settings.LIANT_MEDIA_MAX_BYTES = 1000
    assert "too large" in refused(workspace, jpeg((400, 400), quality=100), "lourd.jpg")


def test_an_extension_that_lies_is_corrected_and_said(workspace):
    stored = upload(workspace, jpeg(), "vraiment.png")
    assert stored.item.name == "vraiment.jpg"
    assert stored.item.content_type == "image/jpeg"
    assert "really a JPEG" in stored.note and ".jpg" in stored.note


def test_orientation_is_applied_and_the_location_removed(workspace):
    item = upload(workspace, phone_photo(), "telephone.jpg").item
    assert (item.width, item.height) == (40, 80)  # upright
    with item.file.open("rb") as handle:
        kept = Image.open(io.BytesIO(handle.read()))
    exif = kept.getexif()
    assert kept.size == (40, 80)
    assert ExifTags.Base.Orientation not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif


def test_a_workspace_may_keep_the_metadata(workspace):
    MediaSettings.objects.create(workspace=workspace, keep_metadata=True)
    original = phone_photo()
    item = upload(workspace, original, "telephone.jpg").item
    with item.file.open("rb") as handle:
        assert handle.read() == original


def test_a_clean_png_is_kept_byte_for_byte(workspace):
    original = png()
    item = upload(workspace, original, "logo.png").item
    with item.file.open("rb") as handle:
        assert handle.read() == original


def test_nothing_is_half_stored_when_the_row_fails(workspace, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(MediaItem, "save", broken)
    with pytest.raises(RuntimeError):
        upload(workspace, jpeg(), "photo.jpg")
    assert files_of(workspace) == []


def test_a_raster_image_named_svg_is_an_image_not_a_drawing(workspace):
    stored = upload(workspace, png(), "logo.svg")
    assert stored.item.name == "logo.png" and stored.item.content_type == "image/png"


def test_a_truncated_file_is_refused_even_after_weasyprint_is_imported(monkeypatch):
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported.
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = noise((300, 200), quality=90)
    with pytest.raises(images.Refused, match="damaged"):
        images.check(data[: len(data) // 2], "cut.jpg", max_bytes=10**7, max_pixels=10**7)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # given back as it was
