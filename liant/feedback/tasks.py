from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.feedback import notify


@db_task(retries=0)
def send_notice(notice_id: int) -> str:
    # No automatic retry: a notice that may have reached the person waits for a human.
    return notify.send(notice_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_notices() -> int:
    return notify.sweep()
