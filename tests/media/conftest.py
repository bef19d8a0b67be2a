"""Images made here with Pillow, good and hostile: nothing is downloaded."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import Rules
from liant.core.permissions import Role
from tests.conftest import client_for, make_user
from tests.publishing.fakes import ScriptedPublisher


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(size=(64, 48), colour="#c8702a", **options) -> bytes:
    return encode(Image.new("RGB", size, colour), "JPEG", **options)


def png(size=(64, 48), colour=(40, 90, 200, 255), mode="RGBA") -> bytes:
    return encode(Image.new(mode, size, colour), "PNG")


def noise(size=(3000, 2000), fmt="JPEG", **options) -> bytes:
    """Random pixels: what compresses worst, so byte limits really bite."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    return encode(image, fmt, **options)


def halves(size=(400, 200), left="red", right="blue") -> bytes:
    image = Image.new("RGB", size, left)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return encode(image, "PNG")


def phone_photo() -> bytes:
    """A JPEG stored sideways (EXIF orientation 6: turn 90° clockwise to show it) with the
    place it was taken in its GPS tags: 80 wide × 40 high as stored, 40 × 80 as seen."""
    image = Image.new("RGB", (80, 40), "green")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return encode(image, "JPEG", exif=exif)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces a huge image: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


@pytest.fixture
def analyst(workspace):
    return make_user("analyst@brand.example", workspace, Role.ANALYST)


@pytest.fixture
def analyst_client(analyst):
    return client_for(analyst)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test its own storage: rolled-back rows leave no files for the next test to see."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def imaging_channel(workspace, owner, monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "scripted_pub", ("Scripted", "tests.publishing.fakes.ScriptedPublisher")
    )
    registry.connector_class.cache_clear()
    monkeypatch.setattr(
        ScriptedPublisher,
        "rules",
        Rules(
            max_length=200,
            max_media=4,
            max_image_bytes=300_000,
            image_max_side=1000,
            max_alt_text=1000,
        ),
    )
    ScriptedPublisher.drafts = []
    ScriptedPublisher.posts = {}
    ScriptedPublisher.script = []
    yield Channel.objects.create(
        workspace=workspace, kind="scripted_pub", name="Scripted", created_by=owner
    )
    registry.connector_class.cache_clear()
