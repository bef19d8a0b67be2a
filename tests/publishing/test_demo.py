"""The demo's posts: history, what is coming, a failure to retry; loading twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from liant.demo import loader
from liant.publishing import publisher
from liant.publishing.models import Post, Variant
from liant.publishing.states import State

pytestmark = pytest.mark.django_db


def test_the_demo_has_published_coming_and_failed_posts_and_loads_once():
    loader.load()
    loader.load()
    states = list(Variant.objects.values_list("state", flat=True))
    assert states.count(State.PUBLISHED) == 6
    assert states.count(State.FAILED) == 1
    assert Post.objects.filter(state=State.SCHEDULED).count() == 2  # coming + the failed one
    assert Post.objects.count() == 11
    published = Post.objects.filter(state=State.PUBLISHED).first()
    assert published.history.filter(variant__isnull=False).count() == 3
    assert publisher.due_variant_ids() == []  # nothing fires while the demo loads


def test_a_demo_post_that_comes_due_fails_plainly_without_a_network():
    loader.load()
    variant = Variant.objects.get(state=State.SCHEDULED)
    when = variant.due_at + timedelta(seconds=1)
    publisher.publish_variant(variant.pk, now=when)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert "reconnectez" in variant.last_error  # in the workspace's language, French
