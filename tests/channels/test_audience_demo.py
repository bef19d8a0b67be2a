"""The demo's six months of follower counts: reproducible, growing, and loaded once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from liant.analytics.registry import REGISTRY, value_of
from liant.analytics.rollup import day_bounds
from liant.channels.demo import AUDIENCE_DAYS, audience_history
from liant.channels.models import AudienceSample, Channel
from liant.core.csvexport import local_today
from liant.demo.loader import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_channels_get_six_months_of_growing_counts_once(organisation, workspace):
    x = Channel.objects.create(workspace=workspace, kind="x", name="X")
    Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")
    Channel.objects.create(workspace=workspace, kind="feed", name="Feed")  # cannot tell
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {})
    audience_history(context)
    assert AudienceSample.objects.count() == 2 * AUDIENCE_DAYS
    assert not AudienceSample.objects.filter(channel__kind="feed").exists()
    audience_history(context)  # a second load changes nothing
    assert AudienceSample.objects.count() == 2 * AUDIENCE_DAYS
    counts = list(AudienceSample.objects.filter(channel=x).order_by("day"))
    assert counts[-1].day == local_today(workspace)
    assert counts[-1].followers > counts[0].followers
    assert any(b.followers < a.followers for a, b in zip(counts, counts[1:], strict=False))
    kpi = REGISTRY["audience.followers"]
    first, last = counts[0].day, counts[-1].day - timedelta(days=1)
    assert value_of(kpi, kpi.compute(workspace, *day_bounds(workspace, last))) > value_of(
        kpi, kpi.compute(workspace, *day_bounds(workspace, first))
    )
