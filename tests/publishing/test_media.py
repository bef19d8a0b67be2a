"""A variant's media: checked against the network's rules before scheduling, and handed to
the connector as Draft.media with the post (not with its follow-ups)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from liant.publishing import editorial, publisher
from liant.publishing.models import Post, Variant, VariantMedia
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db


def attach(variant: Variant, data: bytes, content_type: str = "image/png", n: int = 0):
    return VariantMedia.objects.create(
        variant=variant,
        file=ContentFile(data, name=f"m{n}.bin"),
        content_type=content_type,
        size=len(data),
        alt_text=f"alt {n}",
        position=n,
    )


def test_the_media_go_with_the_post_and_not_with_its_follow_ups(channel):
    variant = scheduled_variant(channel, "Photo")
    Variant.objects.filter(pk=variant.pk).update(thread=["suite"])
    attach(variant, b"second", n=1)
    attach(variant, b"first", n=0)
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    post, follow_up = ScriptedPublisher.drafts
    assert [(m.data, m.alt_text, m.content_type) for m in post.media] == [
        (b"first", "alt 0", "image/png"),
        (b"second", "alt 1", "image/png"),
    ]
    assert follow_up.media == []


def test_media_the_network_refuses_stop_the_scheduling(workspace, owner, channel):
    # The scripted network takes no media at all (Rules() default: max_media=0).
    post = Post.objects.create(workspace=workspace, owner=owner)
    variant = Variant.objects.create(post=post, channel=channel, text="Photo")
    attach(variant, b"x")
    problems = editorial.problems_of(post)
    assert problems and "at most 0" in problems[0]


def test_an_image_alone_is_something_to_publish(workspace, owner, monkeypatch, channel):
    from liant.connectors.base import Rules

    monkeypatch.setattr(
        ScriptedPublisher,
        "rules",
        Rules(max_length=20, max_media=1, media_types=frozenset({"image/png"}), max_image_bytes=10),
    )
    post = Post.objects.create(workspace=workspace, owner=owner)
    variant = Variant.objects.create(post=post, channel=channel, text="")
    attach(variant, b"tiny")
    assert editorial.problems_of(post) == []
    attach(variant, b"far too large for it", "image/gif", n=1)
    problems = editorial.problems_of(post)
    assert any("image/gif" in p for p in problems)
    assert any("at most 1" in p for p in problems)


# --- From the composer ------------------------------------------------------------------------


@pytest.fixture
def imaging_channel(monkeypatch, channel):
    from liant.connectors.base import Rules

    monkeypatch.setattr(
        ScriptedPublisher,
        "rules",
        Rules(
            max_length=20,
            max_media=2,
            media_types=frozenset({"image/png", "image/jpeg"}),
            max_image_bytes=1000,
        ),
    )
    return channel


def compose(client, workspace, channel, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        f"c{channel.pk}-include": "on",
        f"c{channel.pk}-text": "Photo",
        "action": "save",
    }
    for name, value in extra.items():
        if isinstance(value, bytes):
            value = SimpleUploadedFile("upload.bin", value, content_type="image/png")
        data[f"c{channel.pk}-{name}"] = value
    return client.post(f"/w/{workspace.slug}/publishing/new/", data)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_the_composer_adds_an_image_with_its_description(
    owner_client, outsider_client, workspace, imaging_channel
):
    assert compose(outsider_client, workspace, imaging_channel, image=PNG).status_code == 404
    assert not VariantMedia.objects.exists()
    answer = compose(owner_client, workspace, imaging_channel, image=PNG, image_alt="La salle")
    assert answer.status_code == 302
    item = VariantMedia.objects.get()
    assert (item.content_type, item.size, item.alt_text) == ("image/png", len(PNG), "La salle")
    assert item.read() == PNG
    page = owner_client.get(answer["Location"]).content.decode()
    assert "La salle" in page


def test_the_composer_reads_the_type_from_the_bytes_not_the_browser(
    owner_client, workspace, imaging_channel
):
    page = compose(owner_client, workspace, imaging_channel, image=b"<svg onload=alert(1)>")
    assert page.status_code == 200 and "Only JPEG, PNG, GIF or WebP" in page.content.decode()
    gif = compose(owner_client, workspace, imaging_channel, image=b"GIF89a" + b"\x00" * 10)
    assert "does not accept image/gif" in gif.content.decode()
    big = compose(owner_client, workspace, imaging_channel, image=PNG + b"\x00" * 2000)
    assert "takes files of" in big.content.decode()
    assert not VariantMedia.objects.exists()


def test_an_image_can_be_removed_while_editing(
    owner_client, workspace, imaging_channel, outsider_client
):
    answer = compose(owner_client, workspace, imaging_channel, image=PNG)
    item = VariantMedia.objects.get()
    post_id = item.variant.post_id
    owner_client.post(
        f"/w/{workspace.slug}/publishing/{post_id}/edit/",
        {
            f"c{imaging_channel.pk}-include": "on",
            f"c{imaging_channel.pk}-text": "Sans photo",
            f"c{imaging_channel.pk}-remove_media": [str(item.pk)],
            "action": "save",
        },
    )
    assert answer.status_code == 302 and not VariantMedia.objects.exists()
    assert compose(outsider_client, workspace, imaging_channel, image=PNG).status_code == 404
