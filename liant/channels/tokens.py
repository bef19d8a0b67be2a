"""Tokens that expire are renewed before they do, so a scheduled post never meets a lapsed
sign-in. Every hour: channels whose credentials expire within three hours are refreshed
through their connector; where the network cannot refresh (a LinkedIn token without a
refresh token, a Facebook token past its 60 days) the owners are told a week ahead, once,
and the channel is marked expired when the date passes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.channels.fetching import claim, connector_for, failure_update
from liant.channels.models import Channel, Health
from liant.connectors.base import ConnectorError, ErrorKind

log = logging.getLogger(__name__)

# Hourly sweep: three hours ahead renews a day-long token (Reddit) about once a day, and
# hour-long ones (YouTube, X) are also renewed on demand when the network refuses them.
REFRESH_AHEAD = timedelta(hours=3)
WARN_AHEAD = timedelta(days=7)


def due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Channel.objects.filter(credentials_expire_at__lte=now + WARN_AHEAD)
        .exclude(health__in=[Health.AUTH_EXPIRED, Health.DISCONNECTED])
        .values_list("pk", flat=True)
    )


def renew(channel_id: int, now: datetime | None = None) -> str:
    """Refresh one channel's credentials if they are close to expiring; say what happened."""
    now = now or timezone.now()
    if not claim(channel_id):  # a fetch holds it: the next sweep comes back in an hour
        return "busy"
    channel = Channel.objects.select_related("workspace").get(pk=channel_id)
    try:
        return _renew(channel, now)
    finally:
        Channel.objects.filter(pk=channel_id).update(fetching_since=None)


def _renew(channel: Channel, now: datetime) -> str:
    expires = channel.credentials_expire_at
    if expires is None:
        return "none"
    if expires > now + REFRESH_AHEAD:
        # Networks that refresh do it in the last day; the others are warned a week ahead.
        if not channel.credentials.get("refresh_token"):
            return _warn(channel, expires)
        return "later"
    try:
        fresh = connector_for(channel).refresh_credentials()
    except ConnectorError as exc:
        if exc.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED):
            return "retry"  # the next sweep, an hour later, tries again
        fresh = None
        log.info("channel %s could not refresh: %s", channel.pk, exc.message)
    if fresh:
        channel.credentials = fresh
        channel.save(update_fields=Channel.CREDENTIAL_FIELDS)
        return "refreshed"
    if expires <= now:
        error = ConnectorError(
            _("The network's sign-in has expired and cannot be renewed without you."),
            ErrorKind.AUTH_EXPIRED,
        )
        with transaction.atomic():
            Channel.objects.filter(pk=channel.pk).update(**failure_update(channel, error, now))
        return "expired"
    return _warn(channel, expires)


def _warn(channel: Channel, expires: datetime) -> str:
    from liant.channels.notify import tell_owners_expiring

    # One warning per sign-in: the conditional update wins once even with two sweeps.
    if not Channel.objects.filter(pk=channel.pk, expiry_warned_at__isnull=True).update(
        expiry_warned_at=timezone.now()
    ):
        return "warned before"
    transaction.on_commit(lambda: tell_owners_expiring(channel, expires))
    return "warned"
