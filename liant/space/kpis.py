"""The space's KPIs for analytics: how much members write there, and who joins."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.core.models import Workspace
from liant.space.models import Post, SpaceAccount


def messages(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # Members' words only: the brand's replies and announcements are not the community's.
    return Measure(
        value=Post.objects.filter(
            topic__category__space__workspace=workspace,
            author__staff=False,
            created_at__gte=start,
            created_at__lt=end,
        ).count()
    )


def joined(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=SpaceAccount.objects.filter(
            space__workspace=workspace,
            staff=False,
            confirmed_at__gte=start,
            confirmed_at__lt=end,
        ).count()
    )


register(
    KpiDef(
        key="space.messages",
        label=_("Messages in the community space"),
        unit=_("messages"),
        formula=_(
            "Topics and replies members posted in the space in the period (not the brand's)."
        ),
        module="space",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=messages,
        link=("space", ""),
    )
)
register(
    KpiDef(
        key="space.joined",
        label=_("New members of the community space"),
        unit=_("members"),
        formula=_("Accounts whose e-mail address was confirmed in the period."),
        module="space",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=joined,
        link=("space_accounts", ""),
    )
)
