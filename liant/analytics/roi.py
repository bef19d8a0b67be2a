"""Return on investment: what the community work cost and what it brought, over a period.

    ROI = (value − cost) ÷ cost

- Cost: the amounts entered on the ROI page (time as hours × an hourly rate, tools,
  advertising, events, other), each spread evenly over the days of its date range.
- Value: the `value` of the leads won in the period (moved to "won" then, in the
  workspace's currency), the attributed sales entered by hand (spread like costs), and each
  counted action (newsletter sign-ups, qualified leads, contest entries...) times the value
  the workspace gives it.

The three figures are KPIs of the registry (cost and value are sums, ROI a ratio of sums),
so the overview, the reports and the roll-ups read them like any other. Entered amounts
change past days, so every edit drops the stored days it touches (`forget`) and the
dashboard recomputes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.signals import post_delete, post_save
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liant.analytics import rollup
from liant.analytics.registry import Kind, KpiDef, Measure, register
from liant.analytics.roi_models import ActionValue, Cost, CostKind, RoiSettings, Sale
from liant.analytics.rollup import zone
from liant.core.models import Workspace

COST, VALUE, ROI = "analytics.cost", "analytics.value", "analytics.roi"
KEYS = (COST, VALUE, ROI)
LEADS_WON, SALES = "leads_won", "sales"


def local_days(workspace: Workspace, start: datetime, end: datetime) -> tuple[date, date]:
    """The days [first, end) of the workspace's zone that [start, end) covers (the registry
    calls with the bounds of whole local days)."""
    tz = zone(workspace)
    return start.astimezone(tz).date(), end.astimezone(tz).date()


# --- Counted actions ---------------------------------------------------------------------


def _newsletter_signups(workspace: Workspace, start: datetime, end: datetime) -> int:
    from liant.newsletters.models import Subscriber

    # Confirmed (double opt-in) sign-ups, whatever the person did afterwards.
    return Subscriber.objects.filter(
        workspace=workspace, subscribed_at__gte=start, subscribed_at__lt=end
    ).count()


def _leads_new(workspace: Workspace, start: datetime, end: datetime) -> int:
    from liant.leads.models import Lead

    return Lead.objects.filter(
        workspace=workspace, created_at__gte=start, created_at__lt=end
    ).count()


def _leads_qualified(workspace: Workspace, start: datetime, end: datetime) -> int:
    from liant.leads.models import StageChange

    # A lead moved to "qualified" twice in the period counts once.
    return (
        StageChange.objects.filter(
            lead__workspace=workspace, to_stage="qualified", at__gte=start, at__lt=end
        )
        .values("lead")
        .distinct()
        .count()
    )


def _contest_entries(workspace: Workspace, start: datetime, end: datetime) -> int:
    from liant.animation.models import Entry

    return Entry.objects.filter(
        workspace=workspace, entered_at__gte=start, entered_at__lt=end
    ).count()


def _event_check_ins(workspace: Workspace, start: datetime, end: datetime) -> int:
    from liant.animation.models import Rsvp

    return Rsvp.objects.filter(
        workspace=workspace, checked_in_at__gte=start, checked_in_at__lt=end
    ).count()


@dataclass(frozen=True)
class Action:
    key: str
    label: Promise
    counted: Promise  # what is counted, in words, for the assumptions
    count: Callable[[Workspace, datetime, datetime], int]


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action(
            "newsletter_signup",
            _("Newsletter sign-up"),
            _("sign-ups confirmed by the person (double opt-in) in the period"),
            _newsletter_signups,
        ),
        Action(
            "lead_new",
            _("New lead"),
            _("leads created in the period, from a form or by hand"),
            _leads_new,
        ),
        Action(
            "lead_qualified",
            _("Lead qualified"),
            _("leads moved to “qualified” in the period (each lead once)"),
            _leads_qualified,
        ),
        Action(
            "contest_entry",
            _("Contest entry"),
            _("contest entries recorded in the period"),
            _contest_entries,
        ),
        Action(
            "event_check_in",
            _("Event attendee"),
            _("people checked in at an event in the period"),
            _event_check_ins,
        ),
    )
}


def action_values(workspace: Workspace) -> dict[str, Decimal]:
    """The value given to each action; an action with none (or 0) is not counted."""
    return {
        a: amount
        for a, amount in ActionValue.objects.filter(workspace=workspace).values_list(
            "action", "amount"
        )
        if a in ACTIONS and amount
    }


# --- The three measures ------------------------------------------------------------------


def _spread(rows: Iterable[Any], first: date, end: date) -> float:
    return sum(row.share(first, end) for row in rows)


def _overlapping(model: Any, workspace: Workspace, first: date, end: date) -> Any:
    return model.objects.filter(workspace=workspace, starts_on__lt=end, ends_on__gte=first)


def costs(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    first, stop = local_days(workspace, start, end)
    parts: dict[str, float] = {}
    for cost in _overlapping(Cost, workspace, first, stop):
        share = cost.share(first, stop)
        if share:
            parts[cost.kind] = parts.get(cost.kind, 0.0) + share
    return Measure(value=sum(parts.values()), parts=parts)


def leads_won(workspace: Workspace, start: datetime, end: datetime) -> Any:
    """Leads in the "won" stage that got there in the period (a lead won, then moved back,
    is no longer won)."""
    from liant.leads.models import Lead, Stage

    return Lead.objects.filter(
        workspace=workspace,
        stage=Stage.WON,
        stage_changed_at__gte=start,
        stage_changed_at__lt=end,
    )


def values(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    currency = RoiSettings.currency_of(workspace)
    first, stop = local_days(workspace, start, end)
    won = (
        leads_won(workspace, start, end)
        .filter(currency=currency)
        .aggregate(total=Sum("value"))["total"]
    )
    parts: dict[str, float] = {
        LEADS_WON: float(won or 0),
        SALES: _spread(_overlapping(Sale, workspace, first, stop), first, stop),
    }
    for key, amount in action_values(workspace).items():
        parts[f"action:{key}"] = ACTIONS[key].count(workspace, start, end) * float(amount)
    parts = {k: v for k, v in parts.items() if v}
    return Measure(value=sum(parts.values()), parts=parts)


def roi(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    """A ratio of sums, so a period's ROI is Σ(value − cost) ÷ Σ cost over its days, the
    same as computing it at once; no cost, no ROI (shown as —)."""
    cost = costs(workspace, start, end).value
    value = values(workspace, start, end).value
    return Measure(value=value - cost, weight=cost)


def part_label(key: str) -> str:
    if key == LEADS_WON:
        return str(_("Leads won"))
    if key == SALES:
        return str(_("Attributed sales"))
    if key.startswith("action:") and key[7:] in ACTIONS:
        return str(ACTIONS[key[7:]].label)
    if key in CostKind.values:
        return str(CostKind(key).label)
    return key


def _part_labels(workspace: Workspace, keys: Iterable[str]) -> dict[str, str]:
    return {k: part_label(k) for k in keys}


register(
    KpiDef(
        key=COST,
        label=_("Cost"),
        unit=_("in the workspace's currency"),
        formula=_(
            "The costs entered on the ROI page (time × hourly rate, tools, advertising, "
            "events, other), each spread evenly over the days of its dates."
        ),
        module="analytics",
        higher_is_better=None,
        kind=Kind.SUM,
        compute=costs,
        link=("analytics_roi", ""),
        part_labels=_part_labels,
        decimals=2,
    )
)
register(
    KpiDef(
        key=VALUE,
        label=_("Value brought"),
        unit=_("in the workspace's currency"),
        formula=_(
            "The value of the leads won in the period, the attributed sales entered, and "
            "each counted action times the value given to it on the ROI page."
        ),
        module="analytics",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=values,
        link=("analytics_roi", ""),
        part_labels=_part_labels,
        decimals=2,
    )
)
register(
    KpiDef(
        key=ROI,
        label=_("Return on investment"),
        unit="%",  # type: ignore[arg-type]
        formula=_("(Value brought − cost) ÷ cost × 100, over the period; none without costs."),
        module="analytics",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=roi,
        scale=100,
        link=("analytics_roi", ""),
        decimals=1,
    )
)


# --- A period, with what it is made of -----------------------------------------------------


@dataclass
class ValueLine:
    key: str
    label: str
    count: int | None  # actions and leads: how many; sales: None
    unit_value: Decimal | None  # actions: the value of one
    amount: float


@dataclass
class Summary:
    first: date
    end: date  # exclusive
    currency: str
    cost_lines: list[tuple[str, float]] = field(default_factory=list)
    value_lines: list[ValueLine] = field(default_factory=list)
    cost: float = 0.0
    value: float = 0.0
    other_currency_leads: int = 0

    @property
    def roi(self) -> float | None:
        if not self.cost:
            return None
        return round(100 * (self.value - self.cost) / self.cost, 1)


def summarise(workspace: Workspace, first: date, end: date) -> Summary:
    """[first, end) computed at once (not from the roll-ups), with the counts behind each
    value, for the ROI page's table and assumptions."""
    from liant.analytics.rollup import day_bounds

    start, _unused = day_bounds(workspace, first)
    stop, _unused = day_bounds(workspace, end)
    currency = RoiSettings.currency_of(workspace)
    summary = Summary(first, end, currency)
    cost = costs(workspace, start, stop)
    summary.cost_lines = [(str(kind.label), cost.parts.get(kind.value, 0.0)) for kind in CostKind]
    summary.cost = cost.value
    won = leads_won(workspace, start, stop)
    in_currency = won.filter(currency=currency).aggregate(total=Sum("value"))
    summary.other_currency_leads = won.exclude(currency=currency).count()
    lines = [
        ValueLine(
            LEADS_WON,
            part_label(LEADS_WON),
            won.filter(currency=currency).count(),
            None,
            float(in_currency["total"] or 0),
        ),
        ValueLine(
            SALES,
            part_label(SALES),
            None,
            None,
            _spread(_overlapping(Sale, workspace, first, end), first, end),
        ),
    ]
    for key, amount in action_values(workspace).items():
        count = ACTIONS[key].count(workspace, start, stop)
        lines.append(ValueLine(key, str(ACTIONS[key].label), count, amount, count * float(amount)))
    summary.value_lines = lines
    summary.value = sum(line.amount for line in lines)
    return summary


