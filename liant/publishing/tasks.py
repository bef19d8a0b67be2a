from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.publishing import besttime, publisher, queue


@db_task(retries=0)  # retries are the publisher's decision (error kind, key), not Huey's
def publish_variant(variant_id: int) -> str:
    return publisher.publish_variant(variant_id).state


@db_task(retries=0)
def publish_batch(variant_ids: list[int]) -> int:
    """Several due variants, published side by side; returns how many went out."""
    outcomes = publisher.publish_batch(variant_ids)
    return sum(1 for o in outcomes if o.state == "published" and not o.skipped)


@db_periodic_task(crontab(minute="*"))
def publish_due() -> int:
    """Every minute: first recover what dead workers left, then wake a job per batch of due
    variants (a job per variant would leave each worker waiting on one network call at a time).

    A job handed out twice is harmless: the claim lets only one of them publish."""
    publisher.sweep()
    due = publisher.due_variant_ids()
    for batch in publisher.batches(due):
        publish_batch(batch)
    return len(due)


@db_periodic_task(crontab(minute="*/5"))
def renew_posts() -> int:
    """Recurring and evergreen posts get their next occurrence once published (once only:
    the link to the post it follows is one-to-one)."""
    return queue.renew()


@db_periodic_task(crontab(minute="*/30"))
def fetch_metrics() -> int:
    """Metrics of published variants that have none yet (or old ones while they are young),
    from each channel's connector: what best-time learns from."""
    return besttime.fetch_metrics()
