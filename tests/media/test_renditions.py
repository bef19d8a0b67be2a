"""Renditions: each network gets the item made to fit its declared limits, once, and the
publisher sends it instead of the original."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liant.channels.models import Channel
from liant.connectors.base import Rules
from liant.connectors.bluesky.connector import BlueskyConnector
from liant.connectors.mastodon.connector import MastodonConnector
from liant.media import images, library, tasks
from liant.media.models import Rendition
from liant.publishing import publisher
from liant.publishing.models import VariantMedia
from liant.publishing.states import State
from tests.media.conftest import halves, jpeg, noise, png
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db

BLUESKY = images.Spec.of(BlueskyConnector.rules)
MASTODON = images.Spec.of(MastodonConnector.rules)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_an_image_that_fits_goes_as_it_is():
    original = jpeg((800, 600))
    data, content_type, width, height = images.rendition(
        original, "image/jpeg", BLUESKY, (0.5, 0.5), 60_000_000
    )
    assert data == original and (content_type, width, height) == ("image/jpeg", 800, 600)


def test_bluesky_gets_a_jpeg_under_one_megabyte_and_2000_pixels():
    original = noise((3000, 2000), quality=92)
    assert len(original) > 1_000_000
    data, content_type, width, height = images.rendition(
        original, "image/jpeg", BLUESKY, (0.5, 0.5), 60_000_000
    )
    assert len(data) <= 1_000_000
    assert content_type == "image/jpeg" and max(width, height) <= 2000
    assert opened(data).size == (width, height)


def test_mastodon_gets_at_most_its_pixel_count():
    original = jpeg((4000, 3000))
    data, _type, width, height = images.rendition(
        original, "image/jpeg", MASTODON, (0.5, 0.5), 60_000_000
    )
    assert width * height <= 3840 * 2160
    assert abs(width / height - 4 / 3) < 0.01


def test_a_heavy_transparent_png_keeps_its_transparency_as_webp():
    image = Image.frombytes("RGB", (900, 900), os.urandom(900 * 900 * 3))
    image.putalpha(Image.linear_gradient("L").resize((900, 900)))
    out = io.BytesIO()
    image.save(out, "PNG")
    spec = images.Spec(max_bytes=200_000, types=frozenset({"image/png", "image/webp"}))
    data, content_type, _w, _h = images.rendition(
        out.getvalue(), "image/png", spec, (0.5, 0.5), 60_000_000
    )
    assert len(data) <= 200_000 and content_type == "image/webp"
    assert opened(data).mode == "RGBA"


def test_a_type_the_network_refuses_is_converted():
    spec = images.Spec(types=frozenset({"image/jpeg"}))
    data, content_type, _w, _h = images.rendition(png(), "image/png", spec, (0.5, 0.5), 10**8)
    assert content_type == "image/jpeg" and opened(data).format == "JPEG"


@pytest.mark.parametrize(
    ("focal", "colour"),
    [((0.9, 0.5), (0, 0, 255)), ((0.1, 0.5), (255, 0, 0))],
)
def test_a_crop_keeps_the_focal_point_in_view(focal, colour):
    # Left half red, right half blue; a square crop goes where the focal point is.
    spec = images.Spec(ratio=(1.0, 1.0))
    data, _type, width, height = images.rendition(halves(), "image/png", spec, focal, 10**8)
    assert (width, height) == (200, 200)
    assert opened(data).convert("RGB").getpixel((100, 100)) == colour


def test_a_too_tall_image_is_cropped_around_the_focal_point_height():
    assert images.crop_box(100, 400, (0.8, 1.91), (0.5, 0.0)) == (0, 0, 100, 125)
    assert images.crop_box(100, 400, (0.8, 1.91), (0.5, 1.0)) == (0, 275, 100, 400)
    assert images.crop_box(100, 100, (0.8, 1.91), (0.5, 0.5)) is None


@pytest.fixture
def item(workspace):
    return library.store_upload(
        workspace, SimpleUploadedFile("grain.jpg", noise((2400, 1600)))
    ).item


def test_a_rendition_is_made_once_and_reused(item):
    first = library.rendition_for(item, BlueskyConnector.rules)
    again = library.rendition_for(item, BlueskyConnector.rules)
    assert first.pk == again.pk and Rendition.objects.count() == 1
    assert first.size <= 1_000_000


def test_moving_the_focal_point_only_changes_renditions_that_crop(item):
    cropping = Rules(max_media=1, image_ratio=(1.0, 1.0))
    square = library.rendition_for(item, cropping)
    plain = library.rendition_for(item, BlueskyConnector.rules)
    item.focal_x = 0.1
    item.save(update_fields=["focal_x"])
    assert library.rendition_for(item, cropping).pk != square.pk
    assert library.rendition_for(item, BlueskyConnector.rules).pk == plain.pk


def test_the_worker_makes_the_renditions_of_the_workspace_networks(workspace, item, owner):
    Channel.objects.create(workspace=workspace, kind="bluesky", name="Bsky", created_by=owner)
    Channel.objects.create(workspace=workspace, kind="mastodon", name="Masto", created_by=owner)
    Channel.objects.create(workspace=workspace, kind="feed", name="Blog", created_by=owner)
    tasks.make_renditions.call_local(item.pk)
    assert item.renditions.count() == 2


def test_the_publisher_sends_the_rendition_not_the_original(imaging_channel, item):
    item.alt_text_fr = "Grain de café en gros plan"
    item.save()
    variant = scheduled_variant(imaging_channel, "Photo")
    VariantMedia.objects.create(
        variant=variant, library_item=item, content_type=item.content_type, size=item.size
    )
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    (draft,) = ScriptedPublisher.drafts
    (sent,) = draft.media
    rendition = item.renditions.get()
    with rendition.file.open("rb") as handle:
        assert sent.data == handle.read()
    assert len(sent.data) <= 300_000 and max(opened(sent.data).size) <= 1000
    assert sent.alt_text == "Grain de café en gros plan"


def test_an_image_that_cannot_fit_fails_the_variant_plainly(imaging_channel, item, monkeypatch):
    monkeypatch.setattr(
        ScriptedPublisher, "rules", Rules(max_length=200, max_media=4, max_image_bytes=100)
    )
    variant = scheduled_variant(imaging_channel, "Photo")
    VariantMedia.objects.create(variant=variant, library_item=item, content_type=item.content_type)
    outcome = publisher.publish_variant(variant.pk)
    assert outcome.state == State.FAILED
    assert "cannot be made small enough" in outcome.error
    assert ScriptedPublisher.drafts == []


def test_a_mastodon_server_s_own_limit_is_what_its_rendition_fits(workspace, owner):
    channel = Channel.objects.create(
        workspace=workspace,
        kind="mastodon",
        name="Small server",
        created_by=owner,
        settings={
            "instance_url": "https://small.example",
            "limits": {"image_size_limit": 2_000_000},
        },
    )
    assert library.rules_of_channel(channel).max_image_bytes == 2_000_000
