"""Audience KPIs for analytics, from the channels' daily samples (`liant/channels/audience.py`).

Days are dates of the workspace's time zone, so a day's sample belongs to the day whatever
its length (23 or 25 hours when the clocks change)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.channels.audience import last_known
from liant.channels.models import AudienceSample, Channel
from liant.core.csvexport import zone_of
from liant.core.models import Workspace


def followers(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A level: each channel's last sample up to the period's last day. A channel whose
    # collection failed that day still counts with its last known figure.
    last_day_after = end.astimezone(zone_of(workspace)).date()
    known = last_known(Channel.objects.filter(workspace=workspace), last_day_after)
    return Measure(value=float(sum(n for n in known.values() if n is not None)))


def growth(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # Each sample of the period minus the channel's sample before it (however many days back:
    # a missed day is caught up by the next one). A channel's first sample adds nothing, so
    # connecting a channel with 5,000 followers is not 5,000 new ones. The days add up to the
    # period exactly, since each sample is counted on its own day only.
    tz = zone_of(workspace)
    first, after = start.astimezone(tz).date(), end.astimezone(tz).date()
    previous = AudienceSample.objects.filter(
        channel=OuterRef("channel"), day__lt=OuterRef("day")
    ).order_by("-day")
    rows = (
        AudienceSample.objects.filter(workspace=workspace, day__gte=first, day__lt=after)
        .annotate(previous=Subquery(previous.values("followers")[:1]))
        .values_list("followers", "previous")
    )
    # No breakdown by channel: the dashboards pile SUM parts up as a stacked area, which a
    # day of lost followers (a negative layer) would draw wrongly.
    return Measure(value=float(sum(now - before for now, before in rows if before is not None)))


register(
    KpiDef(
        key="audience.followers",
        label=_("Followers"),
        unit=_("followers"),
        formula=_(
            "The followers of every channel added up, each as last counted on or before the "
            "last day of the period (subscribers on YouTube and Telegram, members on Discord, "
            "as each network counts them)."
        ),
        module="channels",
        higher_is_better=True,
        kind=Kind.LEVEL,
        compute=followers,
        link=("channels_audience", ""),
    )
)
register(
    KpiDef(
        key="audience.growth",
        label=_("Follower growth"),
        unit=_("followers"),
        formula=_(
            "Followers gained minus followers lost in the period: each day's count minus the "
            "channel's previous count. A channel's first count adds nothing."
        ),
        module="channels",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=growth,
        link=("channels_audience", ""),
    )
)
