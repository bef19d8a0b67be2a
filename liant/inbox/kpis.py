"""The inbox's KPIs for analytics: volume (and where it was routed), how fast the team first
answers, how often the first-response deadline was kept, and how long conversations take to
be resolved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, distribution, register
from liant.core.models import Workspace
from liant.inbox.models import Conversation, Department, Status

NO_DEPARTMENT = "none"


def received(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    rows = (
        Conversation.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    parts = {str(r["department_id"] or NO_DEPARTMENT): r["n"] for r in rows}
    return Measure(value=sum(parts.values()), parts=parts)


def department_labels(workspace: Workspace, keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    names = dict(
        Department.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", "name")
    )
    labels = {str(pk): name for pk, name in names.items()}
    labels[NO_DEPARTMENT] = gettext("Community team (no department)")
    return labels


def first_response(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    rows = Conversation.objects.filter(
        workspace=workspace, first_response_at__gte=start, first_response_at__lt=end
    ).values_list("created_at", "first_response_at")
    return Measure(dist=distribution(rows))


def resolution(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # Counted on the day it was closed. Reopening clears closed_at, so a conversation closed
    # twice counts once, on its last close, from its first message.
    rows = Conversation.objects.filter(
        workspace=workspace, status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end
    ).values_list("created_at", "closed_at")
    return Measure(dist=distribution(rows))


def sla_met(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A deadline of the period that has not passed yet and is still unanswered is neither
    # kept nor missed: it waits (only today's figure can have such deadlines).
    due = Conversation.objects.filter(
        workspace=workspace, first_response_due__gte=start, first_response_due__lt=end
    ).filter(Q(first_response_at__isnull=False) | Q(first_response_due__lt=timezone.now()))
    counts = due.aggregate(
        all=Count("id"),
        kept=Count("id", filter=Q(first_response_at__lte=F("first_response_due"))),
    )
    return Measure(value=counts["kept"], weight=counts["all"])


register(
    KpiDef(
        key="inbox.received",
        label=_("Conversations received"),
        unit=_("conversations"),
        formula=_(
            "Conversations that started in the period (a thread or a person's private "
            "messages on one channel), broken down by the department they are routed to."
        ),
        module="inbox",
        higher_is_better=None,
        kind=Kind.SUM,
        compute=received,
        link=("inbox", "status=all"),
        part_labels=department_labels,
    )
)
register(
    KpiDef(
        key="inbox.first_response",
        label=_("Median first response time"),
        unit=_("minutes"),
        formula=_(
            "Median, over the conversations first answered in the period, of the time from "
            "the conversation's first message to the team's first reply, in clock minutes "
            "(nights and week-ends included)."
        ),
        module="inbox",
        higher_is_better=False,
        kind=Kind.MEDIAN,
        compute=first_response,
        link=("inbox", ""),
    )
)
register(
    KpiDef(
        key="inbox.resolution",
        label=_("Median resolution time"),
        unit=_("minutes"),
        formula=_(
            "Median, over the conversations closed in the period (and not reopened since), of "
            "the time from the conversation's first message to its closing, in clock minutes "
            "(nights and week-ends included)."
        ),
        module="inbox",
        higher_is_better=False,
        kind=Kind.MEDIAN,
        compute=resolution,
        link=("inbox", "status=closed"),
    )
)
register(
    KpiDef(
        key="inbox.sla_met",
        label=_("First responses on time"),
        unit=_("%"),
        formula=_(
            "Conversations whose first-response deadline (from the SLA policy) fell in the "
            "period and that were answered by it ÷ all conversations whose deadline fell in "
            "the period and has passed or was answered, × 100."
        ),
        module="inbox",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=sla_met,
        scale=100,
        link=("inbox", "sla=risk"),
    )
)
