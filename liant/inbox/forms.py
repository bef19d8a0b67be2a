from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.core.models import User, Workspace
from liant.core.permissions import Role, role_has
from liant.inbox.models import (
    Department,
    Label,
    Priority,
    RoutingRule,
    SavedReply,
    SlaPolicy,
    Status,
)
from liant.members.models import Member, Segment


def inbox_people(workspace: Workspace) -> Any:
    """The workspace's people who may read the inbox: the only ones work can go to."""
    roles = [r for r in Role if role_has(r, "inbox.view")]
    return User.objects.filter(
        memberships__workspace=workspace, memberships__role__in=roles, is_active=True
    ).order_by("name", "email")


class ConversationForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    snoozed_until = forms.DateTimeField(
        label=_("Snoozed until"),
        required=False,
        # The format a datetime-local input shows; Django's default has a space and seconds.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"),
        queryset=Label.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_label = forms.CharField(label=_("New label"), max_length=60, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = inbox_people(workspace)  # type: ignore[attr-defined]
        self.fields["labels"].queryset = Label.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.SNOOZED:
            until = data.get("snoozed_until")
            if until is None or until <= timezone.now():
                self.add_error("snoozed_until", _("Snooze until a time in the future."))
        return data


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Only your team sees it. @name tells a teammate."),
    )


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["name", "text_fr", "text_en"]
        help_texts = {
            "text_fr": _("Variables: {member_name}, {channel}, {agent_name}."),
        }


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "email", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__workspace=workspace, is_active=True
        ).order_by("name", "email")


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "position",
            "active",
            "channel",
            "keywords",
            "language",
            "sentiment",
            "first_message_only",
            "segment",
            "assign_to",
            "add_label",
            "set_priority",
            "department",
            "auto_reply",
            "stop",
        ]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        f["assign_to"].queryset = inbox_people(workspace)  # type: ignore[attr-defined]
        f["add_label"].queryset = Label.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        f["department"].queryset = Department.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        f["auto_reply"].queryset = SavedReply.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        f["segment"].queryset = Segment.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class RuleTestForm(forms.Form):
    text = forms.CharField(label=_("Sample message"), widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    first = forms.BooleanField(label=_("First message of a conversation"), required=False)
    member = forms.ModelChoiceField(
        label=_("Written by (for rules on a segment)"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.NumberInput,
        help_text=_("The member's number, as in the address of their page."),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["member"].queryset = Member.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class SlaPolicyForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (1, _("Monday")),
            (2, _("Tuesday")),
            (3, _("Wednesday")),
            (4, _("Thursday")),
            (5, _("Friday")),
            (6, _("Saturday")),
            (7, _("Sunday")),
        ],
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, as 2026-12-25."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "business_hours_only",
            "opens_at",
            "closes_at",
            "weekdays",
            "holidays",
        ]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}),
            "closes_at": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance is not None:
            self.initial["weekdays"] = self.instance.weekdays or [1, 2, 3, 4, 5]
            self.initial["holidays"] = "\n".join(self.instance.holidays or [])

    def clean_holidays(self) -> list[str]:
        days = []
        for line in self.cleaned_data.get("holidays", "").split():
            try:
                days.append(date.fromisoformat(line.strip()).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date like 2026-12-25."), params={"value": line}
                ) from None
        return sorted(set(days))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", _("Closing time must come after opening time."))
        return data
