"""Leads' KPIs for analytics: how many came in, how many were won, the share of decisions
that were wins, and what the wins were worth.

A lead counts as won (or lost) on the day of its last move when it is still in that stage
(`stage_changed_at`, as the ROI's "leads won"): a lead won and then moved back is no longer
a win. Leads are never deleted (erasure blanks who they are and keeps the row).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from liant.analytics import rollup
from liant.analytics.registry import Kind, KpiDef, Measure, register, shared
from liant.core.models import Workspace
from liant.leads.models import Lead, LeadSettings, Stage, StageChange

# The part of `leads.value_won` that holds how many won leads were left out of the sum for
# being in another currency: kept with the day so a period adds them up like the value.
OTHER_CURRENCY = "other_currency"
DECIDED = (Stage.WON, Stage.LOST)


def _decided(workspace: Workspace, start: datetime, end: datetime) -> QuerySet[Lead]:
    return Lead.objects.filter(
        workspace=workspace,
        stage__in=DECIDED,
        stage_changed_at__gte=start,
        stage_changed_at__lt=end,
    )


def new(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(
        value=Lead.objects.filter(
            workspace=workspace, created_at__gte=start, created_at__lt=end
        ).count()
    )


def _decisions(workspace: Workspace, start: datetime, end: datetime) -> dict[str, Any]:
    # Won, conversion and value won read the same decided leads: one query for the three
    # within a pass (registry.shared).
    return shared(
        ("leads.decisions", workspace.pk, start, end),
        lambda: (
            _decided(workspace, start, end)
            .annotate(ours=_currency(workspace))
            .aggregate(
                decided=Count("pk"),
                won=Count("pk", filter=Q(stage=Stage.WON)),
                total=Sum("value", filter=Q(stage=Stage.WON, currency=F("ours"))),
                # Nothing is converted: a win in another currency is left out, and counted.
                other=Count("pk", filter=Q(stage=Stage.WON) & ~Q(currency=F("ours"))),
            )
        ),
    )


def won(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(value=_decisions(workspace, start, end)["won"])


def conversion(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    c = _decisions(workspace, start, end)
    return Measure(value=c["won"], weight=c["decided"])


def _currency(workspace: Workspace) -> Coalesce:
    # The settings' currency inside the KPI's one query (EUR when there are no settings yet,
    # as LeadSettings.of would make them).
    setting = LeadSettings.objects.filter(workspace=workspace).values("currency")[:1]
    return Coalesce(Subquery(setting), Value("EUR"))


def value_won(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    c = _decisions(workspace, start, end)
    parts = {OTHER_CURRENCY: c["other"]} if c["other"] else {}
    return Measure(value=float(c["total"] or 0), parts=parts)


register(
    KpiDef(
        key="leads.new",
        label=_("New leads"),
        unit=_("leads"),
        formula=_("Leads created in the period, from a form or by hand."),
        module="leads",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=new,
        link=("leads_list", ""),
    )
)
register(
    KpiDef(
        key="leads.won",
        label=_("Leads won"),
        unit=_("leads"),
        formula=_(
            "Leads moved to “won” in the period and still there (a lead won, then moved "
            "back, is no longer counted)."
        ),
        module="leads",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=won,
        link=("leads_list", "stage=won"),
    )
)
register(
    KpiDef(
        key="leads.conversion",
        label=_("Lead conversion rate"),
        unit=_("%"),
        formula=_(
            "Leads won ÷ leads decided (won or lost) in the period, × 100: each lead counts on "
            "the day it was moved to “won” or “lost”, whenever it came in; leads still open "
            "are left out."
        ),
        module="leads",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=conversion,
        scale=100,
        link=("leads_list", "stage=won"),
        decimals=1,
    )
)
register(
    KpiDef(
        key="leads.value_won",
        label=_("Value of leads won"),
        unit=_("in the leads' currency"),
        formula=_(
            "The sum of the value of the leads won in the period, in the currency of the "
            "leads' settings; nothing is converted: a lead in another currency is left out "
            "(and counted apart), a lead without a value adds nothing."
        ),
        module="leads",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=value_won,
        link=("leads_list", "stage=won"),
        decimals=2,
    )
)


# --- Stored days that a later change makes wrong ---------------------------------------------
# A lead counts on the day of its last move. Moving it out of "won" or "lost" takes it off
# that day, which may be older than the nightly recompute reaches; so does changing a won
# lead's value or the leads' currency. Rare: drop the stored days (every one, the old day is
# no longer known) and the dashboard recomputes them when it next reads them.

DECISION_KEYS = ("leads.won", "leads.conversion", "leads.value_won")


def forget(workspace_id: int, keys: tuple[str, ...] = DECISION_KEYS) -> None:
    rollup.forget(workspace_id, keys)


def _stage_changed(sender: Any, instance: StageChange, created: bool, **kwargs: Any) -> None:
    if created and instance.from_stage in DECIDED:
        forget(instance.lead.workspace_id)


def _lead_saved(sender: Any, instance: Lead, created: bool, **kwargs: Any) -> None:
    if not created and instance.stage == Stage.WON:
        forget(instance.workspace_id, ("leads.value_won",))


def _settings_saved(sender: Any, instance: LeadSettings, created: bool, **kwargs: Any) -> None:
    if not created:  # made on first use with the default currency: nothing stored changes
        forget(instance.workspace_id, ("leads.value_won",))


post_save.connect(_stage_changed, sender=StageChange, dispatch_uid="leads-kpis-stage")
post_save.connect(_lead_saved, sender=Lead, dispatch_uid="leads-kpis-lead")
post_save.connect(_settings_saved, sender=LeadSettings, dispatch_uid="leads-kpis-settings")
