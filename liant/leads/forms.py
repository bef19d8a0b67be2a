"""Staff-side forms: a capture form's settings, a lead's details, the workspace's settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liant.animation.models import Contest, Meetup
from liant.channels.models import Channel
from liant.connectors.base import ConnectorError
from liant.connectors.urlsafety import check_url
from liant.core.models import User, Workspace
from liant.leads.models import (
    MAX_CUSTOM_FIELDS,
    STANDARD_FIELDS,
    Form,
    Lead,
    LeadSettings,
    Purpose,
)
from liant.newsletters.models import MailingList

FIELD_LABELS = {
    "name": _("Name"),
    "email": _("E-mail"),
    "company": _("Company"),
    "phone": _("Phone"),
    "message": _("Message"),
}


def http_only(value: str) -> None:
    # A javascript: or data: address after sending would run in the visitor's browser.
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError(_("Only http and https addresses can be used."))


class CaptureFormForm(forms.ModelForm):
    redirect_url = forms.URLField(
        label=_("address after sending"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Empty: a thank-you page of Liant."),
    )
    fields_asked = forms.MultipleChoiceField(
        label=_("Fields"),
        choices=[(k, FIELD_LABELS[k]) for k in STANDARD_FIELDS if k != "email"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The e-mail address is always asked."),
    )
    custom = forms.CharField(
        label=_("Custom fields"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One label per line, at most five."),
    )

    class Meta:
        model = Form
        fields = [
            "name",
            "purpose",
            "consent_text_fr",
            "consent_text_en",
            "allowed_origins",
            "redirect_url",
            "campaign",
            "mailing_list",
            "contest",
            "meetup",
        ]
        widgets = {
            "consent_text_fr": forms.Textarea(attrs={"rows": 2}),
            "consent_text_en": forms.Textarea(attrs={"rows": 2}),
            "allowed_origins": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["redirect_url"].validators.append(http_only)
        # Only the workspace's own lists, contests and events can be joined through its forms.
        self.fields["mailing_list"].queryset = MailingList.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["contest"].queryset = Contest.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["meetup"].queryset = Meetup.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["mailing_list"].help_text = _(
            "Newsletter sign-up: the person receives a link to confirm (double opt-in)."
        )
        if self.instance.pk:
            self.initial["fields_asked"] = [f for f in self.instance.fields if f != "email"]
            self.initial["custom"] = "\n".join(self.instance.custom_labels)
        else:
            self.initial["fields_asked"] = ["name", "message"]

    def clean_custom(self) -> list[str]:
        labels = [line.strip()[:100] for line in self.cleaned_data["custom"].splitlines()]
        labels = [label for label in labels if label]
        if len(labels) > MAX_CUSTOM_FIELDS:
            raise forms.ValidationError(_("At most five custom fields."))
        return labels

    def clean_allowed_origins(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines()]
        for line in lines:
            if line and not line.lower().startswith(("http://", "https://")):
                raise forms.ValidationError(
                    _("Each origin starts with http:// or https://, e.g. https://www.example.com")
                )
        return "\n".join(line for line in lines if line)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = data.get("purpose")
        if purpose == Purpose.NEWSLETTER:
            if not data.get("mailing_list"):
                self.add_error("mailing_list", _("Choose the list people sign up to."))
            if not (data.get("consent_text_fr") or data.get("consent_text_en")):
                # The words are the proof of consent: a sign-up needs them.
                self.add_error("consent_text_fr", _("A newsletter sign-up needs its consent text."))
        if purpose == Purpose.CONTEST and not data.get("contest"):
            self.add_error("contest", _("Choose the contest people enter."))
        return data

    def save(self, commit: bool = True) -> Form:
        form = super().save(commit=False)
        form.fields = ["email", *self.cleaned_data["fields_asked"]]
        form.custom_labels = self.cleaned_data["custom"]
        if commit:
            form.save()
        return form


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["name", "email", "company", "phone", "owner", "value", "campaign", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__workspace=workspace
        ).order_by("email")


class NewLeadForm(LeadForm):
    """A lead met elsewhere than on a form: in a conversation on a channel, at a fair."""

    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        help_text=_("Where the person was met, if on one of the workspace's channels."),
    )
    other_source = forms.CharField(
        label=_("Other source"), max_length=100, required=False, help_text=_("e.g. a trade fair")
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        )

    def source(self) -> str:
        channel = self.cleaned_data.get("channel")
        if channel is not None:
            return f"channel: {channel.name}"[:150]
        return self.cleaned_data.get("other_source", "")


class SettingsForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=_("webhook address"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = LeadSettings
        fields = ["sales_email", "currency", "webhook_url", "webhook_secret"]
        widgets = {"webhook_secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["webhook_secret"].required = False
        self.fields["webhook_secret"].help_text = _("Leave empty to keep the current secret.")

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("A three-letter code, e.g. EUR."))
        return value

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"]
        if url:
            try:
                check_url(url)  # said now, not only when the first delivery fails
            except ConnectorError as exc:
                raise forms.ValidationError(str(exc)) from None
        return url

    def clean_webhook_secret(self) -> str:
        return self.cleaned_data["webhook_secret"] or self.instance.webhook_secret

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Unsigned deliveries could not be told from forged ones by the receiver.
        if data.get("webhook_url") and not data.get("webhook_secret"):
            self.add_error("webhook_secret", _("A secret is needed to sign the deliveries."))
        return data
