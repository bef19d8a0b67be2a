from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.core.models import Workspace
from liant.members import attach, engagement, suggestions


@db_task(retries=0)
def attach_workspace(workspace_id: int) -> int:
    return attach.attach_workspace(workspace_id)


@db_periodic_task(crontab(minute="*"))
def attach_everywhere() -> int:
    """Every minute, in case an immediate run was lost (a worker restarted mid-queue)."""
    return attach.attach_all()


@db_task(retries=1)
def score_workspace(workspace_id: int) -> dict:
    return engagement.score_workspace(workspace_id)


@db_periodic_task(crontab(minute="17", hour="*/6"))
def score_everywhere() -> int:
    """Four times a day: scores decay with time even when nobody writes."""
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        engagement.score_workspace(workspace_id)
        suggestions.suggest(workspace_id)
    return len(ids)
