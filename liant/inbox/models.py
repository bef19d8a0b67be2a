"""The inbox: conversations grouped from stored events, their messages, notes and replies,
and what shapes the queue (labels, saved replies, departments, routing rules, SLA policy)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel, Event
from liant.core.models import Workspace
from liant.text import fold


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    CLOSED = "closed", _("Closed")


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Label(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_label_once")
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A team outside community management (after-sales, sales, HR…) that routing hands to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    members = models.ManyToManyField(
        django_settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_department_once")
        ]

    def __str__(self) -> str:
        return self.name


class SavedReply(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    text_fr = models.TextField(_("French text"), blank=True)
    text_en = models.TextField(_("English text"), blank=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="inbox_saved_reply_once")
        ]

    def __str__(self) -> str:
        return self.name

    def text_for(self, language: str) -> str:
        """The version in the member's language, else whichever one was written."""
        if language == "en":
            return self.text_en or self.text_fr
        return self.text_fr or self.text_en


class Conversation(models.Model):
    """A thread on one channel, or everything one person sent privately on one channel."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    # "thread:<remote id of the thread's root>" or "person:<author's remote id>"
    key = models.CharField(max_length=520)
    contact_remote_id = models.CharField(max_length=500, blank=True)
    contact_handle = models.CharField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("department"),
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="+", verbose_name=_("labels"))
    # Of the newest inbound message: what the filters read without joining messages.
    language = models.CharField(max_length=16, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    awaiting_reply = models.BooleanField(default=True)  # the member spoke last
    message_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # SLA deadlines, set from the workspace's policy when the clock starts.
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "channel", "key"], name="inbox_conversation_once"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-last_activity_at", "-id"]),
            models.Index(fields=["workspace", "status", "-last_activity_at"]),
            models.Index(fields=["status", "snoozed_until"]),
            # The KPIs read one day at a time by each of these dates (liant/inbox/kpis.py):
            # without them every day of a roll-up and every dashboard read the whole table.
            models.Index(fields=["workspace", "created_at"], name="inbox_conv_created"),
            models.Index(fields=["workspace", "first_response_at"], name="inbox_conv_answered"),
            models.Index(fields=["workspace", "first_response_due"], name="inbox_conv_due"),
            models.Index(fields=["workspace", "closed_at"], name="inbox_conv_closed"),
        ]

    def __str__(self) -> str:
        return self.subject or self.contact_name or self.contact_handle or f"#{self.pk}"

    @property
    def contact(self) -> str:
        return self.contact_name or self.contact_handle or self.contact_remote_id

    def sla_due(self) -> tuple[str, Any] | None:
        """The deadline that matters now: (kind, when), or None."""
        if self.status == Status.CLOSED:
            return None
        if self.first_response_at is None and self.first_response_due:
            return ("first_response", self.first_response_due)
        if self.awaiting_reply and self.next_response_due:
            return ("next_response", self.next_response_due)
        if self.resolution_due:
            return ("resolution", self.resolution_due)
        return None


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class SendState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message of a conversation: an inbound event, or a reply sent from Liant."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox_message"
    )
    author_name = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # from the event: sanitized with nh3 when stored
    # What full-text search reads: text and author folded (case, accents) the one way
    # liant.text folds, so SQLite and PostgreSQL find "cafe" in "Café" alike.
    search_text = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=16, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(default=0.0)
    occurred_at = models.DateTimeField(default=timezone.now)
    # Inbound: when the author last edited it on the network (grouping.apply_edit); its
    # text is the latest version, a note keeps the one before.
    edited_at = models.DateTimeField(null=True, blank=True)
    # Replies only.
    sent_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    automatic = models.BooleanField(default=False)  # an auto-reply of a routing rule
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=8, choices=SendState.choices, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_url = models.URLField(max_length=1000, blank=True)
    last_error = models.TextField(blank=True)
    # Made once with the reply and sent with every attempt: a retry is never a second reply
    # on networks that honour it, and an e-mail keeps the same Message-ID.
    idempotency_key = models.CharField(
        max_length=64, unique=True, default=new_idempotency_key, editable=False
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "occurred_at"]),
            models.Index(fields=["state", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = searchable(self.text, self.author_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"text", "author_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


def searchable(text: str, author: str = "") -> str:
    return fold(f"{text} {author}")


class Note(models.Model):
    """Internal: the team's words about a conversation, never sent to the member."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    mentioned = models.ManyToManyField(
        django_settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    # A department's answer by e-mail (department_mail.py): who answered, and the stored
    # e-mail it came from, once.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=300, blank=True)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_note"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Notification(models.Model):
    """In-app: someone mentioned you, or a conversation was routed to you."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "workspace", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.conversation}"


class Presence(models.Model):
    """'I am writing a reply here', refreshed while someone types; it expires by itself."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="inbox_presence_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.conversation_id}"


class Cursor(models.Model):
    """The last stored event the grouping has read, per workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.last_event_id}"


class RoutingRule(models.Model):
    """Conditions (all must hold; an empty one always holds) → actions, in `position` order."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Conditions
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("channel")
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; any one of them is enough. Accents and case are ignored."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("fr", _("French")), ("en", _("English"))],
    )
    sentiment = models.CharField(
        _("sentiment"), max_length=10, blank=True, choices=Sentiment.choices
    )
    first_message_only = models.BooleanField(
        _("first message of a conversation only"), default=False
    )
    segment = models.ForeignKey(
        "members.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a rule must not silently widen when its segment goes
        verbose_name=_("the author is in the segment"),
        related_name="+",
    )
    # Actions
    assign_to = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assign to"),
    )
    add_label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("add the label")
    )
    set_priority = models.PositiveSmallIntegerField(
        _("set the priority"), null=True, blank=True, choices=Priority.choices
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("route to the department"),
    )
    auto_reply = models.ForeignKey(
        SavedReply,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("answer with the saved reply"),
    )
    stop = models.BooleanField(_("stop here when it matches"), default=False)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Response and resolution targets, counted in the workspace's business hours."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"), default=240)
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), default=480)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), default=2880)
    business_hours_only = models.BooleanField(_("count business hours only"), default=True)
    opens_at = models.TimeField(_("opens at"), default="09:00")
    closes_at = models.TimeField(_("closes at"), default="18:00")
    # ISO weekdays, 1 = Monday.
    weekdays = models.JSONField(_("working days"), default=list, blank=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)  # ["2026-12-25", …]

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return str(self.workspace)

    @classmethod
    def of(cls, workspace_id: int) -> SlaPolicy | None:
        return cls.objects.filter(workspace_id=workspace_id).first()


class SlaKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaBreach(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="breaches"
    )
    kind = models.CharField(max_length=16, choices=SlaKind.choices)
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind", "due_at"], name="inbox_breach_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.conversation_id}"


class BulkAction(models.Model):
    """One action on many conversations, with what it replaced so it can be undone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16)
    # [{"id": …, "status": …, "closed_at": …, "assignee_id": …, "label_added": bool}, …]
    before = models.JSONField(default=list)
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action} × {len(self.before)}"
