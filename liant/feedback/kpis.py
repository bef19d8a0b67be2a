"""Feedback's KPIs for analytics: ideas coming in, and ideas the brand actually shipped."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.core.models import Workspace
from liant.feedback.models import Idea, IdeaStatus


def received(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A duplicate merged into another idea is the same idea: counted once, as the original.
    return Measure(
        value=Idea.objects.filter(
            workspace=workspace,
            created_at__gte=start,
            created_at__lt=end,
            merged_into__isnull=True,
        ).count()
    )


def shipped(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Idea.objects.filter(
            workspace=workspace,
            status=IdeaStatus.SHIPPED,
            status_changed_at__gte=start,
            status_changed_at__lt=end,
            merged_into__isnull=True,
        ).count()
    )


register(
    KpiDef(
        key="feedback.ideas",
        label=_("Ideas received"),
        unit=_("ideas"),
        formula=_("Ideas added to the idea box in the period, duplicates merged away left out."),
        module="feedback",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=received,
        link=("feedback_ideas", ""),
    )
)
register(
    KpiDef(
        key="feedback.shipped",
        label=_("Ideas shipped"),
        unit=_("ideas"),
        formula=_("Ideas whose status became 'shipped' in the period (and still is)."),
        module="feedback",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=shipped,
        link=("feedback_ideas", "status=shipped"),
    )
)
