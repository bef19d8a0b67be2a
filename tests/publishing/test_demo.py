"""The demo's posts: history, what is coming, a failure to retry (loading twice adds nothing:
tests/core/test_cli.py checks every model at once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from liant.core.models import Workspace
from liant.publishing import publisher
from liant.publishing.models import Post, Variant
from liant.publishing.states import State

pytestmark = pytest.mark.django_db


def test_the_demo_has_published_coming_and_failed_posts(loaded_demo):
    states = list(Variant.objects.values_list("state", flat=True))
    # Six hand-written posts of the last weeks, ten weeks of three posts before them.
    assert states.count(State.PUBLISHED) == 6 + 30
    assert states.count(State.FAILED) == 1
    # One coming, six on the queue's slots in the next weeks, and the failed one.
    assert Post.objects.filter(state=State.SCHEDULED).count() == 8
    assert Post.objects.count() == 11 + 30 + 6
    published = Post.objects.filter(state=State.PUBLISHED).first()
    assert published.history.filter(variant__isnull=False).count() == 3
    assert publisher.due_variant_ids() == []  # nothing fires while the demo loads


def test_a_demo_post_that_comes_due_fails_plainly_without_a_network(loaded_demo):
    variant = Variant.objects.get(state=State.SCHEDULED, post__title="Nouveau Colombie")
    when = variant.due_at + timedelta(seconds=1)
    publisher.publish_variant(variant.pk, now=when)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    # Stored once, read in each reader's language.
    with translation.override("fr"):
        assert "n’est pas connecté (Déconnecté)" in variant.last_error_display
    with translation.override("en"):
        assert "is not connected (Disconnected)" in variant.last_error_display


def test_the_demo_has_three_months_of_metrics_for_best_time_and_a_strategy(loaded_demo):
    from liant.channels.models import Channel
    from liant.publishing import besttime
    from liant.strategy.models import Objective, Pillar, Rhythm

    workspace = Workspace.objects.get(slug="maison-lumiere")
    published = Variant.objects.filter(state=State.PUBLISHED)
    assert published.filter(metrics__isnull=True).count() == 0
    oldest = published.order_by("published_at").first().published_at
    assert (published.order_by("-published_at").first().published_at - oldest).days >= 80
    mastodon = Channel.objects.get(workspace=workspace, kind="mastodon")
    best = besttime.heatmap(mastodon).suggestions(1)[0]
    assert (best.weekday, best.hour) in {(1, 9), (3, 12)}  # Tuesday morning or Thursday noon
    assert Objective.objects.filter(workspace=workspace).count() == 2
    assert Pillar.objects.filter(workspace=workspace).count() == 7
    assert Rhythm.objects.get(channel=mastodon).posts_per_week == 3
    assert mastodon.queue_slots.count() == 3
