"""API tokens and the stored answers of idempotent requests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.api.scopes import Scope
from liant.core.models import Workspace

TOKEN_PREFIX = "liant_"  # noqa: S105 - the visible start of every token, not a secret
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


def hash_token(clear: str) -> str:
    return hashlib.sha256(clear.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A key a program uses to call the REST API for one workspace.

    The clear token is shown once, when it is made; only its SHA-256 is kept, so a leaked
    database gives nobody access. The first characters stay in clear to tell tokens apart.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)  # "liant_" and the first characters
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls,
        workspace: Workspace,
        user: object,
        name: str,
        scope: str,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Make a token; returns (token, clear value to show once)."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            workspace=workspace,
            created_by=user,
            name=name,
            scope=scope,
            key_hash=hash_token(clear),
            prefix=clear[: len(TOKEN_PREFIX) + 6],
            expires_at=expires_at,
        )
        return token, clear

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def touch(self) -> None:
        """Note the use, at most once a minute (a busy token would write on every call)."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an Idempotency-Key, replayed for 24 hours.

    `status` is empty while the first request is still running: a second one with the same
    key then gets a 409 instead of acting twice.
    """

    KEEP = timedelta(hours=24)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    caller = models.CharField(max_length=40)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)  # method, path and body
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
