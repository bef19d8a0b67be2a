"""Sending runs in the workers. The database is the truth: the queue only wakes a worker,
and the periodic task below finds again whatever a lost wake-up or a dead worker left."""

from __future__ import annotations

import smtplib

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.newsletters import abtest, bounces, sending
from liant.newsletters.models import Campaign, CampaignState, SendingSettings


@db_task(retries=0)
def run_campaign(campaign_id: int) -> dict:
    """Send what the workspace's per-minute budget allows, then let the minute tick resume.

    Rows not due yet (a temporary failure waiting for its backoff) are picked up by a later
    tick; a worker never sleeps inside a task.
    """
    total = sending.Report()
    while True:
        try:
            report = sending.send_due(campaign_id)
        except sending.NotConfigured:
            _note(campaign_id, "no SMTP server is set up")
            break
        except (OSError, smtplib.SMTPException) as exc:
            # The server could not be reached or refused the login: no row was claimed, so
            # the next tick simply tries again. The page shows why in the meantime.
            _note(campaign_id, f"{type(exc).__name__}: {exc}")
            break
        total.sent += report.sent
        total.failed += report.failed
        total.deferred += report.deferred
        total.unknown += report.unknown
        if (
            report.throttled
            or report.errors
            or not (report.sent or report.failed or report.deferred)
        ):
            break
    if total.sent:
        _note(campaign_id, "")
    return {"sent": total.sent, "failed": total.failed, "deferred": total.deferred}


def _note(campaign_id: int, error: str) -> None:
    Campaign.objects.filter(pk=campaign_id).update(last_error=error[:500])


@db_periodic_task(crontab(minute="*"))
def newsletters_tick() -> int:
    """Every minute: start scheduled campaigns, mark rows a dead worker left, pick the
    winners of subject tests, resume sending."""
    sending.start_due()
    sending.sweep()
    abtest.decide_due()  # before the wake-ups, so released rows leave in this same minute
    ids = list(Campaign.objects.filter(state=CampaignState.SENDING).values_list("pk", flat=True))
    for campaign_id in ids:
        run_campaign(campaign_id)
    return len(ids)


@db_periodic_task(crontab(minute="*/5"))
def read_bounces() -> int:
    seen = 0
    for workspace_id in SendingSettings.objects.exclude(imap_host="").values_list(
        "workspace_id", flat=True
    ):
        seen += bounces.read_mailbox(workspace_id)
    return seen
