"""Best time to post, learned from the workspace's own published posts.

Each published variant with metrics counts once, in the cell of its weekday and hour (in the
workspace's time zone). A cell's estimate is shrunk toward the channel's overall average:

    estimate = (n · cell_mean + K · channel_mean) / (n + K)

so a cell with one lucky post does not beat a cell with ten good ones; with no post, a cell is
the channel's average. Every suggestion says how many posts it rests on.

Metrics come from the connectors' `metrics()`: `fetch_metrics()` asks each channel for the
metrics of its published variants that have none yet, or old ones while the post is young.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from liant.channels import fetching
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import Capability, Connector, ConnectorError, Metrics
from liant.publishing.models import Variant, VariantMetrics
from liant.publishing.states import State

log = logging.getLogger(__name__)

# Prior strength: how many posts' worth of weight the channel's average has in each cell.
K = 3.0
# Counts of looks, not of acts: kept in `values` but not summed into engagement.
NOT_ENGAGEMENT = frozenset({"impressions", "views", "reach", "clicks_unique"})
# A post keeps gathering likes for a few days: refetch it while it is this young.
REFRESH_WHILE_YOUNGER_THAN = timedelta(days=7)
REFRESH_EVERY = timedelta(hours=6)
BATCH = 100


def engagement_of(values: dict[str, int]) -> int:
    # A poll's votes count once, as "poll_votes"; its per-choice counts would count them twice.
    return sum(
        int(v)
        for k, v in values.items()
        if k not in NOT_ENGAGEMENT and not k.startswith("poll_option_") and int(v) > 0
    )


@dataclass
class Cell:
    weekday: int
    hour: int
    posts: int
    mean: float  # the cell's own average (0 when empty)
    estimate: float  # shrunk toward the channel's average


@dataclass
class Heatmap:
    channel: Channel
    posts: int  # how many posts it learned from
    average: float  # the channel's average engagement per post
    cells: list[list[Cell]]  # [weekday][hour]

    @property
    def peak(self) -> float:
        return max((c.estimate for row in self.cells for c in row), default=0.0)

    def suggestions(self, count: int = 3) -> list[Cell]:
        """The best cells that rest on at least one post, best first."""
        found = [c for row in self.cells for c in row if c.posts]
        return sorted(found, key=lambda c: (-c.estimate, -c.posts, c.weekday, c.hour))[:count]


def heatmap(channel: Channel) -> Heatmap:
    zone = ZoneInfo(channel.workspace.timezone)
    rows = VariantMetrics.objects.filter(
        variant__channel=channel, variant__state=State.PUBLISHED
    ).values_list("engagement", "variant__published_at", "variant__scheduled_at")
    sums = [[0.0] * 24 for _ in range(7)]
    counts = [[0] * 24 for _ in range(7)]
    total, n = 0.0, 0
    for engagement, published_at, scheduled_at in rows:
        when = published_at or scheduled_at
        if when is None:
            continue
        local = when.astimezone(zone)
        sums[local.weekday()][local.hour] += engagement
        counts[local.weekday()][local.hour] += 1
        total += engagement
        n += 1
    average = total / n if n else 0.0
    cells = [
        [
            Cell(
                weekday=d,
                hour=h,
                posts=counts[d][h],
                mean=sums[d][h] / counts[d][h] if counts[d][h] else 0.0,
                estimate=(sums[d][h] + K * average) / (counts[d][h] + K),
            )
            for h in range(24)
        ]
        for d in range(7)
    ]
    return Heatmap(channel, n, average, cells)


# --- Fetching the metrics --------------------------------------------------------------------


def needing_metrics(channel: Channel, now: datetime) -> list[Variant]:
    young = now - REFRESH_WHILE_YOUNGER_THAN
    stale = now - REFRESH_EVERY
    return list(
        Variant.objects.filter(channel=channel, state=State.PUBLISHED)
        .exclude(remote_id="")
        .filter(Q(metrics__isnull=True) | Q(published_at__gte=young, metrics__fetched_at__lt=stale))
        .order_by("-published_at")[:BATCH]
    )


def metrics_of(remote_ids: list[str]) -> Callable[[Connector], list[Metrics]]:
    return lambda connector: connector.metrics(remote_ids)


def fetch_metrics(now: datetime | None = None) -> int:
    """Ask every channel that can tell for the metrics of its published variants. Returns
    how many variants got metrics. A channel that fails is skipped until the next run."""
    now = now or timezone.now()
    stored = 0
    for channel in Channel.objects.select_related("workspace").order_by("pk"):
        try:
            capable = Capability.METRICS in registry.connector_class(channel.kind).capabilities
        except LookupError:
            continue
        if not capable:
            continue
        variants = needing_metrics(channel, now)
        if not variants:
            continue
        by_remote = {v.remote_id: v for v in variants}
        try:
            found = fetching.with_fresh_credentials(channel, metrics_of(list(by_remote)))
        except ConnectorError as exc:
            log.warning("metrics of channel %s: %s", channel.pk, exc.message)
            continue
        for metrics in found:
            variant = by_remote.get(metrics.remote_id)
            if variant is None:
                continue
            VariantMetrics.objects.update_or_create(
                variant=variant,
                defaults={
                    "values": dict(metrics.values),
                    "engagement": engagement_of(metrics.values),
                    "fetched_at": now,
                },
            )
            stored += 1
    return stored
