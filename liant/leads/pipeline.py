"""Moving a lead along new → qualified → handed to sales → won / lost.

Each move is kept (who, when, from, to); a move to "handed to sales" tells the owner (or the
sales address) by e-mail; every move is announced to the workspace's webhook, if any.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liant.core.models import User
from liant.leads.models import Lead, LeadSettings, Stage, StageChange, WebhookDelivery


def do_move(lead: Lead, to_stage: str, by: User | None) -> StageChange | None:
    """Returns None when the lead was already there (a double click moves nothing)."""
    if to_stage not in Stage.values:
        raise ValueError(to_stage)
    now = timezone.now()
    with transaction.atomic():
        from_stage = lead.stage
        # Conditional: two people moving the same card at once record one move, not two.
        moved = (
            Lead.objects.filter(pk=lead.pk, stage=from_stage)
            .exclude(stage=to_stage)
            .update(stage=to_stage, stage_changed_at=now)
        )
        if not moved:
            return None
        lead.stage = to_stage
        lead.stage_changed_at = now
        change = StageChange.objects.create(
            lead=lead, from_stage=from_stage, to_stage=to_stage, by=by, at=now
        )
        lead_settings = LeadSettings.of(lead.workspace_id)
        delivery = None
        # The delivery row is written with the move, so a move is never left unannounced
        # even if the queue loses the wake-up (the sweep in tasks.py finds it).
        if lead_settings.webhook_url:
            delivery = WebhookDelivery.objects.create(
                workspace_id=lead.workspace_id,
                change=change,
                url=lead_settings.webhook_url,
                body=json.dumps(payload(lead, change), sort_keys=True),
            )
    # Both leave from the workers once the move is committed: a slow or unreachable mail
    # server or webhook never fails the click that moved the card, and a rolled-back move
    # announces nothing.
    from liant.leads import tasks

    if to_stage == Stage.HANDED:
        lead_id = lead.pk
        transaction.on_commit(lambda: tasks.send_handoff_mail(lead_id))
    if delivery is not None:
        delivery_id = delivery.pk
        transaction.on_commit(lambda: tasks.deliver_webhook(delivery_id))
    return change


def lead_url(lead: Lead) -> str:
    return settings.SITE_URL + reverse(
        "leads_detail", kwargs={"ws": lead.workspace.slug, "pk": lead.pk}
    )


def payload(lead: Lead, change: StageChange) -> dict:
    return {
        "event": "lead.stage_changed",
        "workspace": lead.workspace.slug,
        "lead": {
            "id": lead.pk,
            "name": lead.name,
            "email": lead.email,
            "company": lead.company,
            "phone": lead.phone,
            "stage": lead.stage,
            "source": lead.source,
            "campaign": lead.campaign,
            "value": str(lead.value) if lead.value is not None else None,
            "currency": lead.currency,
            "owner": lead.owner.email if lead.owner else None,
            "utm": {
                "source": lead.utm_source,
                "medium": lead.utm_medium,
                "campaign": lead.utm_campaign,
                "term": lead.utm_term,
                "content": lead.utm_content,
            },
            "url": lead_url(lead),
        },
        "change": {
            "id": change.pk,
            "from": change.from_stage,
            "to": change.to_stage,
            "by": change.by.email if change.by else None,
            "at": change.at.isoformat(),
        },
    }


def send_handoff(lead: Lead, lead_settings: LeadSettings) -> bool:
    """The assignment e-mail: to the owner, else the sales address; False when neither.

    The lead as it is when the worker sends (the owner may have been set just before)."""
    to = lead.owner.email if lead.owner and lead.owner.email else lead_settings.sales_email
    if not to:
        return False
    language = (lead.owner.language if lead.owner else "") or lead.workspace.language
    with translation.override(language):
        subject = _("Lead handed to sales: %(name)s") % {"name": str(lead)}
        lines = [
            _("A lead was handed to sales in %(workspace)s.") % {"workspace": lead.workspace},
            "",
            f"{_('Name')}: {lead.name}",
            f"{_('E-mail')}: {lead.email}",
            f"{_('Company')}: {lead.company}",
            f"{_('Phone')}: {lead.phone}",
            f"{_('Source')}: {lead.source}",
            f"{_('Campaign')}: {lead.campaign}",
            f"{_('Value')}: {lead.value if lead.value is not None else ''} {lead.currency}",
            "",
            lead.notes,
            "",
            lead_url(lead),
        ]
    EmailMessage(subject, "\n".join(lines), to=[to]).send()
    return True
