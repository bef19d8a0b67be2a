from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.core.models import WorkerHeartbeat, WorkerPing


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@db_task()
def handle_ping(ping_id: int) -> bool:
    """Complete a ping sent from the web process; proves the queue really delivers jobs."""
    # One transaction: whoever sees the ping handled also sees this worker's heartbeat.
    with transaction.atomic():
        updated = WorkerPing.objects.filter(pk=ping_id, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=worker_name()
        )
        record_heartbeat()
    return updated == 1


def record_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker_name(), defaults={"seen_at": timezone.now()}
    )


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    record_heartbeat()


@db_periodic_task(crontab(hour="3", minute="17"))
def prune_heartbeats() -> None:
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=7)).delete()
