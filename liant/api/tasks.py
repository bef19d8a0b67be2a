"""Stored idempotent answers older than their 24 hours are of no use: removed nightly."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from liant.api import idempotency


@db_periodic_task(crontab(hour="3", minute="41"))
def prune_idempotency_records() -> int:
    return idempotency.prune()