# --- Stored days that an edit makes wrong --------------------------------------------------


def forget(workspace_id: int, first: date | None = None, last: date | None = None) -> None:
    """Drop the stored ROI days of [first, last] (every day without bounds)."""
    rollup.forget(workspace_id, KEYS, first, last)


def _dated_changed(sender: Any, instance: Cost | Sale, **kwargs: Any) -> None:
    forget(instance.workspace_id, instance.starts_on, instance.ends_on)


def _lead_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A won lead's value (or a lead leaving "won") changes the value of the day it was won,
    # which may be older than the nightly recompute reaches. Rare enough to drop them all.
    if getattr(instance, "stage", None) == "won":
        forget(instance.workspace_id)


def _stage_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if "won" in (instance.from_stage, instance.to_stage):
        forget(instance.lead.workspace_id)


def connect() -> None:
    for model in (Cost, Sale):
        post_save.connect(_dated_changed, sender=model, dispatch_uid=f"roi-{model.__name__}")
        post_delete.connect(_dated_changed, sender=model, dispatch_uid=f"roi-del-{model.__name__}")
    post_save.connect(_lead_changed, sender="leads.Lead", dispatch_uid="roi-lead")
    post_delete.connect(_lead_changed, sender="leads.Lead", dispatch_uid="roi-lead-del")
    post_save.connect(_stage_changed, sender="leads.StageChange", dispatch_uid="roi-stage")
