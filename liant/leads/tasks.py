"""Webhook deliveries run in the workers, away from the page that moved the lead."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from liant.leads import webhooks


# Retried with a growing gap by huey when the receiver is down or answers 5xx/429; a 4xx or a
# refused (private) address is final and stays recorded as failed on the delivery row.
@db_task(retries=4, retry_delay=60)
def deliver_webhook(delivery_id: int) -> bool:
    return webhooks.deliver(delivery_id)
