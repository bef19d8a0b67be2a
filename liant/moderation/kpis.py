"""Moderation's KPIs for analytics: how many messages were dealt with, how many waited for a
person, and how long a person took to decide."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, distribution, register
from liant.core.models import Workspace
from liant.moderation.models import Item, ItemState, Reason

# The reasons an item waits for a person; ACTED and LABELLED were settled by a rule at once.
FOR_A_PERSON = [Reason.HELD, Reason.FLAGGED, Reason.REPORTED, Reason.NOT_APPLIED]


def judged(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Item.objects.filter(
            workspace=workspace, state=ItemState.DONE, decided_at__gte=start, decided_at__lt=end
        ).count()
    )


def held(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Item.objects.filter(
            workspace=workspace, reason__in=FOR_A_PERSON, created_at__gte=start, created_at__lt=end
        ).count()
    )


def time_to_decision(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    rows = Item.objects.filter(
        workspace=workspace,
        state=ItemState.DONE,
        reason__in=FOR_A_PERSON,
        decided_at__gte=start,
        decided_at__lt=end,
    ).values_list("created_at", "decided_at")
    return Measure(dist=distribution(rows))


register(
    KpiDef(
        key="moderation.judged",
        label=_("Messages dealt with"),
        unit=_("messages"),
        formula=_(
            "Messages moderation settled in the period, by a rule's action or by a "
            "moderator's decision."
        ),
        module="moderation",
        higher_is_better=None,
        kind=Kind.SUM,
        compute=judged,
        link=("moderation_log", ""),
    )
)
register(
    KpiDef(
        key="moderation.held",
        label=_("Messages held for a moderator"),
        unit=_("messages"),
        formula=_(
            "Messages that entered the review queue in the period: held by a rule, flagged "
            "by the classifiers, reported, or whose rule's action could not be applied."
        ),
        module="moderation",
        higher_is_better=False,
        kind=Kind.SUM,
        compute=held,
        link=("moderation", ""),
    )
)
register(
    KpiDef(
        key="moderation.time_to_decision",
        label=_("Median time to decision"),
        unit=_("minutes"),
        formula=_(
            "Median, over the queued messages decided in the period, of the time from "
            "entering the review queue to the decision, in clock minutes."
        ),
        module="moderation",
        higher_is_better=False,
        kind=Kind.MEDIAN,
        compute=time_to_decision,
        link=("moderation_log", ""),
    )
)
