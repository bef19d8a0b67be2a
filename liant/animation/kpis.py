"""Animation's KPIs for analytics: how many people took part in contests, events and polls."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.animation.models import Entry, PollVote, Rsvp
from liant.core.models import Workspace


def entries(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Entry.objects.filter(
            workspace=workspace, entered_at__gte=start, entered_at__lt=end
        ).count()
    )


def rsvps(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A cancelled RSVP is nobody coming: counted nowhere, even on the day it was made.
    return Measure(
        value=Rsvp.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end)
        .exclude(status=Rsvp.Status.CANCELLED)
        .count()
    )


def poll_votes(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=PollVote.objects.filter(poll__workspace=workspace, at__gte=start, at__lt=end).count()
    )


for key, label, formula, compute in [
    (
        "animation.entries",
        _("Contest entries"),
        _("Entries to the workspace's contests made in the period, from every source."),
        entries,
    ),
    (
        "animation.rsvps",
        _("Event RSVPs"),
        _("RSVPs to events made in the period (going or on the waiting list), not cancelled."),
        rsvps,
    ),
    (
        "animation.poll_votes",
        _("Poll votes"),
        _("Votes cast in the period on the polls Liant hosts."),
        poll_votes,
    ),
]:
    register(
        KpiDef(
            key=key,
            label=label,
            unit=_("participations"),
            formula=formula,
            module="animation",
            higher_is_better=True,
            kind=Kind.SUM,
            compute=compute,
            link=("animation", ""),
        )
    )
