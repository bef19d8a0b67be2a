from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.analytics import rollup
from liant.core.models import Workspace


@db_task(retries=2, retry_delay=300)
def roll_up_workspace(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return rollup.nightly(workspace) if workspace else 0


@db_periodic_task(crontab(minute="20"))
def roll_up_everywhere() -> int:
    """Hourly rather than at one fixed time: workspaces live in different time zones, and a
    day is over at its own midnight. The upsert makes the runs after the first harmless, and
    the recomputed recent days pick up late metrics and answers."""
    ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in ids:
        roll_up_workspace(workspace_id)
    return len(ids)
