"""The agency view: the same KPIs across an organisation's workspaces, side by side.

Who sees which workspace: only those where the person's role may read the dashboards. Being
owner or administrator of one workspace (which lets one open new workspaces in the
organisation) gives nothing here: an agency that makes a client owner of the client's own
workspace must not show that client the other clients' figures. Each workspace's period
is counted in its own time zone, as on its own dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liant.analytics import rollup
from liant.analytics.registry import Kind, KpiDef, Measure, all_kpis, combine, value_of
from liant.analytics.views import DEFAULT_PERIOD, PERIODS, _number, _trend, period_of
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.navigation import MODULES_BY_KEY
from liant.core.permissions import role_has


def agency_workspaces(user: User, organisation: Organisation) -> list[Workspace]:
    everything = Workspace.objects.filter(organisation=organisation).order_by("name")
    roles = dict(
        Membership.objects.filter(user=user, workspace__organisation=organisation).values_list(
            "workspace_id", "role"
        )
    )
    return [w for w in everything if w.pk in roles and role_has(roles[w.pk], "analytics.view")]


@dataclass
class Cell:
    value: str
    link: str
    trend: dict[str, Any]
    before: str


@dataclass
class Row:
    kpi: KpiDef
    cells: list[Cell] = field(default_factory=list)
    total: str = ""  # empty: not additive


def _cell_link(
    kpi: KpiDef, workspace: Workspace, membership: Membership | None, period: str
) -> str:
    """Into that workspace's dashboard for the KPI's module, when this person may open it
    (an administrator who is not a member of the workspace gets the number, not a link)."""
    if membership is None or not membership.can("analytics.view"):
        return ""
    module = MODULES_BY_KEY.get(kpi.module)
    if module is not None and membership.can(module.permission):
        url = reverse("analytics_module", kwargs={"ws": workspace.slug, "module": module.key})
    else:
        url = reverse("analytics", kwargs={"ws": workspace.slug})
    return f"{url}?period={period}#kpi-{kpi.key}"


def table_of(user: User, workspaces: list[Workspace], key: str) -> list[Row]:
    kpis = all_kpis()
    memberships = {
        m.workspace_id: m for m in Membership.objects.filter(user=user, workspace__in=workspaces)
    }
    rows = {k.key: Row(kpi=k) for k in kpis}
    pooled: dict[str, list[Measure]] = {k.key: [] for k in kpis}
    for workspace in workspaces:
        period = period_of(key, rollup.today(workspace))
        daily = rollup.daily_measures(workspace, kpis, period.previous_start, period.end)
        split = (period.start - period.previous_start).days
        for kpi in kpis:
            now = combine(kpi, daily[kpi.key][split:])
            value = value_of(kpi, now)
            before = value_of(kpi, combine(kpi, daily[kpi.key][:split]))
            pooled[kpi.key].append(now)
            rows[kpi.key].cells.append(
                Cell(
                    value=_number(kpi, value),
                    link=_cell_link(kpi, workspace, memberships.get(workspace.pk), key),
                    trend=_trend(kpi, value, before),
                    before=_number(kpi, before),
                )
            )
    for kpi in kpis:
        if kpi.kind in (Kind.SUM, Kind.LEVEL):
            # Counts add up; a level too (members are kept per workspace). A rate or a
            # median is not the sum of the workspaces' rates: it would mislead, so no total.
            total = sum(m.value for m in pooled[kpi.key])
            rows[kpi.key].total = _number(kpi, total)
    return list(rows.values())


@workspace_view("analytics.view")
def agency(request: WorkspaceRequest) -> HttpResponse:
    key = request.GET.get("period", DEFAULT_PERIOD)
    key = key if key in PERIODS else DEFAULT_PERIOD
    organisation = request.workspace.organisation
    workspaces = agency_workspaces(request.user, organisation)
    return render(
        request,
        "analytics/agency.html",
        {
            "organisation": organisation,
            "workspaces": workspaces,
            "rows": table_of(request.user, workspaces, key),
            "period": period_of(key, rollup.today(request.workspace)),
            "periods": PERIODS,
            "title": _("All workspaces of %(organisation)s") % {"organisation": organisation},
        },
    )
