"""The publisher with Instagram: a worker that dies, or an answer that is lost, anywhere in the
container flow leaves a post that is published once, by the retry the key's window allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from liant.channels import fetching
from liant.channels.models import Channel
from liant.connectors.instagram.connector import InstagramConnector
from liant.publishing import publisher
from liant.publishing.models import Variant, VariantMedia
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant

from .conftest import CONTAINER, IG, MEDIA, PAGE_TOKEN, SETTINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(workspace, owner, meta, monkeypatch) -> Channel:
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: InstagramConnector(ch.settings, ch.credentials, meta.http()),
    )
    ch = Channel.objects.create(
        workspace=workspace, kind="instagram", name="IG", settings=SETTINGS, created_by=owner
    )
    ch.credentials = {"access_token": PAGE_TOKEN}
    ch.save()
    return ch


def photo_variant(channel: Channel) -> Variant:
    variant = scheduled_variant(channel, "Nouvelle récolte : Éthiopie Guji ☕")
    VariantMedia.objects.create(
        variant=variant,
        file=ContentFile(b"\xff\xd8\xff\xe0fake-jpeg", name="guji.jpg"),
        content_type="image/jpeg",
        size=13,
        alt_text="Sacs de café",
    )
    return variant


def later() -> datetime:
    return timezone.now() + publisher.STUCK_AFTER + timedelta(minutes=1)


def test_a_worker_dying_after_media_publish_is_recovered_without_a_second_post(
    channel, meta, monkeypatch
):
    variant = photo_variant(channel)

    class WorkerDied(BaseException):
        pass

    def die(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(publisher, "record_published", die)
    with pytest.raises(WorkerDied):
        publisher.publish_variant(variant.pk)
    monkeypatch.undo()
    monkeypatch.setattr(
        fetching,
        "connector_for",
        lambda ch, http=None: InstagramConnector(ch.settings, ch.credentials, meta.http()),
    )
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHING

    now = later()
    assert publisher.sweep(now) == 1  # within the window: tried again with the same key
    assert publisher.publish_variant(variant.pk, now=now).state == State.PUBLISHED

    variant.refresh_from_db()
    assert variant.remote_id == MEDIA
    assert len(meta.sent("POST", "media_publish")) == 1
    assert len(meta.sent("POST", f"{IG}/media$")) == 1


def test_a_lost_answer_of_media_publish_is_retried_and_found_published(channel, meta):
    variant = photo_variant(channel)
    published = {"done": False}

    def media_publish(request, match):
        published["done"] = True
        raise httpx.ReadTimeout("the answer was lost", request=request)

    def container(request, match):
        code = "PUBLISHED" if published["done"] else "FINISHED"
        return httpx.Response(200, json={"status_code": code, "id": CONTAINER})

    def recent(request, match):
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        item = {"id": MEDIA, "caption": variant.text, "timestamp": stamp, "permalink": ""}
        return httpx.Response(200, json={"data": [item]})

    meta.route("POST", f"{IG}/media_publish", media_publish)
    meta.route("GET", CONTAINER, container)
    meta.route("GET", f"{IG}/media", recent)

    first = publisher.publish_variant(variant.pk)
    assert first.state == State.SCHEDULED  # a transient failure: tried again later
    variant.refresh_from_db()
    retry = publisher.publish_variant(variant.pk, now=variant.due_at + timedelta(seconds=1))

    assert retry.state == State.PUBLISHED
    variant.refresh_from_db()
    assert variant.remote_id == MEDIA
    assert len(meta.sent("POST", "media_publish")) == 1
