"""Newsletter pages of a workspace: lists, subscribers, imports, campaigns, sending settings.

Every view needs "newsletters.manage"; every object is looked up with the workspace in the
filter, so an id from another workspace is a 404 like a missing one.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from liant.channels.models import Channel
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.models import Workspace
from liant.members.models import Segment
from liant.newsletters import abtest, rendering, segment_stats, sending, stats, subscriptions
from liant.newsletters.models import (
    Campaign,
    CampaignState,
    MailingList,
    Send,
    SendingSettings,
    SendState,
    Subscriber,
    SubscriberState,
)
from liant.newsletters.tasks import run_campaign

SHOWN = 200
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ListForm(forms.ModelForm):
    class Meta:
        model = MailingList
        fields = ["name", "description", "segment", "consent_text"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "consent_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["segment"].queryset = Segment.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class CampaignForm(forms.ModelForm):
    # The A/B test of the subject (abtest.py): other subjects, one per line, line n of the
    # French box going with line n of the English one.
    other_subjects_fr = forms.CharField(
        label=gettext_lazy("other subjects to test (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line. Leave empty to send a single subject."),
    )
    other_subjects_en = forms.CharField(
        label=gettext_lazy("other subjects to test (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, in the same order as the French ones."),
    )
    ab_share = forms.IntegerField(
        label=gettext_lazy("test share (%)"),
        min_value=2,
        max_value=100,
        initial=20,
        required=False,
        help_text=gettext_lazy(
            "Share of the list that receives the subjects under test, split evenly."
        ),
    )
    ab_wait_hours = forms.IntegerField(
        label=gettext_lazy("hours before choosing the subject"),
        min_value=1,
        max_value=72,
        initial=4,
        required=False,
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "mailing_list", "sender_name", "sender_address",
            "subject_fr", "preheader_fr", "body_fr", "subject_en", "preheader_en", "body_en",
            "track",
        ]  # fmt: skip
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 14}),
            "body_en": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args: object, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mailing_list"].queryset = MailingList.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        variants = self.instance.subject_variants or []
        for lang in ("fr", "en"):
            self.fields[f"other_subjects_{lang}"].initial = "\n".join(
                v.get(lang, "") for v in variants
            )
        if self.instance.pk:
            self.fields["ab_share"].initial = self.instance.ab_share
            self.fields["ab_wait_hours"].initial = int(
                self.instance.ab_wait.total_seconds() // 3600
            )

    def clean(self) -> dict:
        data = super().clean() or {}
        if not any((data.get(f"body_{lang}") or "").strip() for lang in ("fr", "en")):
            raise forms.ValidationError(_("Write the body in French, in English, or both."))
        for lang in ("fr", "en"):
            if (data.get(f"body_{lang}") or "").strip() and not data.get(f"subject_{lang}"):
                self.add_error(f"subject_{lang}", _("A version needs its subject."))
        others = {
            lang: [
                line.strip()
                for line in (data.get(f"other_subjects_{lang}") or "").splitlines()
                if line.strip()
            ]
            for lang in ("fr", "en")
            if (data.get(f"body_{lang}") or "").strip()
        }
        counts: set[int] = {len(lines) for lines in others.values()}
        most: int = max(counts, default=0)
        if len(counts) > 1:
            self.add_error(
                "other_subjects_en", _("Give as many other subjects in English as in French.")
            )
        elif most:
            if not data.get("track"):
                # The winner is chosen by clicks (abtest.py): without them there is nothing
                # to choose by, and switching them on is the author's decision, not ours.
                self.add_error(
                    "track", _("A subject test chooses by clicks: switch on their measure.")
                )
            if any(len(line) > 200 for lines in others.values() for line in lines):
                self.add_error(None, _("A subject is at most 200 characters."))
        self.variants = [
            {lang: lines[n] for lang, lines in others.items()}
            for n in range(most if len(counts) == 1 else 0)
        ]
        return data

    def save(self, commit: bool = True) -> Campaign:
        campaign = super().save(commit=False)
        campaign.subject_variants = self.variants
        campaign.ab_share = self.cleaned_data.get("ab_share") or 20
        campaign.ab_wait = timedelta(hours=self.cleaned_data.get("ab_wait_hours") or 4)
        if commit:
            campaign.save()
        return campaign


class SettingsForm(forms.ModelForm):
    smtp_password = forms.CharField(
        label=gettext_lazy("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Leave empty to keep the current one."),
    )
    imap_password = forms.CharField(
        label=gettext_lazy("IMAP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Leave empty to keep the current one."),
    )

    class Meta:
        model = SendingSettings
        fields = [
            "channel", "smtp_host", "smtp_port", "smtp_security", "smtp_username",
            "smtp_password", "per_minute", "bounce_address", "imap_host", "imap_port",
            "imap_security", "imap_username", "imap_password",
        ]  # fmt: skip

    def __init__(self, *args: object, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, kind="email"
        )

    def clean_smtp_password(self) -> str:
        return self.cleaned_data["smtp_password"] or self.instance.smtp_password

    def clean_imap_password(self) -> str:
        return self.cleaned_data["imap_password"] or self.instance.imap_password


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: email, consent_date, consent_text (required); name, language, "
            "consent_source. Rows without a consent date and wording are refused."
        ),
    )


class TestSendForm(forms.Form):
    address = forms.EmailField(label=gettext_lazy("Send a test to"))
    language = forms.ChoiceField(
        label=gettext_lazy("version"),
        choices=[("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))],
    )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        required=False,
        # The format a datetime-local input reads and writes (otherwise it shows empty).
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: send now."),
    )


def _list(request: WorkspaceRequest, pk: int) -> MailingList:
    return get_object_or_404(MailingList, pk=pk, workspace=request.workspace)


def _campaign(request: WorkspaceRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("mailing_list"), pk=pk, workspace=request.workspace
    )


@workspace_view("newsletters.manage")
def home(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    lists = MailingList.objects.filter(workspace=workspace).annotate(
        subscribed=Count("subscribers", filter=Q(subscribers__state=SubscriberState.SUBSCRIBED)),
        pending=Count("subscribers", filter=Q(subscribers__state=SubscriberState.PENDING)),
    )
    campaigns = Campaign.objects.filter(workspace=workspace).select_related("mailing_list")
    return render(
        request,
        "newsletters/home.html",
        {
            "lists": lists,
            "campaigns": campaigns,
            "configured": _configured(workspace.pk),
        },
    )


def _configured(workspace_id: int) -> bool:
    try:
        sending.target_for(workspace_id)
    except sending.NotConfigured:
        return False
    return True


@workspace_view("newsletters.manage")
def list_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = _list(request, pk) if pk else None
    form = ListForm(request.POST or None, instance=instance, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        mailing_list = form.save(commit=False)
        mailing_list.workspace = request.workspace
        mailing_list.save()
        return redirect("newsletters_list", ws=request.workspace.slug, pk=mailing_list.pk)
    return render(request, "newsletters/list_edit.html", {"form": form, "mailing_list": instance})


@workspace_view("newsletters.manage")
def list_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    mailing_list = _list(request, pk)
    subscribers = Subscriber.objects.filter(mailing_list=mailing_list)
    state = request.GET.get("state", "")
    if state in SubscriberState.values:
        subscribers = subscribers.filter(state=state)
    counts = dict(
        Subscriber.objects.filter(mailing_list=mailing_list)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return render(
        request,
        "newsletters/list_detail.html",
        {
            "mailing_list": mailing_list,
            "subscribers": subscribers.select_related("member")[:SHOWN],
            "counts": [(s, label, counts.get(s, 0)) for s, label in SubscriberState.choices],
            "state": state,
            "form_url": request.build_absolute_uri(
                reverse("newsletters_signup", args=[mailing_list.token])
            ),
        },
    )


@workspace_view("newsletters.manage")
@require_POST
def list_sync(request: WorkspaceRequest, pk: int) -> HttpResponse:
    mailing_list = _list(request, pk)
    added = subscriptions.sync_segment(mailing_list)
    messages.success(
        request,
        ngettext(
            "%(n)s member of the segment who agreed to newsletters was added.",
            "%(n)s members of the segment who agreed to newsletters were added.",
            added,
        )
        % {"n": added},
    )
    return redirect("newsletters_list", ws=request.workspace.slug, pk=pk)


@workspace_view("newsletters.manage")
def list_import(request: WorkspaceRequest, pk: int) -> HttpResponse:
    mailing_list = _list(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            data = upload.read().decode("utf-8-sig", "replace")
            report = subscriptions.import_csv(mailing_list, data, upload.name)
            audit.record(
                request,
                "newsletters.imported",
                target=mailing_list,
                file=upload.name,
                added=sum(1 for r in report if r.outcome == "added"),
                refused=sum(1 for r in report if r.outcome == "refused"),
            )
    return render(
        request,
        "newsletters/list_import.html",
        {
            "mailing_list": mailing_list,
            "form": form,
            "report": report,
            "added": sum(1 for r in report or [] if r.outcome == "added"),
            "refused": sum(1 for r in report or [] if r.outcome == "refused"),
        },
    )


@workspace_view("newsletters.manage")
def campaign_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    instance = _campaign(request, pk) if pk else None
    if instance is not None and instance.state not in (CampaignState.DRAFT, "scheduled"):
        messages.error(request, _("A campaign that has started sending cannot be changed."))
        return redirect("newsletters_campaign", ws=request.workspace.slug, pk=instance.pk)
    form = CampaignForm(request.POST or None, instance=instance, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.workspace = request.workspace
        campaign.save()
        return redirect("newsletters_campaign", ws=request.workspace.slug, pk=campaign.pk)
    return render(request, "newsletters/campaign_edit.html", {"form": form, "campaign": instance})


@workspace_view("newsletters.manage")
def campaign_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(
        request,
        "newsletters/campaign_detail.html",
        {
            "campaign": campaign,
            "stats": stats.of(campaign),
            "variants": abtest.figures(campaign) if campaign.subject_variants else [],
            "links": stats.clicks_per_link(campaign) if campaign.track else [],
            "segments": segment_stats.of(campaign)
            if campaign.state not in (CampaignState.DRAFT, CampaignState.SCHEDULED)
            else [],
            "unknown": Send.objects.filter(campaign=campaign, state=SendState.UNKNOWN)[:SHOWN],
            "failed": Send.objects.filter(campaign=campaign, state=SendState.FAILED)[:SHOWN],
            "test_form": TestSendForm(initial={"language": request.workspace.language}),
            "schedule_form": ScheduleForm(initial={"scheduled_at": campaign.scheduled_at}),
            "editable": campaign.state in (CampaignState.DRAFT, CampaignState.SCHEDULED),
            "configured": _configured(request.workspace.pk),
            "recipients": Subscriber.objects.filter(
                mailing_list=campaign.mailing_list, state=SubscriberState.SUBSCRIBED
            ).count(),
        },
    )


@workspace_view("newsletters.manage")
def campaign_csv(request: WorkspaceRequest, pk: int) -> StreamingHttpResponse:
    """One row per recipient with what happened to their message (the page's figures, person
    by person). The tracking token is left out: it would let anyone unsubscribe them."""
    campaign = _campaign(request, pk)
    header = [
        _("E-mail"), _("Language"), _("State"), _("Variant"), _("Sent"), _("Opened (approximate)"),
        _("Clicked"), _("Bounced"), _("Bounce status"), _("Unsubscribed"), _("Error"),
    ]  # fmt: skip
    rows = (
        [
            s.email, s.language, s.get_state_display(),
            "" if s.variant is None else s.variant, s.sent_at, s.opened_at, s.clicked_at,
            s.bounced_at, s.bounce_status, s.unsubscribed_at, s.error,
        ]
        for s in Send.objects.filter(campaign=campaign).order_by("pk").iterator(chunk_size=2000)
    )  # fmt: skip
    return csvexport.response(request.workspace, f"campaign-{campaign.pk}", header, rows)


@workspace_view("newsletters.manage")
def campaign_segments_csv(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The figures by segment and per link, as on the campaign's page."""
    campaign = _campaign(request, pk)
    rows = segment_stats.of(campaign)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-segments.csv"'
    response.write("\ufeff")  # so Excel reads the accents as UTF-8
    response.write(segment_stats.as_csv(campaign, rows))
    return response


