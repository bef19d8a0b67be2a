"""Audience: how many follow each channel, one sample a day.

Once a day every connected channel whose network can tell (`Capability.AUDIENCE`) is asked
for its followers; the answer is kept as that day's `AudienceSample` (the day of the
workspace's time zone), rewritten when the day is collected again. Analytics adds the samples
up (`liant/channels/kpis.py`): followers as last known, and their growth.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from liant.channels import fetching
from liant.channels.models import AudienceSample, Channel, Health
from liant.connectors import registry
from liant.connectors.base import Audience, Capability, ConnectorError, ErrorKind
from liant.core.csvexport import zone_of
from liant.core.models import Workspace

log = logging.getLogger(__name__)

COMPARED_WITH_DAYS = 30  # the audience page's "30 days ago"


def can_count(channel: Channel) -> bool:
    try:
        cls = registry.connector_class(channel.kind)
    except LookupError:  # a network removed from this installation
        return False
    return Capability.AUDIENCE in cls.capabilities


def store(channel: Channel, audience: Audience, now: datetime) -> AudienceSample:
    """One upsert on (channel, day): a second collection the same day replaces the first."""
    row = AudienceSample(
        workspace_id=channel.workspace_id,
        channel=channel,
        day=now.astimezone(zone_of(channel.workspace)).date(),
        followers=audience.followers,
        following=audience.following,
        extra={str(k): v for k, v in audience.extra.items() if isinstance(v, int) and v >= 0},
        collected_at=now,
    )
    AudienceSample.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["channel", "day"],
        update_fields=["followers", "following", "extra", "collected_at"],
    )
    return row


def collect(now: datetime | None = None) -> dict[str, int]:
    """Ask each channel that can tell. One channel's failure is logged and the others go on;
    an expired sign-in marks the channel (and tells its owners) as a fetch would."""
    now = now or timezone.now()
    outcome: Counter[str] = Counter()
    channels = (
        Channel.objects.exclude(health__in=[Health.AUTH_EXPIRED, Health.DISCONNECTED])
        .select_related("workspace")
        .order_by("pk")
    )
    for channel in channels:
        if not can_count(channel):
            continue
        try:
            found = fetching.with_fresh_credentials(channel, lambda connector: connector.audience())
        except ConnectorError as exc:
            log.warning("audience of channel %s: %s", channel.pk, exc.message)
            if exc.kind is ErrorKind.AUTH_EXPIRED:
                Channel.objects.filter(pk=channel.pk).update(
                    **fetching.failure_update(channel, exc, now)
                )
            outcome["failed"] += 1
            continue
        except Exception:  # a bug in one connector must not cost the others their sample
            log.exception("audience of channel %s failed", channel.pk)
            outcome["failed"] += 1
            continue
        store(channel, found, now)
        outcome["stored"] += 1
    return dict(outcome)


# --- reading -----------------------------------------------------------------------------------


def last_known(channels: QuerySet[Channel], before: date) -> dict[int, int | None]:
    """Each channel's followers at its last sample of a day before `before` (None when it has
    none), in one query."""
    latest = AudienceSample.objects.filter(channel=OuterRef("pk"), day__lt=before).order_by("-day")
    rows = channels.annotate(last=Subquery(latest.values("followers")[:1])).values_list(
        "pk", "last"
    )
    return dict(rows)


@dataclass
class Row:
    channel: Channel
    followers: int | None
    then: int | None

    @property
    def change(self) -> int | None:
        if self.followers is None or self.then is None:
            return None
        return self.followers - self.then


def table(workspace: Workspace, today: date) -> list[Row]:
    """The audience page: each channel's followers as last known, 30 days earlier, and the
    change. Channels that never had a sample are left out."""
    channels = Channel.objects.filter(workspace=workspace).order_by("name", "pk")
    now = last_known(channels, today + timedelta(days=1))
    then = last_known(channels, today - timedelta(days=COMPARED_WITH_DAYS - 1))
    return [Row(c, now[c.pk], then[c.pk]) for c in channels if now[c.pk] is not None]
