from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from liant.space import notifications


@db_periodic_task(crontab(minute="*"))
def space_digests() -> int:
    """Every minute: mail the notifications that are due (immediate ones, daily digests)."""
    return notifications.send_digests()
