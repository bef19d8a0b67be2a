"""Videos: read with PyAV on upload (duration, size, codec, poster frame), refused when
damaged, checked against the network's declared limits before scheduling, sent as they are."""

from __future__ import annotations

import io

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liant.connectors import registry
from liant.connectors.base import Rules
from liant.media import images, library
from liant.media.models import MediaItem
from liant.publishing import editorial, publisher
from liant.publishing.models import Post, Variant, VariantMedia
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db


def mp4(seconds: int = 2, size=(64, 48), rate: int = 10) -> bytes:
    """A small MPEG-4 video drawn here: a colour that changes every frame."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for n in range(seconds * rate):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, (n * 5 % 255, 90, 160)))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def upload(workspace, data: bytes, name: str):
    return library.store_upload(workspace, SimpleUploadedFile(name, data))


def test_a_video_is_kept_with_its_facts_and_a_poster(workspace):
    data = mp4()
    stored = upload(workspace, data, "atelier.mp4")
    item = stored.item
    assert item.is_video and item.content_type == "video/mp4"
    assert (item.width, item.height, item.codec) == (64, 48, "mpeg4")
    assert item.duration == pytest.approx(2.0, abs=0.15)
    with item.file.open("rb") as handle:
        assert handle.read() == data  # never re-encoded
    with item.thumbnail.open("rb") as handle:
        assert Image.open(io.BytesIO(handle.read())).format == "WEBP"


def test_a_video_whose_name_lies_is_corrected(workspace):
    stored = upload(workspace, mp4(), "atelier.jpg")
    assert stored.item.name == "atelier.mp4" and "really a MP4" in stored.note


def test_a_truncated_video_is_refused(workspace):
    data = mp4(seconds=4)
    with pytest.raises(images.Refused, match="damaged or incomplete"):
        upload(workspace, data[: len(data) // 2], "coupe.mp4")
    with pytest.raises(images.Refused, match="damaged or incomplete"):
        upload(workspace, data[:64] + b"\x00" * 500, "faux.mp4")
    assert not MediaItem.objects.exists()


def test_a_video_over_the_video_limit_is_refused(workspace, settings):
    settings.LIANT_MEDIA_MAX_VIDEO_BYTES = 100
    with pytest.raises(images.Refused, match="too large"):
        upload(workspace, mp4(), "long.mp4")


def test_a_video_longer_than_the_network_takes_stops_scheduling(
    workspace,
    owner,
    imaging_channel,
    monkeypatch,
):
    monkeypatch.setattr(
        ScriptedPublisher,
        "rules",
        Rules(max_length=200, max_media=1, max_video_bytes=10**8, max_video_seconds=1),
    )
    item = upload(workspace, mp4(seconds=2), "atelier.mp4").item
    post = Post.objects.create(workspace=workspace, owner=owner)
    variant = Variant.objects.create(post=post, channel=imaging_channel, text="Vidéo")
    VariantMedia.objects.create(
        variant=variant, library_item=item, content_type=item.content_type, size=item.size
    )
    assert any("lasts 2 s" in p for p in editorial.problems_of(post))


def test_a_library_video_goes_out_as_it_is(workspace, imaging_channel, monkeypatch):
    monkeypatch.setattr(ScriptedPublisher, "rules", Rules(max_length=200, max_media=1))
    data = mp4()
    item = upload(workspace, data, "atelier.mp4").item
    variant = scheduled_variant(imaging_channel, "Vidéo")
    VariantMedia.objects.create(variant=variant, library_item=item, content_type=item.content_type)
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    (sent,) = ScriptedPublisher.drafts[0].media
    assert sent.data == data and sent.content_type == "video/mp4"
    assert not item.renditions.exists()


def test_the_mastodon_video_pixel_limit_is_declared():
    klass = registry.connector_class("mastodon")
    assert klass.rules.video_max_pixels == 3840 * 2160
