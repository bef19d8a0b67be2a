"""Fetching a channel: claim it, ask its connector, store what came back, once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.channels.models import Channel, ChannelRecorder, Event, Health
from liant.channels.sanitize import clean_html, clean_url, text_of
from liant.channels.signals import events_stored
from liant.connectors import registry
from liant.connectors.base import Connector, ConnectorError, ErrorKind, FetchResult, Problem
from liant.connectors.http import HttpClient

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_STALE_AFTER = timedelta(minutes=15)  # a worker killed mid-fetch frees its channel then
RETRY_AFTER_FAILURE = timedelta(minutes=5)
MAX_STORED_PROBLEMS = 20  # a mailbox of broken mails must not make the row huge


def connector_for(channel: Channel, http: HttpClient | None = None) -> Connector:
    cls = registry.connector_class(channel.kind)
    return cls(channel.settings, channel.credentials, http or HttpClient(ChannelRecorder(channel)))


@dataclass
class FetchOutcome:
    stored: int = 0
    seen: int = 0
    skipped: bool = False  # another worker holds the channel, or it is not due
    error: str = ""


def claim(channel_id: int) -> bool:
    """Take the channel's lock with one conditional update: two workers never both win."""
    now = timezone.now()
    free = Q(fetching_since__isnull=True) | Q(fetching_since__lt=now - LOCK_STALE_AFTER)
    return Channel.objects.filter(free, pk=channel_id).update(fetching_since=now) == 1


def store_events(channel: Channel, result: FetchResult, *, update_cursor: bool = True) -> int:
    """Store new events and the new cursor together; known events are left as they are.
    Pushed events (webhooks) leave the cursor alone: a fetch may be moving it meanwhile."""
    rows = []
    for event in result.events:
        html = clean_html(event.html)
        rows.append(
            Event(
                workspace_id=channel.workspace_id,
                channel=channel,
                kind=str(event.kind),
                remote_id=event.remote_id[:500],
                author_remote_id=(event.author.remote_id if event.author else "")[:500],
                author_handle=(event.author.handle if event.author else "")[:300],
                author_name=(event.author.name if event.author else "")[:300],
                author_url=clean_url(event.author.url if event.author else "")[:1000],
                text=event.text or text_of(html),
                html=html,
                url=clean_url(event.url)[:1000],
                parent_remote_id=event.parent_remote_id[:500],
                thread_remote_id=event.thread_remote_id[:500],
                language=event.language[:16],
                occurred_at=event.occurred_at,
                raw=dict(event.raw),
            )
        )
    with transaction.atomic():
        known = set(
            Event.objects.filter(
                channel=channel, remote_id__in=[r.remote_id for r in rows]
            ).values_list("kind", "remote_id")
        )
        fresh, seen = [], set()
        for row in rows:
            key = (row.kind, row.remote_id)
            if key not in known and key not in seen:
                seen.add(key)
                fresh.append(row)
        Event.objects.bulk_create(fresh, ignore_conflicts=True)
        if update_cursor:
            Channel.objects.filter(pk=channel.pk).update(cursor=result.cursor)
        if fresh:
            transaction.on_commit(lambda: _tell_readers(channel, len(fresh)))
    return len(fresh)


def _tell_readers(channel: Channel, stored: int) -> None:
    """The modules that read events (inbox, moderation, listening…) pick them up now rather
    than at their next sweep; one that fails must not turn a good fetch into a failed one."""
    answers = events_stored.send_robust(
        sender=Channel, workspace_id=channel.workspace_id, channel_id=channel.pk, stored=stored
    )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            log.error("%s failed after fetching channel %s: %s", receiver, channel.pk, answer)


