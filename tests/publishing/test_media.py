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
