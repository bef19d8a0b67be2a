from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.core.models import Workspace
from liant.listening import alerts, ingest, search
from liant.listening.models import Query


def _listening_workspaces() -> list[int]:
    return list(Query.objects.filter(active=True).values_list("workspace_id", flat=True).distinct())


@db_task(retries=0)
def listen(workspace_id: int) -> dict:
    workspace = Workspace.objects.get(pk=workspace_id)
    report = ingest.ingest_new_events(workspace)
    raised = alerts.check(workspace)
    return {"stored": report.stored, "alerts": len(raised)}


@db_periodic_task(crontab(minute="*"))
def listen_everywhere() -> int:
    """Every minute: new channel events become mentions, then the alerts are checked."""
    ids = _listening_workspaces()
    for workspace_id in ids:
        listen(workspace_id)
    return len(ids)


@db_task(retries=0)
def search_workspace(workspace_id: int) -> int:
    return search.search_networks(Workspace.objects.get(pk=workspace_id)).stored


@db_periodic_task(crontab(minute="*/15"))
def search_everywhere() -> int:
    ids = _listening_workspaces()
    for workspace_id in ids:
        search_workspace(workspace_id)
    return len(ids)
