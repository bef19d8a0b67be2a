from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task  # noqa: F401

from liant.channels import fetching
from liant.channels.models import Exchange


@db_task(retries=0)
def fetch_channel(channel_id: int) -> dict:
    outcome = fetching.fetch_channel(channel_id)
    return {
        "stored": outcome.stored,
        "seen": outcome.seen,
        "skipped": outcome.skipped,
        "error": outcome.error,
    }


@db_periodic_task(crontab(minute="*"))
def fetch_due_channels() -> int:
    """Every minute: wake a fetch for each channel whose interval has passed."""
    due = fetching.due_channels()
    for channel_id in due:
        fetch_channel(channel_id)
    return len(due)


@db_periodic_task(crontab(hour="5", minute="23"))
def collect_audience() -> dict[str, int]:
    """Once a day: each channel's followers, kept as that day's sample (a run again the same
    day rewrites it). A fixed hour of UTC falls on one day of any time zone each day."""
    from liant.channels import audience

    return audience.collect()


@db_periodic_task(crontab(hour="4", minute="7"))
def prune_exchanges() -> int:
    return Exchange.prune()


@db_periodic_task(crontab(minute="17"))
def renew_expiring_credentials() -> dict[str, int]:
    """Every hour: sign-ins that end within a day are renewed, or their owners told."""
    from liant.channels import tokens

    outcomes: dict[str, int] = {}
    for channel_id in tokens.due():
        outcome = tokens.renew(channel_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
