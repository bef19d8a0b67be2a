"""The ROI page: the period's cost, value and ROI against the comparison period, with what
they are made of; and the pages that enter costs, attributed sales and the values of actions.
Reading needs `analytics.view`, writing `reports.manage`; every row is looked up in the
workspace of the URL, so another workspace's cost is a 404."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.analytics import roi, rollup
from liant.analytics.roi_forms import CostForm, SaleForm, ValuesForm
from liant.analytics.roi_models import ActionValue, Cost, RoiSettings, Sale
from liant.analytics.views import DEFAULT_PERIOD, PERIODS, Period, period_of
from liant.core.access import WorkspaceRequest, workspace_view

MANAGE = "reports.manage"
LONGEST_DAYS = 3660


def _may_edit(request: WorkspaceRequest) -> bool:
    return request.membership.can(MANAGE)


def _edit_check(request: WorkspaceRequest) -> None:
    if not _may_edit(request):
        raise PermissionDenied


def _page_url(request: WorkspaceRequest) -> str:
    return reverse("analytics_roi", kwargs={"ws": request.workspace.slug})


def chosen_period(request: WorkspaceRequest) -> Period:
    """`?from=&to=` (both days included) compared with as many days just before, or one of
    the dashboard's periods."""
    first = parse_date(request.GET.get("from", "") or "")
    last = parse_date(request.GET.get("to", "") or "")
    if first and last and first <= last and (last - first).days < LONGEST_DAYS:
        end = last + timedelta(days=1)
        length = end - first
        return Period("custom", first, end, first - length, first)
    key = request.GET.get("period", DEFAULT_PERIOD)
    return period_of(key if key in PERIODS else DEFAULT_PERIOD, rollup.today(request.workspace))


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "—"
    shown = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{shown} {currency}"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    delta = now - before
    sign = "+" if delta > 0 else "−" if delta < 0 else ""
    return sign + number_format(abs(delta), decimal_pos=2, use_l10n=True, force_grouping=True)


def _rows(now: roi.Summary, before: roi.Summary) -> dict[str, Any]:
    """The table's lines, the period beside the comparison period."""
    cur = now.currency
    earlier = {line.key: line for line in before.value_lines}
    values = []
    for line in now.value_lines:
        old = earlier.get(line.key)
        values.append(
            {
                "label": line.label,
                "count": line.count,
                "before_count": old.count if old else None,
                "unit": money(float(line.unit_value), cur) if line.unit_value is not None else "",
                "amount": money(line.amount, cur),
                "before": money(old.amount if old else 0.0, cur),
            }
        )
    before_costs = dict(before.cost_lines)
    costs = [
        {
            "label": label,
            "amount": money(amount, cur),
            "before": money(before_costs.get(label, 0.0), cur),
        }
        for label, amount in now.cost_lines
    ]
    pct = _("%(value)s %%")
    return {
        "costs": costs,
        "values": values,
        "cost": money(now.cost, cur),
        "cost_before": money(before.cost, cur),
        "value": money(now.value, cur),
        "value_before": money(before.value, cur),
        "roi": pct % {"value": number_format(now.roi, 1, use_l10n=True)}
        if now.roi is not None
        else "—",
        "roi_before": pct % {"value": number_format(before.roi, 1, use_l10n=True)}
        if before.roi is not None
        else "—",
        "roi_change": _change(now.roi, before.roi),
    }


