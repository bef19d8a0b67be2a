from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.webhooks import delivery


@db_task(retries=0)  # retries are scheduled in the database, with their own backoff
def deliver(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> int:
    """Every minute: retries whose time has come, and deliveries a restart lost."""
    ids = delivery.due()
    for delivery_id in ids:
        deliver(delivery_id)
    return len(ids)
