"""Channels (a connected account on one network) and what flows through them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.connectors import registry
from liant.connectors.base import render_detail
from liant.connectors.http import Exchange as ExchangeRecord
from liant.core.fields import EncryptedTextField
from liant.core.models import Workspace


class Health(models.TextChoices):
    OK = "ok", _("Working")
    RATE_LIMITED = "rate_limited", _("Rate-limited")
    AUTH_EXPIRED = "auth_expired", _("Sign-in expired")
    FAILING = "failing", _("Failing")
    DISCONNECTED = "disconnected", _("Disconnected")


class Channel(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("network"), max_length=32, choices=registry.choices)
    name = models.CharField(_("name"), max_length=150)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    credentials_json = EncryptedTextField(blank=True, default="")
    # Copied from the credentials' `expires_at` (they are encrypted, so not queryable) for the
    # hourly sweep that refreshes them in time; `expiry_warned_at` keeps its warning single.
    credentials_expire_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.OK)
    last_error = models.TextField(blank=True)  # in English: logs, admin, older rows
    # The same problem as template + values (ConnectorError.detail(), or a list of them), so
    # each reader sees it in their own language: the worker that stores it knows none.
    last_error_detail = models.JSONField(null=True, blank=True, default=None)
    last_error_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    fetch_interval = models.PositiveIntegerField(default=300)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    fetching_since = models.DateTimeField(null=True, blank=True)  # the per-channel lock
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return json.loads(self.credentials_json) if self.credentials_json else {}

    @credentials.setter
    def credentials(self, value: dict[str, Any]) -> None:
        from liant.connectors.oauth import expires_at

        self.credentials_json = json.dumps(value) if value else ""
        self.credentials_expire_at = expires_at(value or {})
        self.expiry_warned_at = None

    # Fields the `credentials` setter writes: save(update_fields=CREDENTIAL_FIELDS).
    CREDENTIAL_FIELDS = ("credentials_json", "credentials_expire_at", "expiry_warned_at")

    @property
    def last_error_display(self) -> str:
        """The last problem in the active language (the stored English when it cannot be)."""
        return render_detail(self.last_error_detail, self.last_error)

    @property
    def kind_label(self) -> str:
        return registry.KINDS.get(self.kind, (self.kind, ""))[0]


class ChannelRecorder:
    """The HttpClient's recorder for a stored channel: exchanges and rate limits in the DB."""

    def __init__(self, channel: Channel):
        self.channel = channel

    def record(self, exchange: ExchangeRecord) -> None:
        Exchange.objects.create(
            channel=self.channel,
            method=exchange.method,
            url=exchange.url[:1000],
            status=exchange.status,
            duration_ms=exchange.duration_ms,
            excerpt=exchange.excerpt,
            error=exchange.error[:1000],
            created_at=exchange.at,
        )

    def blocked_until(self) -> datetime | None:
        return self.channel.rate_limited_until

    def block_until(self, until: datetime) -> None:
        self.channel.rate_limited_until = until
        Channel.objects.filter(pk=self.channel.pk).update(rate_limited_until=until)


class Exchange(models.Model):
    """One HTTP exchange with a network, kept 30 days to explain failures."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="exchanges")
    method = models.CharField(max_length=10)
    url = models.CharField(max_length=1000)
    status = models.IntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    KEEP_DAYS = 30

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status}"

    @classmethod
    def prune(cls) -> int:
        deleted, _ = cls.objects.filter(
            created_at__lt=timezone.now() - timedelta(days=cls.KEEP_DAYS)
        ).delete()
        return deleted


class EventKindChoices(models.TextChoices):
    POST = "post", _("Post")
    COMMENT = "comment", _("Comment")
    MENTION = "mention", _("Mention")
    DIRECT_MESSAGE = "direct_message", _("Direct message")
    REACTION = "reaction", _("Reaction")
    FOLLOW = "follow", _("Follow")
    MEMBERSHIP = "membership", _("Membership")


class Event(models.Model):
    """Something that happened on a network, stored once in the shape every module reads."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="events")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKindChoices.choices)
    remote_id = models.CharField(max_length=500)
    author_remote_id = models.CharField(max_length=500, blank=True)
    author_handle = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(max_length=300, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitized with nh3 before it is stored
    url = models.URLField(max_length=1000, blank=True)
    parent_remote_id = models.CharField(max_length=500, blank=True)
    thread_remote_id = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=16, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "remote_id"], name="event_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["workspace", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.remote_id}"


class AudienceSample(models.Model):
    """How many followed a channel on one day of the workspace's time zone, as its connector's
    `audience()` said. One row per channel and day: collecting again that day rewrites it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="audience_samples"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="audience_samples")
    day = models.DateField(_("day"))
    followers = models.PositiveBigIntegerField(_("followers"))
    following = models.PositiveBigIntegerField(_("following"), null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # other counts: fans, posts, online…
    collected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="audience_once_per_day")
        ]
        indexes = [models.Index(fields=["workspace", "day"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}: {self.followers}"
