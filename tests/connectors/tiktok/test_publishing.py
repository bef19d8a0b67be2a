"""A TikTok video through the real publisher: the sign-in lapses while Liant polls the post's
status; the publisher refreshes the token and calls again, which polls the same post instead
of starting a second one."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from liant.channels import fetching
from liant.channels.models import Channel
from liant.publishing import publisher
from liant.publishing.models import State, VariantMedia
from tests.connectors.tiktok.conftest import OPEN_ID, TOKEN, answer, client_for, load
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db

APP = {"tiktok": {"client_id": "aw-client-key", "client_secret": "tt-secret"}}


@pytest.fixture
def tiktok_channel(workspace, owner, fake, monkeypatch) -> Channel:
    channel = Channel(workspace=workspace, kind="tiktok", name="Maison Lumière", created_by=owner)
    channel.settings = {"account_id": OPEN_ID, "display_name": "Maison Lumière"}
    channel.credentials = {"access_token": TOKEN, "refresh_token": "rft.1"}
    channel.save()
    real = fetching.connector_for
    monkeypatch.setattr(fetching, "connector_for", lambda c, http=None: real(c, client_for(fake)))
    return channel


@override_settings(NETWORK_APPS=APP)
def test_a_lapsed_sign_in_while_polling_does_not_post_twice(tiktok_channel, fake):
    refreshed = load("token_refreshed.json")

    def refresh(request):
        fake.token = refreshed["access_token"]
        return answer("token_refreshed.json")

    fake.route("POST", r"/v2/oauth/token/", refresh)
    fake.script(
        "POST",
        r"/v2/post/publish/status/fetch/",
        answer("error_access_token_invalid.json", 401),
    )
    variant = scheduled_variant(tiktok_channel, "Torréfaction du Guji ☕")
    video = b"\x00\x00\x00\x18ftypmp42" + b"v" * 500
    VariantMedia.objects.create(
        variant=variant,
        content_type="video/mp4",
        size=len(video),
        file=ContentFile(video, name="guji.mp4"),
    )

    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED, variant.last_error
    assert variant.remote_id == "7234567890123456789"
    assert len(fake.sent("POST", r"/v2/post/publish/video/init/")) == 1
    assert len(fake.sent("PUT", r"/video/")) == 1
    tiktok_channel.refresh_from_db()
    assert tiktok_channel.credentials["refresh_token"] == refreshed["refresh_token"]
