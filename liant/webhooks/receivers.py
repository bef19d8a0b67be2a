"""Events announced from the rows other modules write anyway (a state change's history row,
a log entry, an alert): listening to their creation keeps every module free of webhook code
and catches every path that writes them (views, workers, the API)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from liant.inbox.models import Direction, Message
from liant.leads.models import StageChange, Submission
from liant.listening.models import Alert
from liant.moderation.models import LogEntry
from liant.publishing.models import State, Transition, Variant
from liant.webhooks.events import emit


@receiver(post_save, sender=Transition, dispatch_uid="webhooks.transition")
def variant_moved(sender: Any, instance: Transition, created: bool, **kwargs: Any) -> None:
    if not created or instance.variant_id is None:
        return
    events: dict[str, str] = {
        str(State.PUBLISHED): "post.published",
        str(State.FAILED): "post.failed",
    }
    event = events.get(str(instance.to_state))
    if event is None:
        return
    variant = Variant.objects.select_related("post", "channel").get(pk=instance.variant_id)
    emit(
        variant.post.workspace_id,
        event,
        {
            "post": {"id": variant.post_id, "title": variant.post.title},
            "variant": {
                "id": variant.pk,
                "channel": {"id": variant.channel_id, "kind": variant.channel.kind},
                "state": variant.state,
                "url": variant.remote_url,
                "remote_id": variant.remote_id,
                "published_at": variant.published_at,
                "error": variant.last_error,
            },
        },
    )


@receiver(post_save, sender=Message, dispatch_uid="webhooks.message")
def message_received(sender: Any, instance: Message, created: bool, **kwargs: Any) -> None:
    if not created or instance.direction != Direction.IN:
        return
    emit(
        instance.workspace_id,
        "message.received",
        {
            "message": {
                "id": instance.pk,
                "conversation": instance.conversation_id,
                "author": instance.author_name,
                "text": instance.text,
                "language": instance.language,
                "occurred_at": instance.occurred_at,
            }
        },
    )


@receiver(post_save, sender=Alert, dispatch_uid="webhooks.alert")
def alert_raised(sender: Any, instance: Alert, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    emit(
        instance.workspace_id,
        "alert.raised",
        {
            "alert": {
                "id": instance.pk,
                "kind": instance.kind,
                "query": {"id": instance.query_id, "name": instance.query.name},
                "figures": instance.figures,
                "about": instance.about,
            }
        },
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="webhooks.moderation")
def moderation_logged(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    emit(
        instance.workspace_id,
        "moderation.action",
        {
            "action": {
                "id": instance.pk,
                "action": instance.action,
                "outcome": instance.outcome,
                "rule": instance.rule_id,
                "article": instance.article,
                "by": "rule" if instance.actor_id is None else "person",
                "author_remote_id": instance.author_remote_id,
                "event": instance.event_id,
            }
        },
    )


@receiver(post_save, sender=StageChange, dispatch_uid="webhooks.lead_stage")
def lead_moved(sender: Any, instance: StageChange, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    lead = instance.lead
    emit(
        lead.workspace_id,
        "lead.stage_changed",
        {
            "lead": {"id": lead.pk, "member": lead.member_id},
            "from": instance.from_stage,
            "to": instance.to_stage,
            "at": instance.at,
        },
    )


@receiver(post_save, sender=Submission, dispatch_uid="webhooks.submission")
def form_submitted(sender: Any, instance: Submission, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    emit(
        instance.workspace_id,
        "form.submitted",
        {
            "form": {"id": instance.form_id, "name": instance.form.name},
            "submission": {
                "id": instance.pk,
                "member": instance.member_id,
                "data": instance.data,
                "utm": instance.utm,
                "language": instance.language,
                "created_at": instance.created_at,
            },
        },
    )
