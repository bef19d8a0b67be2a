"""The community space: a workspace's own discussion place, hosted by Liant.

A space has categories set by the community manager; members open topics in them and reply
with posts. Members are `SpaceAccount`s (an e-mail address proven by a magic link), each tied
to a members.Member through an Identity of network "space", so the rest of Liant sees the
same person it sees on Mastodon or by e-mail. What members write reaches the other modules
as channels.Event rows of the workspace's "space" channel (see connector.py).
"""

from __future__ import annotations

import html
import re

from django.conf import settings as django_settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.space.markup import render
from liant.text import fold

DEFAULT_POSTS_PER_MINUTE = 3
HANDLE_LENGTH = 30
HEX_COLOR = RegexValidator(r"\A#[0-9a-f]{6}\Z", _("A colour is written #rrggbb, e.g. #8a4b14."))


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
    # Replies and announcements from Liant appear as the brand; with this on, the name of
    # the person who wrote them follows the brand's ("Le Coin — Marie").
    sign_with_agent = models.BooleanField(
        _("show who answers"),
        default=False,
        help_text=_(
            "Replies and announcements from Liant show the agent's name after the brand's."
        ),
    )
    # Where the composer's posts open an announcement topic when the post names no category.
    publish_category = models.ForeignKey(
        "space.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category of posts from the composer"),
    )
    # The channel through which everything members write reaches the other modules.
    channel = models.OneToOneField(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Capture forms (liant.leads) shown on the space: one beside the home page (e.g. a
    # newsletter sign-up), one as the space's contact page. Both post to the forms' public
    # endpoint, so the same checks keep robots out. Always of the space's own workspace.
    sidebar_form = models.ForeignKey(
        "leads.Form",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("form beside the home page"),
    )
    contact_form = models.ForeignKey(
        "leads.Form",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("form of the contact page"),
    )
    # Theming (theme.py): the colours are "#rrggbb" or empty (Liant's own), checked by the
    # validator on save and again before they are written into a page's CSS.
    logo = models.FileField(_("logo"), upload_to="space/logos/", blank=True)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, blank=True, validators=[HEX_COLOR]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, blank=True, validators=[HEX_COLOR]
    )
    # Shown once to a new member, on the first page after the address is confirmed.
    member_welcome_fr = models.TextField(
        _("message to new members in French (Markdown)"), blank=True
    )
    member_welcome_en = models.TextField(
        _("message to new members in English (Markdown)"), blank=True
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


CHAT_MAX_LENGTH = 500


class Access(models.TextChoices):
    """Who reads a category (writing always needs an account; see permissions.py)."""

    PUBLIC = "public", _("Public: anyone reads, members write")
    MEMBERS = "members", _("Members only: signed-in members read and write")
    GROUP = "group", _("Invited group: only the people you add read and write")


class Category(models.Model):
    class Kind(models.TextChoices):
        FORUM = "forum", _("Topics")
        CHAT = "chat", _("Chat: one room of short messages, the newest at the bottom")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.FORUM)
    access = models.CharField(
        _("who can read"), max_length=8, choices=Access.choices, default=Access.PUBLIC
    )
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


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As they happen (within minutes)")
    DAILY = "daily", _("One digest a day")
    NEVER = "never", _("Never (only on the space)")


class SpaceAccount(models.Model):
    """A member of the public in one space: another space's accounts are other rows, so an
    account of one workspace's space has no rights in another's."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="accounts")
    email = models.EmailField(_("e-mail"), blank=True)  # empty only for the brand's account
    display_name = models.CharField(_("display name"), max_length=80)
    # What follows "@" to mention the account: ASCII letters, digits and "_" only, so it can
    # be found in any text and put in a page without escaping questions. Given on first save.
    handle = models.CharField(_("handle"), max_length=HANDLE_LENGTH, blank=True)
    bio = models.TextField(_("about me"), blank=True)  # plain text, escaped by templates
    email_notifications = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.DAILY,
    )
    # When the last digest went: a daily digest waits a day after it, and two workers
    # claim the account with a conditional update of this value.
    last_digest_at = models.DateTimeField(null=True, blank=True)
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
    # When the space's message to new members was shown (once: see welcome.py).
    welcomed_at = models.DateTimeField(null=True, blank=True)
    # A square WebP made by avatars.py from the upload (none of the original bytes is kept).
    avatar = models.FileField(_("picture"), upload_to="space/avatars/", blank=True)
    # A name or presentation held by a moderation rule: shown to nobody until a moderator
    # approves it (profile_moderation.py); `pending_key` is the remote id of its event.
    pending_name = models.CharField(max_length=80, blank=True)
    pending_bio = models.TextField(blank=True)
    pending_key = models.CharField(max_length=100, blank=True)
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
            ),
            models.UniqueConstraint(
                fields=["space", "handle"],
                condition=~Q(handle=""),
                name="space_account_handle_once",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        if not self.handle and not self.erased:
            self.handle = free_handle(self.space_id, self.display_name, exclude=self.pk)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "handle"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("space_profile", kwargs={"slug": self.space.slug, "pk": self.pk})

    @property
    def erased(self) -> bool:
        """A member's erasure blanks the address of their accounts (the brand has none)."""
        return not self.staff and not self.email and self.pk is not None

    @property
    def initials(self) -> str:
        letters = [w[0] for w in self.display_name.split() if w[:1].isalnum()]
        return "".join(letters[:2]).upper() or "?"

    @property
    def remote_id(self) -> str:
        """How the space connector names the account (an Identity's key). Prefixed, because
        moderation compares authors across all of a workspace's channels: a bare number
        would be taken for the Mastodon account with the same id."""
        return f"account:{self.pk}"

    @property
    def can_post(self) -> bool:
        return self.confirmed_at is not None and not self.muted_at and not self.banned_at


def handle_base(name: str) -> str:
    """ "Léa M." → "leam": folded, ASCII letters, digits and "_" only."""
    base = re.sub(r"[^a-z0-9_]", "", fold(name))[:20]
    return base if len(base) >= 2 else "member"


def free_handle(space_id: int, name: str, exclude: int | None = None) -> str:
    base = handle_base(name)
    rows = SpaceAccount.objects.filter(space_id=space_id, handle__startswith=base)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    taken = set(rows.values_list("handle", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    author = models.ForeignKey(SpaceAccount, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    search_title = models.CharField(max_length=200, blank=True, editable=False)  # folded
    pinned = models.BooleanField(_("pinned"), default=False)
    announcement = models.BooleanField(_("announcement"), default=False)
    # The last day an announcement is shown on the home page (none: until unmarked).
    announcement_until = models.DateField(_("announcement shown until"), null=True, blank=True)
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

    def save(self, *args, **kwargs) -> None:
        self.search_title = fold(self.title)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_title"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("space_topic", kwargs={"slug": self.category.space.slug, "pk": self.pk})


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(SpaceAccount, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(_("message"))  # Markdown, as written
    body_html = models.TextField(editable=False)  # rendered and sanitized on save
    # The words folded (case, accents) for search: "cafe" finds "Café" on any database.
    search_text = models.TextField(blank=True, editable=False)
    # The post this one answers or quotes (a reply from the inbox names the message it answers).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)  # the words are gone for good
    # A reply sent from Liant with the same key is the same post (a retried send never doubles).
    idempotency_key = models.CharField(max_length=100, blank=True)
    # The brand's posts only: the agent who wrote it in Liant, shown when the space wants it.
    signed_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The author's last edit (editing.py): shown as "edited", the versions before it are
    # PostRevision rows. Nullable with no default, so SQLite adds the column in place rather
    # than rebuilding space_post (which would drop the search triggers).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        from liant.channels.sanitize import text_of  # noqa: PLC0415
        from liant.space.mentions import link_mentions  # noqa: PLC0415 - it reads accounts

        self.body_html, self.mentioned = link_mentions(self, render(self.body))
        self.search_text = fold(html.unescape(text_of(self.body_html)))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "search_text"}
        super().save(*args, **kwargs)

    @property
    def remote_id(self) -> str:
        return f"post:{self.pk}"

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None


class PostRevision(models.Model):
    """A version of a post as it was before its author edited it (the title too, for a
    topic's opening post), for the moderators: what was changed, and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200, blank=True)  # the opening post's only
    body = models.TextField(blank=True)  # Markdown, as written
    written_at = models.DateTimeField()  # when this version was posted or last edited
    replaced_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("earlier version of a post")
        verbose_name_plural = _("earlier versions of posts")
        ordering = ["post", "pk"]

    def __str__(self) -> str:
        return f"{self.post_id} before {self.replaced_at:%Y-%m-%d %H:%M}"

    @property
    def remote_id(self) -> str:
        """The edit's own event: "post:<id>:edit:<revision>" (its `raw["edit_of"]` names the
        post), so rules judge the new words as a message of their own."""
        return f"post:{self.post_id}:edit:{self.pk}"


class Reaction(models.Model):
    """One of a small fixed set of reactions, once per account, post and kind."""

    class Kind(models.TextChoices):
        LIKE = "like", "👍"
        LOVE = "love", "❤️"
        IDEA = "idea", "💡"
        FUNNY = "funny", "😂"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey(SpaceAccount, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "account", "kind"], name="space_reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"

    @property
    def remote_id(self) -> str:
        """Stable for (post, account, kind): reacting again after taking it back is the same
        event, so toggling never counts twice in members' engagement."""
        return f"reaction:{self.post_id}:{self.account_id}:{self.kind}"


class Subscription(models.Model):
    """An account follows a topic (replies are notified) or a category (new topics are)."""

    account = models.ForeignKey(
        SpaceAccount, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "topic"],
                condition=Q(topic__isnull=False),
                name="space_follow_topic_once",
            ),
            models.UniqueConstraint(
                fields=["account", "category"],
                condition=Q(category__isnull=False),
                name="space_follow_category_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.topic_id or self.category_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied in a topic you follow")
        TOPIC = "topic", _("opened a topic in a category you follow")
        REACTION = "reaction", _("reacted to your message")

    account = models.ForeignKey(
        SpaceAccount, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(SpaceAccount, on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=8, blank=True)  # a Reaction.Kind
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the digest that mails it (a conditional update), so it is mailed once.
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_claim = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "read_at"]),
            models.Index(fields=["account", "mailed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "post", "actor", "reaction"],
                name="space_notification_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.kind} {self.post_id}"


class GroupMember(models.Model):
    """A person the community manager added to an invited-group category, by address: the
    account of this space with that address reads and writes there (one invited before
    joining is in as soon as the address is confirmed)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="group")
    email = models.EmailField(_("e-mail"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["category", "email"], name="space_group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.email}"


class PostingLimit(models.Model):
    """How many topics and replies an hour a member of one engagement level (from Members,
    the levels Moderation's rules use) may post in this space; 0 is no limit."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posting_limits")
    level = models.CharField(max_length=12)
    topics_per_hour = models.PositiveSmallIntegerField(_("topics an hour"))
    replies_per_hour = models.PositiveSmallIntegerField(_("replies an hour"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "level"], name="space_posting_limit_once")
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.topics_per_hour}/{self.replies_per_hour}"
