"""Routing rules: conditions on a new message → actions on its conversation.

Rules run in their `position` order (then creation order); a matching rule marked `stop`
ends the evaluation. A rule never undoes a person's decision: it assigns only an unassigned
conversation, raises a priority but never lowers it, routes only a conversation that has no
department yet, and auto-replies at most once per conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from liant.inbox.models import Conversation, Message, RoutingRule
from liant.members import lookup, segments
from liant.text import fold


@dataclass
class Sample:
    text: str
    channel_id: int | None = None
    language: str = ""
    sentiment: str = ""
    first: bool = True
    member_id: int | None = None  # the author, when the members module knows them


def keywords_of(rule: RoutingRule) -> list[str]:
    return [fold(k).strip() for k in rule.keywords.split(",") if k.strip()]


def matches(rule: RoutingRule, sample: Sample) -> bool:
    if rule.channel_id and rule.channel_id != sample.channel_id:
        return False
    if rule.language and rule.language != sample.language:
        return False
    if rule.sentiment and rule.sentiment != sample.sentiment:
        return False
    if rule.first_message_only and not sample.first:
        return False
    if rule.segment_id and not in_segment(rule, sample.member_id):
        return False
    words = keywords_of(rule)
    if words:
        folded = fold(sample.text)
        return any(word in folded for word in words)
    return True


def in_segment(rule: RoutingRule, member_id: int | None) -> bool:
    """The segment is read when the rule runs: membership follows the member's latest level,
    tags and consents, not what they were when the rule was written."""
    if member_id is None:
        return False
    return segments.members_of(rule.segment).filter(pk=member_id).exists()


def active_rules(workspace_id: int) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(workspace_id=workspace_id, active=True).select_related(
        "assign_to", "add_label", "department", "auto_reply", "segment"
    )


def evaluate(rules: list[RoutingRule] | QuerySet[RoutingRule], sample: Sample) -> list[RoutingRule]:
    """The rules that fire for `sample`, in order."""
    fired = []
    for rule in rules:
        if matches(rule, sample):
            fired.append(rule)
            if rule.stop:
                break
    return fired


def sample_of(message: Message, first: bool, need_member: bool = True) -> Sample:
    member = None
    if need_member and message.event_id is not None:
        member = lookup.member_of_event(message.event)
    return Sample(
        text=message.text,
        channel_id=message.conversation.channel_id,
        language=message.language,
        sentiment=message.sentiment,
        first=first,
        member_id=member.pk if member else None,
    )


def apply(rule: RoutingRule, conversation: Conversation) -> None:
    from liant.inbox import notify, replies  # noqa: PLC0415 - both import models that import us

    changed = []
    if rule.assign_to_id and conversation.assignee_id is None:
        conversation.assignee_id = rule.assign_to_id
        changed.append("assignee")
    if rule.set_priority is not None and rule.set_priority > conversation.priority:
        conversation.priority = rule.set_priority
        changed.append("priority")
    if rule.department_id and conversation.department_id is None:
        conversation.department_id = rule.department_id
        changed.append("department")
        conversation_id, department_id = conversation.pk, rule.department_id
        transaction.on_commit(lambda: notify.tell_department(conversation_id, department_id))
    if changed:
        conversation.save(update_fields=changed)
    if rule.add_label_id:
        conversation.labels.add(rule.add_label_id)
    if (
        rule.auto_reply is not None
        and not Message.objects.filter(conversation=conversation, automatic=True).exists()
    ):
        replies.queue_reply(
            conversation, replies.saved_reply_text(rule.auto_reply, conversation), automatic=True
        )


def route_new(grouped: object) -> int:
    """Apply the rules to each message the grouping just added; returns how many fired."""
    messages: list[Message] = getattr(grouped, "messages", [])
    firsts: set[int] = getattr(grouped, "first_of_conversation", set())
    fired = 0
    rules_by_workspace: dict[int, list[RoutingRule]] = {}
    for message in sorted(messages, key=lambda m: (m.occurred_at, m.pk)):
        rules = rules_by_workspace.get(message.workspace_id)
        if rules is None:
            rules = rules_by_workspace[message.workspace_id] = list(
                active_rules(message.workspace_id)
            )
        if not rules:
            continue
        conversation = Conversation.objects.select_related("workspace", "channel").get(
            pk=message.conversation_id
        )
        message.conversation = conversation
        with transaction.atomic():
            need_member = any(r.segment_id for r in rules)
            for rule in evaluate(rules, sample_of(message, message.pk in firsts, need_member)):
                apply(rule, conversation)
                fired += 1
    return fired
