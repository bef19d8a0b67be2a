"""The ROI page's forms: a cost, an attributed sale, the values of actions and the currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liant.analytics.roi import ACTIONS
from liant.analytics.roi_models import Cost, CostKind, RoiSettings, Sale

LONGEST_DAYS = 3660  # a ten-year contract is the longest range worth spreading
DATE = forms.DateInput(attrs={"type": "date"})


def _check_dates(form: forms.ModelForm, data: dict[str, Any]) -> None:
    first, last = data.get("starts_on"), data.get("ends_on")
    if first and last:
        if last < first:
            form.add_error("ends_on", _("The last day is before the first."))
        elif (last - first).days >= LONGEST_DAYS:
            form.add_error("ends_on", _("Enter a range of at most ten years."))


class CostForm(forms.ModelForm):
    class Meta:
        model = Cost
        fields = ["kind", "starts_on", "ends_on", "hours", "hourly_rate", "amount", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "hours": _("Time spent only: the amount is hours × hourly rate."),
            "amount": _("For time spent, leave empty: it is computed."),
            "ends_on": _("Included. The amount is spread evenly over the days of the range."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, data)
        for name in ("hours", "hourly_rate", "amount"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Enter a positive number."))
        if data.get("kind") == CostKind.TIME:
            hours, rate = data.get("hours"), data.get("hourly_rate")
            if hours is None:
                self.add_error("hours", _("Enter the hours spent."))
            if rate is None:
                self.add_error("hourly_rate", _("Enter the hourly rate."))
            if hours is not None and rate is not None:
                data["amount"] = (hours * rate).quantize(Decimal("0.01"))
        else:
            data["hours"] = data["hourly_rate"] = None
            if data.get("amount") is None:
                self.add_error("amount", _("Enter the amount."))
        return data


class SaleForm(forms.ModelForm):
    class Meta:
        model = Sale
        fields = ["starts_on", "ends_on", "amount", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "ends_on": _("Included. The amount is spread evenly over the days of the range."),
            "note": _("Where the figure comes from (invoice, shop report...)."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, data)
        if data.get("amount") is not None and data["amount"] < 0:
            self.add_error("amount", _("Enter a positive number."))
        return data


class ValuesForm(forms.Form):
    """The currency, and one value field per counted action (empty: not counted)."""

    currency = forms.RegexField(
        label=_("Currency"),
        regex=r"^[A-Za-z]{3}$",
        help_text=RoiSettings._meta.get_field("currency").help_text,
        error_messages={"invalid": _("Enter a three-letter currency code, e.g. EUR.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for action in ACTIONS.values():
            self.fields[f"value_{action.key}"] = forms.DecimalField(
                label=str(action.label),
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                help_text=str(action.counted),
            )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def action_amounts(self) -> dict[str, Decimal | None]:
        return {key: self.cleaned_data.get(f"value_{key}") for key in ACTIONS}
