"""Best time to post: learned per channel from the workspace's own posts, shrunk toward the
channel's average where data is thin, and fed by the connectors' metrics()."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.connectors.base import ConnectorError
from liant.publishing import besttime, queue
from liant.publishing.models import Post, Variant, VariantMetrics
from liant.publishing.states import State
from tests.publishing.fakes import MetricsPublisher

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def metrics_channel(workspace, owner) -> Channel:
    return Channel.objects.create(
        workspace=workspace, kind="metrics_pub", name="Mesuré", created_by=owner
    )


def monday(hour: int, weeks_ago: int = 1, minute: int = 0) -> datetime:
    today = timezone.now().astimezone(PARIS).date()
    day = today - timedelta(days=today.weekday() + 7 * weeks_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def out(channel, at: datetime, engagement: int | None, remote: str = "") -> Variant:
    post = Post.objects.create(workspace=channel.workspace, state=State.PUBLISHED)
    variant = Variant.objects.create(
        post=post,
        channel=channel,
        text="x",
        state=State.PUBLISHED,
        scheduled_at=at,
        published_at=at,
        remote_id=remote or f"r-{post.pk}",
    )
    if engagement is not None:
        VariantMetrics.objects.create(
            variant=variant, values={"likes": engagement}, engagement=engagement
        )
    return variant


def test_one_lucky_post_does_not_beat_a_steady_hour(metrics_channel):
    out(metrics_channel, monday(22), 80)  # once, very good
    for week in range(1, 11):
        out(metrics_channel, monday(9, weeks_ago=week), 50)  # ten times, good
        out(metrics_channel, monday(18, weeks_ago=week), 10)  # ten times, weak
    heat = besttime.heatmap(metrics_channel)
    assert heat.posts == 21
    assert heat.average == pytest.approx((80 + 500 + 100) / 21)
    best, second, third = heat.suggestions(3)
    assert (best.weekday, best.hour, best.posts) == (0, 9, 10)
    assert (second.weekday, second.hour, second.posts) == (0, 22, 1)
    assert second.mean > best.mean  # better raw, but it rests on one post
    # The lucky hour is pulled most of the way back to the average: (80 + 3·avg) / 4.
    assert second.estimate == pytest.approx((80 + besttime.K * heat.average) / (1 + besttime.K))
    assert (third.hour, third.posts) == (18, 10)
    empty = heat.cells[3][3]
    assert empty.posts == 0 and empty.estimate == pytest.approx(heat.average)


def test_a_post_counts_in_the_workspaces_day_and_hour(metrics_channel):
    # Monday 23:30 UTC is Tuesday 00:30 (or 01:30) in Paris.
    at = monday(12).astimezone(ZoneInfo("UTC")).replace(hour=23, minute=30)
    out(metrics_channel, at, 5)
    [cell] = besttime.heatmap(metrics_channel).suggestions()
    local = at.astimezone(PARIS)
    assert (cell.weekday, cell.hour) == (local.weekday(), local.hour) and cell.weekday == 1


def test_metrics_are_fetched_for_published_variants_without_them(metrics_channel, channel):
    young = out(metrics_channel, timezone.now() - timedelta(days=1), None, "at://young")
    old = out(metrics_channel, timezone.now() - timedelta(days=40), None, "at://old")
    out(channel, timezone.now(), None)  # a network without metrics is not asked
    MetricsPublisher.counts = {
        "at://young": {"likes": 4, "reposts": 2, "views": 900},
        "at://old": {"likes": 1},
    }
    assert besttime.fetch_metrics() == 2
    young.refresh_from_db()
    assert young.metrics.engagement == 6  # views count looks, not interactions
    assert young.metrics.values["views"] == 900
    assert old.metrics.engagement == 1

    assert besttime.fetch_metrics() == 0  # nothing missing, nothing stale
    later = timezone.now() + besttime.REFRESH_EVERY + timedelta(minutes=1)
    MetricsPublisher.counts["at://young"]["likes"] = 10
    assert besttime.fetch_metrics(later) == 1  # the young one again; the old one is settled
    young.metrics.refresh_from_db()
    assert young.metrics.engagement == 12


def test_a_failing_channel_is_skipped_until_next_time(metrics_channel, monkeypatch):
    out(metrics_channel, timezone.now(), None, "at://x")

    def refuse(self, ids):
        raise ConnectorError("Rate limited", "rate_limited")

    monkeypatch.setattr(MetricsPublisher, "metrics", refuse)
    assert besttime.fetch_metrics() == 0
    assert not VariantMetrics.objects.exists()


def test_the_heat_map_page_and_the_queue_suggestions(
    owner_client, outsider_client, workspace, metrics_channel
):
    for week in range(1, 4):
        out(metrics_channel, monday(9, weeks_ago=week), 20)
    out(metrics_channel, monday(18), 2)
    page = owner_client.get(
        f"/w/{workspace.slug}/publishing/best-time/?channel={metrics_channel.pk}"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Based on 4 published posts" in body
    assert "Mon 09:00" in body and "rests on 3 posts" in body
    assert "Europe/Paris" in body
    queue_page = owner_client.get(f"/w/{workspace.slug}/publishing/queue/").content.decode()
    assert "Mon 09:00" in queue_page
    assert outsider_client.get(f"/w/{workspace.slug}/publishing/best-time/").status_code == 404
    assert (
        outsider_client.get(
            f"/w/{workspace.slug}/publishing/best-time/?channel={metrics_channel.pk}"
        ).status_code
        == 404
    )


def test_a_suggested_slot_reads_back_as_a_queue_slot(metrics_channel):
    out(metrics_channel, monday(9), 20)
    [cell] = besttime.heatmap(metrics_channel).suggestions()
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert queue.parse_slots(f"{names[cell.weekday]} {cell.hour:02d}:00") == [
        (0, datetime(2000, 1, 1, 9).time())
    ]