@workspace_view("analytics.view")
def roi_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    period = chosen_period(request)
    now = roi.summarise(workspace, period.start, period.end)
    before = roi.summarise(workspace, period.previous_start, period.previous_end)
    values = roi.action_values(workspace)
    entries = Cost.objects.filter(
        workspace=workspace, starts_on__lt=period.end, ends_on__gte=period.previous_start
    )
    sales = Sale.objects.filter(
        workspace=workspace, starts_on__lt=period.end, ends_on__gte=period.previous_start
    )
    return render(
        request,
        "analytics/roi.html",
        {
            "period": period,
            "periods": PERIODS,
            "now": now,
            "before": before,
            "table": _rows(now, before),
            "actions": [
                (a, money(float(values[a.key]), now.currency) if a.key in values else None)
                for a in roi.ACTIONS.values()
            ],
            "entries": [
                (c, money(c.share(period.start, period.end), now.currency)) for c in entries
            ],
            "sales": [(s, money(s.share(period.start, period.end), now.currency)) for s in sales],
            "can_edit": _may_edit(request),
        },
    )


def _dated_edit(
    request: WorkspaceRequest, instance: Cost | Sale, form_class: type, title: str
) -> HttpResponse:
    old_range = (instance.starts_on, instance.ends_on) if instance.pk else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.amount = form.cleaned_data["amount"]
            saved.save()
            if old_range:  # the days it covered before moving are wrong as well
                roi.forget(request.workspace.pk, *old_range)
        messages.success(request, _("Saved."))
        return redirect(_page_url(request))
    return render(request, "analytics/roi_form.html", {"form": form, "title": title})


def _today(request: WorkspaceRequest) -> date:
    return rollup.today(request.workspace)


@workspace_view("analytics.view")
def cost_new(request: WorkspaceRequest) -> HttpResponse:
    _edit_check(request)
    today = _today(request)
    cost = Cost(
        workspace=request.workspace,
        created_by=request.user,
        starts_on=today.replace(day=1),
        ends_on=today,
    )
    return _dated_edit(request, cost, CostForm, _("New cost"))


@workspace_view("analytics.view")
def cost_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    cost = get_object_or_404(Cost, pk=pk, workspace=request.workspace)
    return _dated_edit(request, cost, CostForm, _("Cost"))


@workspace_view("analytics.view")
@require_POST
def cost_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    get_object_or_404(Cost, pk=pk, workspace=request.workspace).delete()
    messages.success(request, _("The cost is deleted."))
    return redirect(_page_url(request))


@workspace_view("analytics.view")
def sale_new(request: WorkspaceRequest) -> HttpResponse:
    _edit_check(request)
    today = _today(request)
    sale = Sale(
        workspace=request.workspace,
        created_by=request.user,
        starts_on=today.replace(day=1),
        ends_on=today,
    )
    return _dated_edit(request, sale, SaleForm, _("New attributed sale"))


@workspace_view("analytics.view")
def sale_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    sale = get_object_or_404(Sale, pk=pk, workspace=request.workspace)
    return _dated_edit(request, sale, SaleForm, _("Attributed sale"))


@workspace_view("analytics.view")
@require_POST
def sale_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    get_object_or_404(Sale, pk=pk, workspace=request.workspace).delete()
    messages.success(request, _("The attributed sale is deleted."))
    return redirect(_page_url(request))


@workspace_view("analytics.view")
def values_edit(request: WorkspaceRequest) -> HttpResponse:
    """The currency and the value of each counted action."""
    _edit_check(request)
    workspace = request.workspace
    initial: dict[str, Any] = {"currency": RoiSettings.currency_of(workspace)}
    for key, amount in roi.action_values(workspace).items():
        initial[f"value_{key}"] = amount
    form = ValuesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            RoiSettings.objects.update_or_create(
                workspace=workspace, defaults={"currency": form.cleaned_data["currency"]}
            )
            for key, given in form.action_amounts().items():
                if given:
                    ActionValue.objects.update_or_create(
                        workspace=workspace, action=key, defaults={"amount": given}
                    )
                else:
                    ActionValue.objects.filter(workspace=workspace, action=key).delete()
            roi.forget(workspace.pk)  # every stored day's value may change
        messages.success(request, _("The values are saved."))
        return redirect(_page_url(request))
    return render(
        request, "analytics/roi_form.html", {"form": form, "title": _("Values and currency")}
    )
