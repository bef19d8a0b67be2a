"""The inbox's analytics dashboard: when conversations come in, by weekday and hour."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.translation import gettext_lazy as _

from liant.analytics.breakdowns import Grid, register
from liant.analytics.rollup import zone
from liant.core.models import Workspace
from liant.inbox.models import Conversation


def arrivals(workspace: Workspace, start: datetime, end: datetime) -> dict[tuple[int, int], float]:
    tz = zone(workspace)
    rows = (
        Conversation.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end)
        .annotate(
            weekday=ExtractIsoWeekDay("created_at", tzinfo=tz),
            hour=ExtractHour("created_at", tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["weekday"], r["hour"]): r["n"] for r in rows}


register(
    Grid(
        key="inbox.arrivals",
        module="inbox",
        title=_("Conversations received by weekday and hour"),
        unit=_("conversations"),
        compute=arrivals,
        explanation=_(
            "Conversations that started in the period, by the weekday and hour of their first "
            "message in the workspace's time zone: when the team is needed."
        ),
    )
)
