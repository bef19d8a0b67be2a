"""Publishing's analytics dashboard: which weekday and hour of publication got engagement."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.translation import gettext_lazy as _

from liant.analytics.breakdowns import Grid, register
from liant.analytics.rollup import zone
from liant.core.models import Workspace
from liant.publishing.models import Variant
from liant.publishing.states import State


def engagement_by_slot(
    workspace: Workspace, start: datetime, end: datetime
) -> dict[tuple[int, int], float]:
    tz = zone(workspace)
    rows = (
        Variant.objects.filter(
            post__workspace=workspace,
            state=State.PUBLISHED,
            published_at__gte=start,
            published_at__lt=end,
            metrics__isnull=False,
        )
        .annotate(
            weekday=ExtractIsoWeekDay("published_at", tzinfo=tz),
            hour=ExtractHour("published_at", tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(mean=Avg("metrics__engagement"))
        .order_by()
    )
    return {(r["weekday"], r["hour"]): round(float(r["mean"] or 0), 1) for r in rows}


register(
    Grid(
        key="publishing.engagement_by_slot",
        module="publishing",
        title=_("Engagement by weekday and hour of publication"),
        unit=_("interactions per publication"),
        compute=engagement_by_slot,
        explanation=_(
            "Mean interactions per publication with metrics, by the weekday and hour it went "
            "out in the workspace's time zone (a post on three channels counts three times): "
            "when publishing pays."
        ),
        decimals=1,
    )
)
