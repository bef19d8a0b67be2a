from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from liant.animation import contests, meetups
from liant.animation.models import Contest


@db_periodic_task(crontab(minute="*/5"))
def collect_contest_entries() -> int:
    """Open contests read the events the channels stored since the last run."""
    added = 0
    for contest in Contest.objects.filter(state=Contest.State.OPEN).exclude(channel=None):
        added += contests.collect(contest)
    return added


@db_periodic_task(crontab(minute="*"))
def draw_due_contests() -> int:
    """A frozen contest is drawn at its announced time, even if nobody presses the button."""
    return contests.draw_due()


@db_periodic_task(crontab(minute="*/10"))
def send_meetup_reminders() -> int:
    return meetups.send_reminders()
