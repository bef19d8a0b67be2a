"""Posts, their variants (one per channel), their history, and the workspace's publishing
settings."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.connectors.base import render_detail
from liant.core.models import Workspace
from liant.publishing.states import FINAL, NEEDS_ATTENTION, State, check


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Recurrence(models.TextChoices):
    NONE = "", _("Once")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class Post(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Plain fields until the strategy app owns pillars and campaigns.
    pillar = models.CharField(_("content pillar"), max_length=100, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    recurrence = models.CharField(
        _("repeat"), max_length=8, choices=Recurrence.choices, default="", blank=True
    )
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    evergreen = models.BooleanField(
        _("evergreen"),
        default=False,
        help_text=_(
            "Put back in the queue once published, after the workspace's minimum interval."
        ),
    )
    # The post this one repeats (recurring) or puts back in the queue (evergreen). One-to-one:
    # a published post has at most one next occurrence, however many times the task runs.
    # Where the idea came from (a feed item, a mention): kept so the post can credit it.
    source_url = models.URLField(_("source"), max_length=1000, blank=True)
    follows = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        if self.title:
            return self.title
        # .all() uses the variants a list page prefetched; .first() would query per post.
        first = next(iter(self.variants.all()), None) if self.pk else None
        return (first.text[:60] if first else "") or f"#{self.pk}"

    def settle(self, actor: Any = None) -> None:
        """A scheduled post becomes published once every variant still meant to go is out."""
        if self.state != State.SCHEDULED:
            return
        # order_by(): a set needs no order, and the default one joins channels to sort.
        states = set(self.variants.order_by().values_list("state", flat=True))
        if states and states <= FINAL and State.PUBLISHED in states:
            move(self, State.PUBLISHED, actor=actor)


class Variant(models.Model):
    """What one channel publishes of a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="variants")
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    content_warning = models.CharField(_("content warning"), max_length=500, blank=True)
    # Follow-up texts published as answers to the post (a thread, or a first comment).
    thread = models.JSONField(default=list, blank=True)
    # Remote ids of the parts already out (the post first, then the follow-ups), each kept
    # as soon as it is out, so a failure half-way resumes after the last part, never before.
    parts_out = models.JSONField(default=list, blank=True)
    extras = models.JSONField(default=dict, blank=True)  # network options, see Draft.extras
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # When the publisher should next try: the scheduled time, or later after a retryable error.
    due_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    claimed_at = models.DateTimeField(null=True, blank=True)  # a worker took it
    sending_at = models.DateTimeField(null=True, blank=True)  # ... and is about to call out
    # The first time this key went to the network: how long it will still be honoured.
    first_sent_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)  # English, for logs and as a fallback
    # The same as a template and its values, shown in each reader's language.
    last_error_detail = models.JSONField(default=dict, blank=True)
    last_error_kind = models.CharField(max_length=16, blank=True)
    # Made once, when the variant is created, and sent with every attempt: networks that
    # honour it give back the first post instead of making a second.
    idempotency_key = models.CharField(
        max_length=64, unique=True, default=new_idempotency_key, editable=False
    )

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["post", "channel__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_variant_per_channel")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.channel}"

    @property
    def needs_attention(self) -> bool:
        return self.state in NEEDS_ATTENTION

    @property
    def last_error_display(self) -> str:
        """Why it did not go out, in the reader's language (the stored English otherwise)."""
        return render_detail(self.last_error_detail, self.last_error)


def media_path(instance: VariantMedia, filename: str) -> str:
    # One folder per workspace: a backup or an erasure can take a workspace's files alone.
    return f"posts/{instance.variant.post.workspace_id}/{uuid.uuid4().hex}/{filename}"


class VariantMedia(models.Model):
    """An image (or video) a variant publishes, stored as a file under the media storage.

    The bytes are read at publishing time, so a file replaced before then goes out as it is
    then; once the variant is out, its files are what the network has."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(_("file"), upload_to=media_path, max_length=300, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    alt_text = models.TextField(_("alternative text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Media library hook: an image chosen from the library has no file of its own here; the
    # publisher sends the item's rendition for the channel's network (liant.media.library).
    # PROTECT: a library file used by a post cannot vanish from under it.
    library_item = models.ForeignKey(
        "media.MediaItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variant_uses",
    )

    class Meta:
        verbose_name = _("media")
        verbose_name_plural = _("media")
        ordering = ["variant", "position", "id"]

    def __str__(self) -> str:
        if self.library_item_id and not self.file:
            return str(self.library_item)
        return (self.file.name or "").rsplit("/", 1)[-1]

    def read(self) -> bytes:
        source = self.file
        if self.library_item is not None and not self.file:
            source = self.library_item.file
        with source.open("rb") as handle:
            return handle.read()


class QueueSlot(models.Model):
    """A moment of the week a channel publishes at ("Tue 9:30"), in the workspace's zone."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField()  # Monday = 0, as datetime.weekday()
    time = models.TimeField()

    class Meta:
        ordering = ["channel", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "weekday", "time"], name="one_slot_per_time")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.weekday} {self.time:%H:%M}"


