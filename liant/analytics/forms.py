"""The report, template and schedule forms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from liant.analytics.models import PeriodKind, Report, ReportSchedule, SectionKind
from liant.analytics.registry import all_kpis
from liant.core.models import User, Workspace

LONGEST_DAYS = 366
MOST_ADDRESSES = 20


class ReportForm(forms.ModelForm):
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        choices=SectionKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kpis = forms.MultipleChoiceField(
        label=_("Indicators of the “chosen indicators” section"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Report
        fields = ["title", "period", "starts_on", "ends_on", "compare"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "starts_on": _("For a week, month or quarter: any day in it."),
            "ends_on": _("Only for custom dates."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kpi_field = self.fields["kpis"]
        assert isinstance(kpi_field, forms.ChoiceField)
        kpi_field.choices = [(k.key, str(k.label)) for k in all_kpis()]
        if self.instance.is_template:
            del self.fields["starts_on"]
            del self.fields["ends_on"]
            self.fields["period"].choices = [  # type: ignore[attr-defined]
                c for c in PeriodKind.choices if c[0] != PeriodKind.CUSTOM
            ]
        if self.instance.pk:
            chosen = list(self.instance.sections.all())
            self.initial.setdefault("sections", [s.kind for s in chosen])
            kpis: list[str] = next((s.kpis for s in chosen if s.kind == SectionKind.KPIS), [])
            self.initial.setdefault("kpis", kpis)

    def clean(self) -> dict[str, Any]:
        from liant.analytics.reports import span_of

        data = super().clean() or {}
        if self.instance.is_template:
            return data
        period, first, last = data.get("period"), data.get("starts_on"), data.get("ends_on")
        if not first:
            self.add_error("starts_on", _("Choose the first day."))
            return data
        if period == PeriodKind.CUSTOM:
            if not last:
                self.add_error("ends_on", _("Choose the last day."))
            elif last < first:
                self.add_error("ends_on", _("The last day comes before the first."))
            elif (last - first).days >= LONGEST_DAYS:
                self.add_error("ends_on", _("A report covers at most a year."))
        elif period:
            span = span_of(period, first)
            data["starts_on"], data["ends_on"] = span.start, span.end - timedelta(days=1)
        return data


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["template", "frequency", "members", "extra_emails", "active"]
        widgets = {
            "members": forms.CheckboxSelectMultiple,
            "extra_emails": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"extra_emails": _("One e-mail address a line, for people outside Liant.")}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Report.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, is_template=True
        )
        self.fields["members"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__workspace=workspace
        ).order_by("email")

    def clean_extra_emails(self) -> str:
        lines = [x.strip() for x in self.cleaned_data["extra_emails"].splitlines() if x.strip()]
        if len(lines) > MOST_ADDRESSES:
            raise ValidationError(_("At most %(n)s addresses.") % {"n": MOST_ADDRESSES})
        for line in lines:
            try:
                validate_email(line)
            except ValidationError as error:
                raise ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": line}
                ) from error
        return "\n".join(dict.fromkeys(lines))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("members") and not self.cleaned_data.get("extra_emails"):
            raise ValidationError(_("Choose at least one recipient."))
        return data
