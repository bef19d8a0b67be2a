from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.analytics import rollup, scheduling
from liant.core.models import Workspace


@db_task(retries=2, retry_delay=300)
def roll_up_workspace(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return rollup.nightly(workspace) if workspace else 0


def just_past_midnight(workspace: Workspace) -> bool:
    return timezone.now().astimezone(rollup.zone(workspace)).hour == 0


@db_task(retries=2, retry_delay=300)
def fill_gaps_of_workspace(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return rollup.fill_gaps(workspace) if workspace else 0


@db_periodic_task(crontab(minute="20"))
def roll_up_everywhere() -> int:
    """Every hour, each workspace whose own midnight has just passed: workspaces live in
    different time zones, and a day is over at its own midnight. A night the worker was
    down is not lost: the next night recomputes the last days, and the dashboard computes
    and keeps any past day it finds missing. Every workspace also gets its gaps filled (new
    KPIs' history, see rollup.fill_gaps) within the hour rather than in someone's request."""
    workspaces = list(Workspace.objects.all())
    chosen = [w.pk for w in workspaces if just_past_midnight(w)]
    for workspace_id in chosen:
        roll_up_workspace(workspace_id)
    for workspace in workspaces:
        fill_gaps_of_workspace(workspace.pk)
    return len(chosen)


@db_periodic_task(crontab(minute="*/15"))
def send_scheduled_reports() -> int:
    """Scheduled reports whose moment has come (8:00 in each workspace's zone); each
    schedule's period is claimed before it is sent, so overlapping runs send it once."""
    return scheduling.send_due()
