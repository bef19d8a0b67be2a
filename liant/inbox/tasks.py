from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.inbox import grouping, replies, sla
from liant.inbox.models import Conversation, Status


@db_task(retries=0)
def group_events() -> int:
    return grouping.group_all()


@db_task(retries=0)  # a retry is a person's decision: a reply cannot be unsent
def send_reply(message_id: int) -> str:
    return replies.send_reply(message_id)


@db_periodic_task(crontab(minute="*"))
def inbox_minute() -> dict:
    """Every minute: group what fetches stored, wake snoozed conversations, record breaches,
    and settle replies a dead worker left behind."""
    added = grouping.group_all()
    woken = wake_snoozed()
    breaches = sla.record_breaches()
    stuck = replies.sweep()
    return {"added": added, "woken": woken, "breaches": breaches, "stuck": stuck}


def wake_snoozed() -> int:
    return Conversation.objects.filter(
        status=Status.SNOOZED, snoozed_until__lte=timezone.now()
    ).update(status=Status.OPEN, snoozed_until=None)
