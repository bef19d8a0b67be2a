from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.moderation import engine, lifting, queue, report


@db_task(retries=0)
def moderate_workspace(workspace_id: int) -> dict:
    report = engine.moderate_new_events(Workspace.objects.get(pk=workspace_id))
    return {"seen": report.seen, "items": report.items}


@db_periodic_task(crontab(minute="*"))
def moderate_everywhere() -> int:
    """Every minute, in case an immediate run was lost (a worker restarted mid-queue)."""
    ids = list(Channel.objects.values_list("workspace_id", flat=True).distinct())
    for workspace_id in ids:
        moderate_workspace(workspace_id)
    return len(ids)


@db_task(retries=0)
def send_decision(entry_id: int) -> str | None:
    return queue.send(entry_id)


@db_periodic_task(crontab(minute="*"))
def send_due_decisions() -> int:
    """Decisions whose undo window has passed and whose scheduled send was lost."""
    return queue.send_due()


@db_periodic_task(crontab(minute="*"))
def lift_expired_mutes() -> int:
    """Mutes whose time has run out are lifted through the connector where it can, and
    logged either way (lifting.lift claims each one, so overlapping sweeps lift it once)."""
    return lifting.lift_expired()


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
def send_weekly_reports() -> int:
    """Monday morning: last week's moderation report to each workspace's owners and admins
    (report.send_weekly claims each workspace's week first, so it goes out once)."""
    return report.send_weekly()