def fetch_channel(channel_id: int) -> FetchOutcome:
    if not claim(channel_id):
        return FetchOutcome(skipped=True)
    channel = Channel.objects.select_related("workspace").get(pk=channel_id)
    outcome = FetchOutcome()
    now = timezone.now()
    update: dict = {"fetching_since": None, "last_fetch_at": now}
    try:
        result = run_fetch(channel)
        outcome.seen = len(result.events)
        outcome.stored = store_events(channel, result)
        update |= {
            "health": Health.OK,
            "next_fetch_at": now + timedelta(seconds=channel.fetch_interval),
            "last_error_at": now if result.errors else channel.last_error_at,
        } | skipped_items_update(result.errors)
    except ConnectorError as exc:
        outcome.error = exc.message
        update |= failure_update(channel, exc, now)
    except Exception as exc:  # a bug in a connector must not leave the channel locked
        log.exception("fetching channel %s failed", channel_id)
        outcome.error = f"{type(exc).__name__}: {exc}"
        problem = Problem(_("Liant failed on an unexpected error: %(error)s"), error=outcome.error)
        update |= {
            "health": Health.FAILING,
            "last_error": problem.message[:2000],
            "last_error_detail": problem.detail(),
            "last_error_at": now,
            "next_fetch_at": now + RETRY_AFTER_FAILURE,
        }
    finally:
        Channel.objects.filter(pk=channel_id).update(**update)
    return outcome


def run_fetch(channel: Channel) -> FetchResult:
    return with_fresh_credentials(channel, lambda connector: connector.fetch(channel.cursor))


def with_fresh_credentials(channel: Channel, call: Callable[[Connector], T]) -> T:
    """Run `call` with the channel's connector; when the network says the sign-in expired,
    refresh the credentials once where the network allows it, store them, and call again.
    A refused sign-in means the network did nothing, so calling again never doubles."""
    connector = connector_for(channel)
    used = channel.credentials_json
    try:
        return call(connector)
    except ConnectorError as exc:
        if exc.kind is not ErrorKind.AUTH_EXPIRED:
            raise
        # The hourly sweep (channels/tokens.py) may have renewed them meanwhile: networks that
        # hand out a new refresh token each time (X) refuse the old one, so refreshing again
        # from what this call used would lose the channel. Use the stored ones instead.
        stored = Channel.objects.filter(pk=channel.pk).values_list("credentials_json", flat=True)
        latest = stored.first()
        if latest and latest != used:
            channel.credentials_json = latest
            return call(connector_for(channel))
        fresh = connector.refresh_credentials()
        if not fresh:
            raise
        channel.credentials = fresh
        channel.save(update_fields=Channel.CREDENTIAL_FIELDS)
        return call(connector_for(channel))


def skipped_items_update(problems: list[Problem]) -> dict[str, Any]:
    """The items a successful fetch had to skip, or nothing (which clears the last error)."""
    if not problems:
        return {"last_error": "", "last_error_detail": None}
    kept = problems[:MAX_STORED_PROBLEMS]
    if len(problems) > len(kept):
        kept.append(Problem(_("and %(count)s more"), count=len(problems) - len(kept)))
    return {
        "last_error": "; ".join(p.message for p in kept)[:2000],
        "last_error_detail": [p.detail() for p in kept],
    }


def failure_update(channel: Channel, exc: ConnectorError, now: datetime) -> dict[str, Any]:
    update: dict[str, Any] = {
        "last_error": exc.message[:2000],
        "last_error_detail": exc.detail(),
        "last_error_at": now,
    }
    if exc.kind is ErrorKind.RATE_LIMITED:
        wait = timedelta(seconds=exc.retry_after or 60)
        return update | {"health": Health.RATE_LIMITED, "next_fetch_at": now + wait}
    if exc.kind is ErrorKind.AUTH_EXPIRED:
        from liant.channels.notify import tell_owners_auth_expired

        transaction.on_commit(lambda: tell_owners_auth_expired(channel, exc))
        return update | {"health": Health.AUTH_EXPIRED, "next_fetch_at": None}
    return update | {"health": Health.FAILING, "next_fetch_at": now + RETRY_AFTER_FAILURE}


def due_channels() -> list[int]:
    now = timezone.now()
    return list(
        Channel.objects.exclude(health__in=[Health.AUTH_EXPIRED, Health.DISCONNECTED])
        .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        .filter(Q(fetching_since__isnull=True) | Q(fetching_since__lt=now - LOCK_STALE_AFTER))
        .values_list("pk", flat=True)
    )
