from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.connectors import registry
from liant.publishing.models import Post, Variant
from liant.publishing.states import State
from tests.publishing.fakes import KeylessPublisher, MetricsPublisher, ScriptedPublisher


@pytest.fixture(autouse=True)
def scripted(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "scripted_pub", ("Scripted", "tests.publishing.fakes.ScriptedPublisher")
    )
    monkeypatch.setitem(
        registry.KINDS, "keyless_pub", ("Keyless", "tests.publishing.fakes.KeylessPublisher")
    )
    monkeypatch.setitem(
        registry.KINDS, "metrics_pub", ("Metrics", "tests.publishing.fakes.MetricsPublisher")
    )
    registry.connector_class.cache_clear()
    MetricsPublisher.counts = {}
    MetricsPublisher.asked = []
    for cls in (ScriptedPublisher, KeylessPublisher, MetricsPublisher):
        cls.script = []
        cls.drafts = []
        cls.posts = {}
        cls.refreshed = None
    yield ScriptedPublisher
    registry.connector_class.cache_clear()


@pytest.fixture
def channel(workspace, owner) -> Channel:
    ch = Channel.objects.create(
        workspace=workspace, kind="scripted_pub", name="Scripted", created_by=owner
    )
    ch.credentials = {"token": "old"}
    ch.save()
    return ch


@pytest.fixture
def keyless_channel(workspace, owner) -> Channel:
    return Channel.objects.create(
        workspace=workspace, kind="keyless_pub", name="Keyless", created_by=owner
    )


def scheduled_variant(
    channel: Channel, text: str = "Bonjour !", at: datetime | None = None, owner=None
) -> Variant:
    """A post with one variant on `channel`, scheduled (by default) for now."""
    at = at or timezone.now()
    post = Post.objects.create(workspace=channel.workspace, owner=owner, state=State.SCHEDULED)
    return Variant.objects.create(
        post=post, channel=channel, text=text, state=State.SCHEDULED, scheduled_at=at, due_at=at
    )


@pytest.fixture(scope="session", autouse=True)
def media_files_go_with_the_session():
    """Images the tests store land under var/test/media (a killed worker process must read
    them from the same place); they are removed when the session ends."""
    import shutil

    from django.conf import settings

    yield
    shutil.rmtree(settings.MEDIA_ROOT / "posts", ignore_errors=True)