class ApprovalLink(models.Model):
    """A signed, expiring address an outside client uses to read a post, comment on it and
    approve it or ask for changes, without an account. The row makes it revocable and
    remembers what was decided through it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_links")
    name = models.CharField(_("client's name"), max_length=150)
    email = models.EmailField(_("client's e-mail"), blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, blank=True)  # approved | changes
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.post}"

    def usable(self, now: Any = None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class Comment(models.Model):
    """A remark on a post, by a teammate or by a client through an approval link."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link = models.ForeignKey(
        ApprovalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(max_length=150, blank=True)  # kept if the account goes
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class VariantMetrics(models.Model):
    """What the network says a published variant got (likes, reposts, replies...)."""

    variant = models.OneToOneField(Variant, on_delete=models.CASCADE, related_name="metrics")
    values = models.JSONField(default=dict)
    # The sum of the interactions (not of views or reach, which count looks, not acts):
    # what best-time learns from.
    engagement = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.engagement}"


class Transition(models.Model):
    """One change of state of a post or a variant: who, from what, to what, when, why."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="history")
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    actor = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(max_length=16, choices=State.choices)
    to_state = models.CharField(max_length=16, choices=State.choices)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class PublishingSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="publishing_settings"
    )
    publish_late_minutes = models.PositiveIntegerField(
        _("publish late up to (minutes)"),
        default=60,
        help_text=_(
            "After downtime, a post overdue by more than this is held for a decision instead "
            "of being published late."
        ),
    )

    # Part of the signed address of the calendar's iCal feed: a new one revokes every address
    # given out before, without touching the site's secret key.
    calendar_token = models.CharField(max_length=32, default=new_idempotency_key, editable=False)
    evergreen_days = models.PositiveIntegerField(
        _("evergreen posts come back after (days)"),
        default=30,
        help_text=_("The shortest time between two publications of the same evergreen post."),
    )

    utm_enabled = models.BooleanField(
        _("add UTM parameters to links"),
        default=True,
        help_text=_("Only on posts that have a campaign; a parameter already in the link stays."),
    )
    utm_source = models.CharField(
        _("utm_source"),
        max_length=100,
        default="{network}",
        help_text=_("{network} is replaced by the network (bluesky, mastodon...)."),
    )
    utm_medium = models.CharField(_("utm_medium"), max_length=100, default="social")
    # A name from liant.publishing.shortener.SHORTENERS; empty: links go out as they are.
    link_shortener = models.CharField(
        _("shorten links"),
        max_length=32,
        blank=True,
        default="",
        help_text=_(
            "Links are replaced by a short link when the post is published; the short link "
            "counts its clicks."
        ),
    )

    class Meta:
        verbose_name = _("publishing settings")
        verbose_name_plural = _("publishing settings")

    def __str__(self) -> str:
        return str(self.workspace)

    @classmethod
    def of(cls, workspace_id: int) -> PublishingSettings:
        found = cls.objects.filter(workspace_id=workspace_id).first()
        return found or cls(workspace_id=workspace_id)

    @classmethod
    def of_workspace(cls, workspace: Workspace) -> PublishingSettings:
        """The same, read through the workspace: no query when the caller loaded it with
        `select_related("publishing_settings")` (the publisher does, once per post)."""
        try:
            return workspace.publishing_settings
        except cls.DoesNotExist:
            return cls(workspace=workspace)

    @property
    def late_limit(self) -> timedelta:
        return timedelta(minutes=self.publish_late_minutes)


def move(
    obj: Post | Variant,
    to: str,
    *,
    actor: Any = None,
    note: str = "",
    where: Q | None = None,
    **updates: Any,
) -> bool:
    """Change the state of a post or a variant, if it is still in the state `obj` shows.

    The conditional update is the lock: two workers (or a worker and a person) that both
    try the same move from the same state cannot both win. The history row is written in
    the same transaction. Returns False when someone else moved it first.
    """
    check(obj.state, to)
    model = type(obj)
    # No savepoint when nested: the caller's transaction already makes the update and its
    # history row one, and an error here undoes the caller's work anyway.
    with transaction.atomic(savepoint=False):
        rows = model.objects.filter(pk=obj.pk, state=obj.state)
        if where is not None:
            rows = rows.filter(where)
        if rows.update(state=to, **updates) != 1:
            return False
        Transition.objects.create(
            post_id=obj.pk if isinstance(obj, Post) else obj.post_id,
            variant=obj if isinstance(obj, Variant) else None,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            from_state=obj.state,
            to_state=to,
            note=note,
        )
    obj.state = to
    computed = [name for name, value in updates.items() if isinstance(value, Combinable)]
    for name, value in updates.items():
        if name not in computed:
            setattr(obj, name, value)
    if computed:
        obj.refresh_from_db(fields=computed)
    return True


class ShortLink(models.Model):
    """A short address Liant itself answers (/s/<code>) by sending the visitor on to one
    stored link, counting the visit.

    One per variant: a publish tried again gives the network the same short link. The link
    stays when the variant is deleted, since the post may still be on the network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="short_links")
    variant = models.OneToOneField(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="short_link"
    )
    code = models.CharField(max_length=16, unique=True)
    target_url = models.URLField(_("link"), max_length=2000)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} → {self.target_url}"
