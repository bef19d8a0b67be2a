"""The leads' analytics dashboard: how far the period's leads went down the pipeline."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liant.analytics.breakdowns import Funnel, register
from liant.core.models import Workspace
from liant.leads.models import Lead, Stage, StageChange

# The pipeline's order; a lost lead is off it (counted apart, at the furthest stage it
# reached before being lost).
ORDER = [Stage.NEW, Stage.QUALIFIED, Stage.HANDED, Stage.WON]


def reached(workspace: Workspace, start: datetime, end: datetime) -> tuple[list, list]:
    """Of the leads created in the period, how many reached each stage (now or at any time
    since: a lead moved back from qualified to new still went through qualification)."""
    leads = dict(
        Lead.objects.filter(
            workspace=workspace, created_at__gte=start, created_at__lt=end
        ).values_list("pk", "stage")
    )
    rank: dict[str, int] = {str(s): n for n, s in enumerate(ORDER)}
    furthest = {pk: rank.get(stage, 0) for pk, stage in leads.items()}
    for pk, stage in StageChange.objects.filter(lead_id__in=list(leads)).values_list(
        "lead_id", "to_stage"
    ):
        furthest[pk] = max(furthest[pk], rank.get(stage, 0))
    stages = [
        (str(s.label), sum(1 for f in furthest.values() if f >= n)) for n, s in enumerate(ORDER)
    ]
    lost = sum(1 for stage in leads.values() if stage == Stage.LOST)
    return stages, [(gettext("Lost"), lost)]


register(
    Funnel(
        key="leads.funnel",
        module="leads",
        title=_("Leads by stage reached"),
        unit=_("leads"),
        compute=reached,
        explanation=_(
            "Leads created in the period, by the furthest stage of the pipeline each one "
            "reached, now or before (a lead at “won” went through every stage); lost leads are "
            "counted apart."
        ),
    )
)
