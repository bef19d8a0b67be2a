"""An X thread through the real publisher: a part lost half-way is never posted twice, and
publishing again resumes after the last part that went out."""

from __future__ import annotations

import httpx
import pytest

from liant.channels import fetching
from liant.channels.models import Channel
from liant.publishing import publisher
from liant.publishing.models import State, Variant
from tests.connectors.x.conftest import ACCOUNT, TOKEN, client_for
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_channel(workspace, owner, fake, monkeypatch) -> Channel:
    channel = Channel(workspace=workspace, kind="x", name="@maisonlumiere", created_by=owner)
    channel.settings = {"account_id": ACCOUNT, "username": "maisonlumiere"}
    channel.credentials = {"access_token": TOKEN, "refresh_token": "refresh-1"}
    channel.save()
    real = fetching.connector_for
    monkeypatch.setattr(fetching, "connector_for", lambda c, http=None: real(c, client_for(fake)))
    return channel


def test_a_thread_cut_half_way_resumes_without_a_double(x_channel, fake):
    fake.script("POST", r"/2/tweets", fake._create, httpx.Response(503))
    variant = scheduled_variant(x_channel, "1/3 Le Guji arrive")
    Variant.objects.filter(pk=variant.pk).update(thread=["2/3 Notes de pêche", "3/3 Samedi"])

    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    # X has no idempotency key: a part whose answer was lost is left to a person.
    assert variant.state == State.UNCONFIRMED
    assert len(variant.parts_out) == 1
    assert [p["text"] for p in fake.posted] == ["1/3 Le Guji arrive"]

    publisher.retry(variant)
    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert [p["text"] for p in fake.posted] == [
        "1/3 Le Guji arrive",
        "2/3 Notes de pêche",
        "3/3 Samedi",
    ]
    first, second, third = variant.parts_out
    assert [p.get("reply", {}).get("in_reply_to_tweet_id") for p in fake.posted] == [
        None,
        first,
        second,
    ]
    assert variant.remote_id == first
    assert variant.remote_url == f"https://x.com/maisonlumiere/status/{first}"


def test_a_video_cut_half_way_is_retried_by_the_publisher_and_resumed(
    x_channel, fake, settings, tmp_path, monkeypatch
):
    """A failed chunk is "nothing posted yet": the publisher schedules the variant again
    (not left to a person), and the next attempt resumes the same upload."""
    import os

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from liant.connectors.x import video
    from liant.publishing.models import VariantMedia
    from tests.connectors.x.conftest import answer

    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(video, "CHUNK", 1000)
    media_id = "1880028106020515841"
    fake.route("POST", r"/2/media/upload/initialize", answer("media_upload_initialize.json"))
    fake.route("POST", rf"/2/media/upload/{media_id}/append", answer("media_upload_append.json"))
    fake.route(
        "POST", rf"/2/media/upload/{media_id}/finalize", answer("media_upload_finalize.json")
    )
    fake.route("GET", r"/2/media/upload", answer("media_upload_status_succeeded.json"))
    fake.script(
        "POST", rf"/2/media/upload/{media_id}/append", *[answer("media_upload_append.json")] * 2
    )
    fake.script("POST", rf"/2/media/upload/{media_id}/append", *[httpx.Response(503)] * 3)
    variant = scheduled_variant(x_channel, "La torréfaction en vidéo")
    attached = VariantMedia(variant=variant, content_type="video/mp4", size=3500)
    attached.file.save("roast.mp4", ContentFile(os.urandom(3500)), save=True)

    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED and variant.attempts == 1
    assert fake.posted == []
    Variant.objects.filter(pk=variant.pk).update(due_at=timezone.now())

    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert len(fake.sent("POST", r"/2/media/upload/initialize")) == 1
    assert len(fake.sent("POST", rf"/2/media/upload/{media_id}/append")) == 2 + 3 + 2
    assert fake.posted == [{"text": "La torréfaction en vidéo", "media": {"media_ids": [media_id]}}]
