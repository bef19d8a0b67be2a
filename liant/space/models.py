"""The community space: a workspace's own discussion place, hosted by Liant.

A space has categories set by the community manager; members open topics in them and reply
with posts. Members are `SpaceAccount`s (an e-mail address proven by a magic link), each tied
to a members.Member through an Identity of network "space", so the rest of Liant sees the
same person it sees on Mastodon or by e-mail. What members write reaches the other modules
as channels.Event rows of the workspace's "space" channel (see connector.py).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.space.markup import render

DEFAULT_POSTS_PER_MINUTE = 3


class Space(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="space")
    enabled = models.BooleanField(_("open to the public"), default=False)
    title = models.CharField(_("title"), max_length=150)
    welcome_fr = models.TextField(_("welcome text in French (Markdown)"), blank=True)
    welcome_en = models.TextField(_("welcome text in English (Markdown)"), blank=True)
    posts_per_minute = models.PositiveSmallIntegerField(
        _("posts per minute per member"),
        default=DEFAULT_POSTS_PER_MINUTE,
        help_text=_("A member who posts faster is asked to wait."),
    )
    # The channel through which everything members write reaches the other modules.
    channel = models.OneToOneField(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("community space")
        verbose_name_plural = _("community spaces")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("space_home", kwargs={"slug": self.workspace.slug})

    def welcome(self, language: str | None = None) -> str:
        language = (language or get_language() or "fr")[:2]
        first, second = (
            (self.welcome_en, self.welcome_fr)
            if language == "en"
            else (self.welcome_fr, self.welcome_en)
        )
        return first or second

    @property
    def slug(self) -> str:
        return self.workspace.slug


class Category(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("space_category", kwargs={"slug": self.space.slug, "pk": self.pk})


class SpaceAccount(models.Model):
    """A member of the public in one space: another space's accounts are other rows, so an
    account of one workspace's space has no rights in another's."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="accounts")
    email = models.EmailField(_("e-mail"), blank=True)  # empty only for the brand's account
    display_name = models.CharField(_("display name"), max_length=80)
    language = models.CharField(
        _("language"), max_length=8, choices=django_settings.LANGUAGES, default="fr"
    )
    # Posts from Liant (inbox replies, announcements) appear under this account, as the brand.
    staff = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The charter version accepted when joining, turned into a members.Consent once the
    # address is confirmed (a Consent needs the member, who exists from then on).
    charter_version = models.PositiveIntegerField(null=True, blank=True)
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    # Part of every magic link: signing in changes it, so a link works once.
    signed_in_at = models.DateTimeField(null=True, blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    muted_at = models.DateTimeField(null=True, blank=True)
    banned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("space account")
        verbose_name_plural = _("space accounts")
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "email"],
                condition=~Q(email=""),
                name="space_account_email_once",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def remote_id(self) -> str:
        """How the space connector names the account (an Identity's key). Prefixed, because
        moderation compares authors across all of a workspace's channels: a bare number
        would be taken for the Mastodon account with the same id."""
        return f"account:{self.pk}"

    @property
    def can_post(self) -> bool:
        return self.confirmed_at is not None and not self.muted_at and not self.banned_at


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    author = models.ForeignKey(SpaceAccount, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    pinned = models.BooleanField(_("pinned"), default=False)
    announcement = models.BooleanField(_("announcement"), default=False)
    hidden = models.BooleanField(default=False)  # its first post was hidden or deleted
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        indexes = [models.Index(fields=["category", "-pinned", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("space_topic", kwargs={"slug": self.category.space.slug, "pk": self.pk})


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(SpaceAccount, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(_("message"))  # Markdown, as written
    body_html = models.TextField(editable=False)  # rendered and sanitized on save
    # The post this one answers or quotes (a reply from the inbox names the message it answers).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)  # the words are gone for good
    # A reply sent from Liant with the same key is the same post (a retried send never doubles).
    idempotency_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.body_html = render(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    @property
    def remote_id(self) -> str:
        return f"post:{self.pk}"

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None
