"""Publishing's reach and impressions on hand-made metrics where the answer is known: the
latest metrics of each publication of the period, networks that tell neither, a deleted
post, an empty day, and the day the clocks go forward in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from liant.analytics.registry import REGISTRY, combine, value_of
from liant.publishing.models import Post, Variant, VariantMetrics
from liant.publishing.states import State
from tests.analytics.conftest import DAY, at, day_value, period_value

pytestmark = pytest.mark.django_db


def value(workspace, key: str, day: date = DAY) -> float | None:
    return value_of(REGISTRY[key], day_value(workspace, key, day))


def published(workspace, channel, when, values=None, state=State.PUBLISHED) -> Variant:
    post = Post.objects.create(workspace=workspace, state=State.PUBLISHED)
    variant = Variant.objects.create(post=post, channel=channel, state=state, published_at=when)
    if values is not None:
        VariantMetrics.objects.create(variant=variant, values=values, engagement=1)
    return variant


def test_reach_and_impressions_add_up_what_the_networks_told(workspace, channel):
    published(workspace, channel, at(9), {"reach": 120, "impressions": 300, "likes": 4})
    published(workspace, channel, at(10), {"reach": 80, "views": 200})  # views, not impressions
    published(workspace, channel, at(11), {"favourites": 5, "reblogs": 2})  # Mastodon: neither
    published(workspace, channel, at(12))  # no metrics yet
    published(workspace, channel, at(13), {"reach": 999}, state=State.FAILED)
    published(workspace, channel, at(9, day=DAY + timedelta(days=1)), {"reach": 7})
    assert value(workspace, "publishing.reach") == 200
    assert value(workspace, "publishing.impressions") == 500


def test_the_latest_metrics_count_not_every_fetch(workspace, channel):
    variant = published(workspace, channel, at(9), {"reach": 10, "impressions": 20})
    # A later fetch replaces the row (update_or_create, as besttime.fetch_metrics does).
    VariantMetrics.objects.update_or_create(
        variant=variant, defaults={"values": {"reach": 15, "impressions": 31.0}}
    )
    assert value(workspace, "publishing.reach") == 15
    assert value(workspace, "publishing.impressions") == 31


def test_a_deleted_post_counts_nowhere_and_an_empty_day_is_zero(workspace, channel):
    published(workspace, channel, at(9), {"reach": 120, "impressions": 300}).post.delete()
    assert value(workspace, "publishing.reach") == 0
    assert value(workspace, "publishing.impressions") == 0


def test_another_workspaces_publications_are_not_counted(workspace, other_workspace):
    from liant.channels.models import Channel

    theirs = Channel.objects.create(workspace=other_workspace, kind="feed", name="Forum")
    published(other_workspace, theirs, at(9), {"reach": 50, "impressions": 60})
    assert value(workspace, "publishing.reach") == 0


def test_the_day_the_clocks_go_forward_lasts_23_hours_and_days_add_up(workspace, channel):
    # Sunday 29 March 2026 in Paris: from 23:00 UTC on the 28th to 22:00 UTC on the 29th.
    change = date(2026, 3, 29)
    for when, reach in [
        (datetime(2026, 3, 28, 22, 59, tzinfo=UTC), 1),  # 23:59 CET on the 28th
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), 10),  # midnight: the 29th
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), 100),  # 23:59 CEST
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), 1000),  # midnight: the 30th
    ]:
        published(workspace, channel, when, {"reach": reach, "views": 2 * reach})
    assert value(workspace, "publishing.reach", change) == 110
    assert value(workspace, "publishing.impressions", change) == 220
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    for key in ("publishing.reach", "publishing.impressions"):
        kpi = REGISTRY[key]
        days = [day_value(workspace, key, first + timedelta(days=i)) for i in range(3)]
        assert (
            value_of(kpi, combine(kpi, days))
            == value_of(kpi, period_value(workspace, key, first, last))
            == (1111 if key == "publishing.reach" else 2222)
        )
