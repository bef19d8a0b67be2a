"""SLA deadlines counted in a workspace's business hours, and the breaches a sweep records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from liant.inbox.models import Conversation, SlaBreach, SlaKind, SlaPolicy, Status

DEFAULT_WEEKDAYS = [1, 2, 3, 4, 5]
MAX_DAYS = 366  # a policy with no working day at all must not loop forever


def _holidays(policy: SlaPolicy) -> set[date]:
    days = set()
    for value in policy.holidays or []:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # the form validates; an old bad value must not stop the clock
    return days


def _as_time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def add_business_minutes(start: datetime, minutes: int, policy: SlaPolicy, zone: str) -> datetime:
    """`start` plus `minutes` of the policy's working time (wall time when it counts all)."""
    if not policy.business_hours_only:
        return start + timedelta(minutes=minutes)
    tz = ZoneInfo(zone)
    weekdays = set(policy.weekdays or DEFAULT_WEEKDAYS)
    holidays = _holidays(policy)
    opens, closes = _as_time(policy.opens_at), _as_time(policy.closes_at)
    left = timedelta(minutes=minutes)
    local = start.astimezone(tz)
    day = local.date()
    for _ in range(MAX_DAYS):
        if day.isoweekday() in weekdays and day not in holidays:
            day_open = datetime.combine(day, opens, tz)
            day_close = datetime.combine(day, closes, tz)
            begin = max(day_open, local)
            if begin < day_close:
                if begin + left <= day_close:
                    return (begin + left).astimezone(start.tzinfo)
                left -= day_close - begin
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tz)
    return start + timedelta(minutes=minutes)


def start_clocks(conversation: Conversation, at: datetime, policy: SlaPolicy | None) -> None:
    """A member wrote at `at`: set the deadlines that start now (the caller saves)."""
    if policy is None:
        return
    zone = conversation.workspace.timezone
    if conversation.first_response_at is None:
        if conversation.first_response_due is None:
            conversation.first_response_due = add_business_minutes(
                at, policy.first_response_minutes, policy, zone
            )
    elif conversation.next_response_due is None:
        conversation.next_response_due = add_business_minutes(
            at, policy.next_response_minutes, policy, zone
        )
    if conversation.resolution_due is None:
        conversation.resolution_due = add_business_minutes(
            at, policy.resolution_minutes, policy, zone
        )


def record_breaches(now: datetime | None = None) -> int:
    """Record each deadline passed without its answer, once (the unique constraint)."""
    now = now or timezone.now()
    live = Conversation.objects.exclude(status=Status.CLOSED)
    late = {
        SlaKind.FIRST_RESPONSE: live.filter(
            first_response_at__isnull=True, first_response_due__lt=now
        ).values_list("pk", "workspace_id", "first_response_due"),
        SlaKind.NEXT_RESPONSE: live.filter(
            Q(awaiting_reply=True), next_response_due__lt=now
        ).values_list("pk", "workspace_id", "next_response_due"),
        SlaKind.RESOLUTION: live.filter(resolution_due__lt=now).values_list(
            "pk", "workspace_id", "resolution_due"
        ),
    }
    recorded = 0
    for kind, rows in late.items():
        for pk, workspace_id, due in rows:
            if due is None:  # excluded by the filter; said for the type checker
                continue
            if SlaBreach.objects.filter(conversation_id=pk, kind=kind, due_at=due).exists():
                continue
            try:
                with transaction.atomic():
                    SlaBreach.objects.create(
                        workspace_id=workspace_id, conversation_id=pk, kind=kind, due_at=due
                    )
                recorded += 1
            except IntegrityError:  # another sweep recorded it first
                continue
    return recorded
