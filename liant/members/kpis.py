"""Members' KPIs for analytics: who is active, who is new, the ambassadors, and those
slipping away. Staff and bots are left out, as they are of scores and levels; so are
members merged into another and erased ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.core.models import Workspace
from liant.members.models import Activity, Level, Member, Task
from liant.members.models import Kind as MemberKind

ACTIVE_WINDOW = timedelta(days=30)


def _people(workspace: Workspace) -> QuerySet[Member]:
    return Member.objects.filter(
        workspace=workspace,
        kind=MemberKind.PERSON,
        merged_into__isnull=True,
        erased_at__isnull=True,
    )


def active(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A level, not a count of the day: people active over the 30 days up to the end of the
    # day. (Distinct people do not add up across days; a 30-day window read on the last
    # day of any period does not need to.) Aware datetimes subtract in wall-clock days.
    since = end - ACTIVE_WINDOW
    count = (
        Activity.objects.filter(
            workspace=workspace,
            occurred_at__gte=since,
            occurred_at__lt=end,
            member__in=_people(workspace),
        )
        .values("member_id")
        .distinct()
        .count()
    )
    return Measure(value=count)


def new(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=_people(workspace).filter(first_seen_at__gte=start, first_seen_at__lt=end).count()
    )


def ambassadors(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # Levels keep no history, only when the current one began: a past day counts today's
    # ambassadors who already were one then. The nightly roll-up stores the day's true
    # figure as it goes, so only a backfill is approximate (it misses former ambassadors).
    rows = _people(workspace).filter(level=Level.AMBASSADOR)
    rows = rows.filter(Q(level_since__isnull=True) | Q(level_since__lt=end))
    return Measure(value=rows.count())


def slipping(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Task.objects.filter(
            workspace=workspace,
            kind=Task.Kind.SLIPPING_AWAY,
            created_at__gte=start,
            created_at__lt=end,
            member__in=_people(workspace),
        ).count()
    )


register(
    KpiDef(
        key="members.active",
        label=_("Active members"),
        unit=_("members"),
        formula=_(
            "People with at least one activity (a post, comment, reaction, RSVP…) in the 30 "
            "days up to the end of the period."
        ),
        module="members",
        higher_is_better=True,
        kind=Kind.LEVEL,
        compute=active,
        link=("members", "active_within_days=30"),
    )
)
register(
    KpiDef(
        key="members.new",
        label=_("New members"),
        unit=_("members"),
        formula=_("People first seen in the period, on any channel."),
        module="members",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=new,
        link=("members", "sort=new"),
    )
)
register(
    KpiDef(
        key="members.ambassadors",
        label=_("Ambassadors"),
        unit=_("members"),
        formula=_(
            "Members at the ambassador level at the end of the period (for days before "
            "analytics kept them: today's ambassadors who already were one then)."
        ),
        module="members",
        higher_is_better=True,
        kind=Kind.LEVEL,
        compute=ambassadors,
        link=("members", "levels=ambassador"),
    )
)
register(
    KpiDef(
        key="members.slipping",
        label=_("Members slipping away"),
        unit=_("members"),
        formula=_(
            "'Slipping away' alerts raised in the period: regular members gone silent for "
            "longer than the workspace's setting."
        ),
        module="members",
        higher_is_better=False,
        kind=Kind.SUM,
        compute=slipping,
        link=("members_todo", ""),
    )
)
