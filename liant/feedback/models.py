"""Feedback: verbatims (a member's exact words, kept), the idea box with votes, the status
notices sent back to the people behind an idea, and the community manager's private notebook.

A verbatim copies what it quotes at the moment it is kept: the source message or mention can
be erased later (a GDPR request, a purge), and a report must still say what was said, by
whom, where and when. The links to the source and to the member are kept too, but nullable:
losing the source leaves the copy intact.
"""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liant.core.models import Workspace


def new_key() -> str:
    return uuid.uuid4().hex


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Theme(models.Model):
    """A tag for what feedback is about (delivery, taste, packaging…)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="feedback_theme_once")
        ]

    def __str__(self) -> str:
        return self.name


class Collection(models.Model):
    """Verbatims gathered for a report (printed, or exported for a spreadsheet)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="feedback_collection_once")
        ]

    def __str__(self) -> str:
        return self.name


class Verbatim(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # The copy, as it was when kept.
    text = models.TextField(_("exact words"))
    author_name = models.CharField(_("author"), max_length=300, blank=True)
    channel_name = models.CharField(_("channel"), max_length=150, blank=True)
    network = models.CharField(_("network"), max_length=40, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    said_at = models.DateTimeField(_("said on"))
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Where it came from, while that still exists.
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verbatims",
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="verbatims")
    departments = models.ManyToManyField(
        "inbox.Department", blank=True, related_name="verbatims", verbose_name=_("departments")
    )
    collections = models.ManyToManyField(Collection, blank=True, related_name="verbatims")
    kept_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kept_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verbatim")
        verbose_name_plural = _("verbatims")
        ordering = ["-said_at", "-id"]
        constraints = [
            # One click or ten: a message or a mention is kept once.
            models.UniqueConstraint(
                fields=["workspace", "message"],
                condition=models.Q(message__isnull=False),
                name="feedback_verbatim_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["workspace", "mention"],
                condition=models.Q(mention__isnull=False),
                name="feedback_verbatim_once_per_mention",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "-said_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class IdeaStatus(models.TextChoices):
    # With a context: French agrees the words with "idée" (feminine), unlike the inbox's
    # "Received" (a message, masculine).
    RECEIVED = "received", pgettext_lazy("idea status", "Received")
    UNDER_REVIEW = "under_review", pgettext_lazy("idea status", "Under review")
    PLANNED = "planned", pgettext_lazy("idea status", "Planned")
    SHIPPED = "shipped", pgettext_lazy("idea status", "Shipped")
    DECLINED = "declined", pgettext_lazy("idea status", "Declined")


class Idea(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=IdeaStatus.choices, default=IdeaStatus.RECEIVED
    )
    # Shown on the public idea page and sent to proposers and voters with the status.
    public_reason = models.TextField(_("public reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    department = models.ForeignKey(
        "inbox.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        verbose_name=_("department"),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="ideas")
    # Where it was said, when it came from a message or a mention (copied like a verbatim's).
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_url = models.URLField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A duplicate stays as a row pointing at the idea it was merged into, hidden from lists.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.title


class Backer(models.Model):
    """A member behind an idea (proposer or voter), and how they reached us: the channel and
    the event they used is where the status will be sent back."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        "members.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "channels.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Proposer(Backer):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="proposers")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "member"], name="feedback_proposer_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.idea_id}"


class Vote(Backer):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "member"], name="feedback_one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ✓ {self.idea_id}"


class NoticeState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class StatusNotice(models.Model):
    """Telling one person that an idea they backed changed status: one row per person and
    status, created before anything is sent, so nobody is told the same thing twice."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="notices")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        "members.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "channels.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=14, choices=IdeaStatus.choices)
    text = models.TextField()  # written once, in the member's language, sent as is
    state = models.CharField(max_length=8, choices=NoticeState.choices, default=NoticeState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    # Sent with every attempt: a network that honours it never delivers a retry twice, and
    # an e-mail keeps one Message-ID.
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "member", "status"], name="feedback_notice_once"
            )
        ]
        indexes = [models.Index(fields=["state", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.idea_id} {self.status} → {self.member_id}"


class NotebookNote(models.Model):
    """The community manager's own note or idea: only its author ever sees it."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        IDEA = "idea", _("Idea")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["workspace", "author", "-updated_at"])]

    def __str__(self) -> str:
        return self.text[:40]