@workspace_view("newsletters.manage")
def campaign_preview(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    language = request.GET.get("lang", "")
    if language not in ("fr", "en"):
        language = rendering.language_for(campaign, request.workspace.language)
    rendered = rendering.render(campaign, language, "#unsubscribe")
    return render(
        request,
        "newsletters/campaign_preview.html",
        {"campaign": campaign, "rendered": rendered, "language": language},
    )


@workspace_view("newsletters.manage")
@require_POST
def campaign_test(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give one valid e-mail address."))
    else:
        try:
            sending.send_test(campaign, form.cleaned_data["address"], form.cleaned_data["language"])
        except sending.NotConfigured:
            messages.error(request, _("Set up the SMTP server first."))
        except (OSError, smtplib.SMTPException) as exc:
            messages.error(
                request, _("The mail server refused the test: %(error)s") % {"error": exc}
            )
        else:
            messages.success(
                request, _("Test sent to %(address)s.") % {"address": form.cleaned_data["address"]}
            )
    return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)


@workspace_view("newsletters.manage")
@require_POST
def campaign_schedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if campaign.state not in (CampaignState.DRAFT, CampaignState.SCHEDULED):
        messages.error(request, _("This campaign has already been sent."))
        return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)
    if not _configured(request.workspace.pk):
        messages.error(request, _("Set up the SMTP server first."))
        return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)
    form = ScheduleForm(request.POST)
    when: datetime | None = form.cleaned_data["scheduled_at"] if form.is_valid() else None
    if when and when > timezone.now():
        campaign.state = CampaignState.SCHEDULED
        campaign.scheduled_at = when
        campaign.save(update_fields=["state", "scheduled_at"])
        audit.record(request, "newsletters.scheduled", target=campaign, at=when.isoformat())
        messages.success(request, _("Campaign scheduled."))
    else:
        count = sending.start(campaign)
        audit.record(request, "newsletters.sent", target=campaign, recipients=count)
        run_campaign(campaign.pk)
        messages.success(request, _("Sending has started."))
    return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)


@workspace_view("newsletters.manage")
@require_POST
def campaign_unschedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    Campaign.objects.filter(pk=campaign.pk, state=CampaignState.SCHEDULED).update(
        state=CampaignState.DRAFT
    )
    return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)


@workspace_view("newsletters.manage")
@require_POST
def campaign_resume(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Wake the workers for a campaign still sending (after a restart, say)."""
    campaign = _campaign(request, pk)
    if campaign.state == CampaignState.SENDING:
        run_campaign(campaign.pk)
        messages.success(request, _("Sending resumed."))
    return redirect("newsletters_campaign", ws=request.workspace.slug, pk=pk)


@workspace_view("newsletters.manage")
def settings_edit(request: WorkspaceRequest) -> HttpResponse:
    instance = SendingSettings.of(request.workspace.pk)
    form = SettingsForm(request.POST or None, instance=instance, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Which fields changed, never their values (a password is among them).
        audit.record(request, "newsletters.settings_saved", changed=sorted(form.changed_data))
        messages.success(request, _("Sending settings saved."))
        return redirect("newsletters_settings", ws=request.workspace.slug)
    return render(request, "newsletters/settings.html", {"form": form})
