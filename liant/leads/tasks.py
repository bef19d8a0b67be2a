"""Hand-off e-mails and webhook deliveries run in the workers, away from the page that moved
the lead. The database is the truth: a delivery row is written with the move, and the sweep
below sends whatever a lost wake-up left pending."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from liant.leads import pipeline, webhooks
from liant.leads.models import DeliveryState, Lead, LeadSettings, WebhookDelivery

SWEEP_AFTER = timedelta(minutes=10)


# Retried with a growing gap by huey when the receiver is down or answers 5xx/429; a 4xx or a
# refused (private) address is final and stays recorded as failed on the delivery row.
@db_task(retries=4, retry_delay=60)
def deliver_webhook(delivery_id: int) -> bool:
    return webhooks.deliver(delivery_id)


@db_task(retries=2, retry_delay=120)
def send_handoff_mail(lead_id: int) -> bool:
    lead = Lead.objects.select_related("owner", "workspace").filter(pk=lead_id).first()
    if lead is None:
        return False
    return pipeline.send_handoff(lead, LeadSettings.of(lead.workspace_id))


@db_periodic_task(crontab(minute="*/10"))
def sweep_pending_deliveries() -> int:
    """Deliveries never attempted (the wake-up was lost): enqueued again."""
    stale = WebhookDelivery.objects.filter(
        state=DeliveryState.PENDING, attempts=0, created_at__lt=timezone.now() - SWEEP_AFTER
    ).values_list("pk", flat=True)[:500]
    ids = list(stale)
    for delivery_id in ids:
        deliver_webhook(delivery_id)
    return len(ids)
