"""Forms that capture people, what they sent, and the leads handed on to sales."""

from __future__ import annotations

import secrets

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.animation.models import Contest, Meetup
from liant.core.fields import EncryptedTextField
from liant.core.models import Workspace
from liant.members.models import Member
from liant.newsletters.models import MailingList

# The fixed set a form may ask for. "email" is always asked: without it the person can be
# neither found again as a member nor answered.
STANDARD_FIELDS = ("name", "email", "company", "phone", "message")
MAX_CUSTOM_FIELDS = 5


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Purpose(models.TextChoices):
    CONTACT = "contact", _("Contact")
    LEAD = "lead", _("Lead")
    EVENT = "event", _("Event registration")
    NEWSLETTER = "newsletter", _("Newsletter sign-up")
    CONTEST = "contest", _("Contest entry")


class Form(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.CONTACT
    )
    # The public address: random, so forms cannot be enumerated by counting.
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    fields = models.JSONField(_("fields"), default=list, blank=True)  # subset of STANDARD_FIELDS
    custom_labels = models.JSONField(_("custom fields"), default=list, blank=True)
    consent_text_fr = models.TextField(_("consent text (French)"), blank=True)
    consent_text_en = models.TextField(_("consent text (English)"), blank=True)
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_(
            "One per line, e.g. https://www.example.com. Empty: any site may embed the form."
        ),
    )
    redirect_url = models.URLField(_("address after sending"), max_length=500, blank=True)
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    # What a submission joins, for the purposes that are not about selling: the list of a
    # newsletter sign-up (through its double opt-in), a contest, an event.
    mailing_list = models.ForeignKey(
        MailingList,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("newsletter list"),
    )
    contest = models.ForeignKey(
        Contest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contest"),
    )
    meetup = models.ForeignKey(
        Meetup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def asked(self) -> list[str]:
        """The standard fields in their fixed order, e-mail always among them."""
        chosen = set(self.fields or []) | {"email"}
        return [f for f in STANDARD_FIELDS if f in chosen]

    def consent_text(self, language: str) -> str:
        if language == "en":
            return self.consent_text_en or self.consent_text_fr
        return self.consent_text_fr or self.consent_text_en

    def origins(self) -> set[str]:
        return {
            line.strip().rstrip("/").lower()
            for line in self.allowed_origins.splitlines()
            if line.strip()
        }


class Submission(models.Model):
    """What was sent through a form, kept as sent: the proof behind the lead and the consent."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict)
    utm = models.JSONField(default=dict, blank=True)
    consent_text = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    origin = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.form} {self.created_at:%Y-%m-%d %H:%M}"


class Stage(models.TextChoices):
    NEW = "new", _("New")
    QUALIFIED = "qualified", _("Qualified")
    HANDED = "handed", _("Handed to sales")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class Lead(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.NEW)
    source = models.CharField(_("source"), max_length=150, blank=True)  # a form, a channel
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    utm_source = models.CharField(max_length=150, blank=True)
    utm_medium = models.CharField(max_length=150, blank=True)
    utm_campaign = models.CharField(max_length=150, blank=True)
    utm_term = models.CharField(max_length=150, blank=True)
    utm_content = models.CharField(max_length=150, blank=True)
    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    created_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "stage", "-created_at"])]

    def __str__(self) -> str:
        return self.name or self.email or f"#{self.pk}"


class StageChange(models.Model):
    """Every move on the board, kept: who moved the lead, when, from where to where."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=Stage.choices)
    by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} -> {self.to_stage}"


class LeadSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    sales_email = models.EmailField(
        _("sales address"),
        blank=True,
        help_text=_("Receives the hand-off e-mail when a lead has no owner."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    webhook_url = models.URLField(_("webhook address"), max_length=500, blank=True)
    # Encrypted at rest like network tokens: whoever reads the database must not be able to
    # forge deliveries the receiving system would trust.
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True, default="")

    def __str__(self) -> str:
        return f"leads settings {self.workspace_id}"

    @classmethod
    def of(cls, workspace_id: int) -> LeadSettings:
        settings, _created = cls.objects.get_or_create(workspace_id=workspace_id)
        return settings


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(StageChange, on_delete=models.CASCADE, related_name="deliveries")
    url = models.URLField(max_length=500)
    body = models.TextField()
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.url} {self.state}"
