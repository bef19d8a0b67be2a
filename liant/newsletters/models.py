"""Newsletters: lists, subscribers (one row per list and member), campaigns and one send row
per recipient, which is what makes "each recipient at most once" hold across worker crashes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.core.fields import EncryptedTextField
from liant.core.models import Workspace
from liant.members.models import Member, Segment


def _token() -> str:
    return secrets.token_urlsafe(12)


def default_consent_text() -> str:
    # A plain string in the language of whoever creates the list: it is a proof, so it must
    # be stored as words, never as a translation that could change later.
    return str(_("I agree to receive this newsletter by e-mail. I can unsubscribe at any time."))


def _send_token() -> str:
    # Goes into the VERP Return-Path and the Message-ID: lowercase hex survives any mail
    # server that folds the case of a local part.
    return secrets.token_hex(10)


class Security(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS")
    SSL = "ssl", _("SSL/TLS")
    NONE = "none", _("None (local relay only)")


class SendingSettings(models.Model):
    """How a workspace sends newsletters: its own SMTP relay, or an e-mail channel's."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("use the SMTP server of this e-mail channel"),
    )
    smtp_host = models.CharField(_("SMTP host"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("security"), max_length=8, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("user name"), max_length=255, blank=True)
    smtp_password = EncryptedTextField(_("password"), blank=True, default="")
    per_minute = models.PositiveIntegerField(
        _("messages per minute"),
        default=600,
        help_text=_("Most relays limit the rate; going above it gets mail deferred or refused."),
    )
    bounce_address = models.EmailField(
        _("bounce address"),
        blank=True,
        help_text=_(
            "Return-Path of every newsletter; bounces+<token>@ must reach this mailbox "
            "(plus addressing), so each bounce is matched to its recipient."
        ),
    )
    imap_host = models.CharField(_("bounce mailbox IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=8, choices=Security.choices, default=Security.SSL
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    imap_password = EncryptedTextField(_("IMAP password"), blank=True, default="")
    imap_last_uid = models.PositiveBigIntegerField(default=0)
    imap_uidvalidity = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"sending settings of {self.workspace_id}"

    @classmethod
    def of(cls, workspace_id: int) -> SendingSettings:
        found, _created = cls.objects.get_or_create(workspace_id=workspace_id)
        return found


class MailingList(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    segment = models.ForeignKey(
        Segment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fed from the segment"),
        help_text=_("Members of the segment who agreed to receive newsletters join the list."),
    )
    consent_text = models.TextField(
        _("consent wording"),
        default=default_consent_text,
        help_text=_("Shown on the sign-up form and kept, word for word, with each consent."),
    )
    # The public sign-up form's address: random, so lists cannot be enumerated.
    token = models.CharField(max_length=32, unique=True, default=_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")

    def __str__(self) -> str:
        return self.name


class SubscriberState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    SUBSCRIBED = "subscribed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Complained")


# States an import or a segment must never turn back into "subscribed": the person said no,
# or the address does not work.
SUPPRESSED = {SubscriberState.UNSUBSCRIBED, SubscriberState.BOUNCED, SubscriberState.COMPLAINED}


class Subscriber(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscribers"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail"))
    state = models.CharField(
        max_length=12, choices=SubscriberState.choices, default=SubscriberState.PENDING
    )
    source = models.CharField(max_length=200, blank=True)
    # What the person saw and where from, kept until they confirm (then copied to a Consent).
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    requested_text = models.TextField(blank=True)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    soft_bounces = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "member"], name="subscriber_once_per_list"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "email"]),
            models.Index(
                fields=["workspace", "unsubscribed_at"],
                condition=Q(unsubscribed_at__isnull=False),
                name="subscriber_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.state})"


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class Campaign(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("list")
    )
    name = models.CharField(_("internal name"), max_length=150)
    sender_name = models.CharField(_("sender name"), max_length=150)
    sender_address = models.EmailField(_("sender address"))
    subject_fr = models.CharField(_("subject (French)"), max_length=200, blank=True)
    preheader_fr = models.CharField(_("preheader (French)"), max_length=200, blank=True)
    body_fr = models.TextField(_("body in French (Markdown)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    preheader_en = models.CharField(_("preheader (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body in English (Markdown)"), blank=True)
    state = models.CharField(max_length=10, choices=CampaignState.choices, default="draft")
    track = models.BooleanField(
        _("measure opens and clicks"),
        default=False,
        help_text=_(
            "Off by default: a tracking pixel and rewritten links tell you when each person "
            "reads and what they click, which they did not agree to. Figures are approximate."
        ),
    )
    # A/B test of the subject (see abtest.py): other subjects beside the campaign's own,
    # [{"fr": …, "en": …}, …]; variant 0 is subject_fr/subject_en, variant n is entry n-1.
    subject_variants = models.JSONField(default=list, blank=True)
    ab_share = models.PositiveSmallIntegerField(
        _("test share (%)"),
        default=20,
        help_text=_("Share of the list that receives the subjects under test, split evenly."),
    )
    ab_wait = models.DurationField(
        _("wait before choosing"),
        default=timedelta(hours=4),
        help_text=_("After this wait the subject with the most people clicking goes to the rest."),
    )
    ab_winner = models.PositiveSmallIntegerField(null=True, blank=True)
    ab_decided_at = models.DateTimeField(null=True, blank=True)
    # {"fr": [url, …], "en": […]}: what the click counter may redirect to, fixed at sending.
    tracked_links = models.JSONField(default=dict, blank=True)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why the last run could not reach the SMTP server (in English, like other logs).
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name

    @property
    def ab_testing(self) -> bool:
        return bool(self.subject_variants) and self.ab_share > 0

    def variant_subject(self, variant: int, language: str) -> str:
        """The subject of one variant in one language (variant 0: the campaign's own)."""
        if variant == 0 or variant > len(self.subject_variants):
            return getattr(self, f"subject_{language}") or self.subject_fr or self.subject_en
        other = self.subject_variants[variant - 1]
        return other.get(language) or other.get("fr") or other.get("en") or ""

    def languages(self) -> list[str]:
        return [lang for lang in ("fr", "en") if getattr(self, f"body_{lang}").strip()]


class SendState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (left the list before their turn)")
    # Claimed, then the worker vanished: the mail may or may not have left. Never resent.
    UNKNOWN = "unknown", _("Unknown (worker stopped; not resent)")
    # Outside the A/B test sample: waits for the winning subject (then queued).
    HELD = "held", _("Waiting for the subject test")


class Send(models.Model):
    """One recipient of one campaign. Claimed (queued -> sending) before the SMTP call, in a
    batch that a SendProgress row follows (see sending.py)."""

    # No index of its own: the (campaign, email) and (campaign, state, …) ones start with it.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="sends", db_index=False
    )
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="sends"
    )
    email = models.EmailField()
    language = models.CharField(max_length=8)
    state = models.CharField(max_length=8, choices=SendState.choices, default=SendState.QUEUED)
    token = models.CharField(max_length=32, unique=True, default=_send_token)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The batch that claimed the row: SendProgress.token (no foreign key: the progress table
    # is unlogged on PostgreSQL, and a logged table cannot reference an unlogged one).
    claim = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_status = models.CharField(max_length=16, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # approximate, see tracking.py
    clicked_at = models.DateTimeField(null=True, blank=True)
    # The subject this copy carries, set only for the rows of an A/B test sample; the rest
    # get the campaign's winner (ab_winner) and keep None, so each variant's figures are
    # counted on its sample alone.
    variant = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="send_once_per_address")
        ]
        indexes = [
            # The rows still to send, which the workers look for. Partial (written as an OR, which
            # SQLite matches to "state = 'queued'"): a claim or completion moves a row out of it
            # instead of rewriting an entry (a 500-row claim: 36 -> 22 ms on PostgreSQL).
            models.Index(
                fields=["campaign", "state", "next_attempt_at"],
                condition=Q(state="queued") | Q(state="held"),
                name="send_due",
            ),
            # The KPIs read a day of copies by when they left or bounced (newsletters/kpis.py):
            # without these, each day of a roll-up read every copy ever sent. Partial, so the
            # queued copies of a campaign being sent are not in them.
            models.Index(
                fields=["sent_at"], condition=Q(sent_at__isnull=False), name="send_sent_at"
            ),
            models.Index(
                fields=["bounced_at"], condition=Q(bounced_at__isnull=False), name="send_bounced_at"
            ),
            # The rows in flight: the minute sweep reads them all (without this, the whole
            # table), and "is the campaign done?" those of one campaign.
            models.Index(
                fields=["campaign", "claimed_at"],
                condition=Q(state="sending"),
                name="send_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} -> {self.email} ({self.state})"


class SendProgress(models.Model):
    """A worker's batch of claimed rows, and the row it is handing to the mail server now.

    Rows of the batch before `handing` (in primary key order) have had the server's final
    answer; `handing` may have left; the rows after it have not been touched. Updated before
    each message, so on PostgreSQL the table is UNLOGGED (migration 0004): no WAL, so no disk
    flush per message, and a crash of the database empties it, which is exactly when its
    contents could be older than the mail that left. A batch whose row is missing is treated
    as wholly uncertain (sending.sweep).
    """

    token = models.BigIntegerField(primary_key=True)
    campaign_id = models.BigIntegerField()
    handing = models.BigIntegerField(null=True, blank=True)
    moved_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"batch {self.token} of campaign {self.campaign_id} at {self.handing}"


class ClaimLog(models.Model):
    """How many rows a batch claimed, and when: the per-minute throttle adds up the last
    minute's batches (a few rows) instead of counting the workspace's copies (all of them,
    once per batch: a scan that grows with every campaign ever sent). Rows older than an hour
    are deleted by the sweep."""

    token = models.BigIntegerField(primary_key=True)  # the batch's, as in SendProgress
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    at = models.DateTimeField()
    size = models.PositiveIntegerField()  # less the rows the batch gave back untouched

    class Meta:
        indexes = [models.Index(fields=["workspace", "at"], name="claimlog_recent")]

    def __str__(self) -> str:
        return f"{self.size} at {self.at}"


class Click(models.Model):
    """One click on a link of a tracked campaign (only when the campaign measures them)."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.url
