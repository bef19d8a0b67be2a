"""Members: one person across channels, their identities, activity, engagement and merges.

A member is a person; an identity is one of their accounts (a network account, an e-mail
address). Events from the connectors attach to an identity, so to a member. Activities are
kept one per event (or per action in Liant: an RSVP, an idea, a contest entry) and never
carry a weight: weights are settings, so changing one re-scores everyone from the same rows.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel, Event
from liant.core.models import Workspace


class Level(models.TextChoices):
    OBSERVER = "observer", _("Observer")
    PARTICIPANT = "participant", _("Participant")
    CONTRIBUTOR = "contributor", _("Contributor")
    AMBASSADOR = "ambassador", _("Ambassador")


LEVEL_ORDER: list[str] = [Level.OBSERVER, Level.PARTICIPANT, Level.CONTRIBUTOR, Level.AMBASSADOR]


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    STAFF = "staff", _("Staff")
    BOT = "bot", _("Bot")


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="member_tag_once")
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    bio = models.TextField(_("bio"), blank=True)
    avatar_url = models.URLField(max_length=1000, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=Kind.choices,
        default=Kind.PERSON,
        help_text=_("Staff and bots are left out of scores, levels and alerts."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="members")
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # What scoring computes (liant/members/engagement.py), kept here so lists sort fast.
    score = models.FloatField(default=0)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.OBSERVER)
    level_since = models.DateTimeField(null=True, blank=True)
    below_level_since = models.DateTimeField(null=True, blank=True)  # the demotion grace
    active_days_30 = models.PositiveIntegerField(default=0)
    activity_count = models.PositiveIntegerField(default=0)
    helpful_replies = models.PositiveIntegerField(default=0)
    reach = models.PositiveIntegerField(default=0)  # most followers of any identity
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # A merged member stays as a row (so the merge can be undone) but is hidden everywhere.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-score", "pk"]
        indexes = [
            models.Index(fields=["workspace", "-score"]),
            models.Index(fields=["workspace", "level"]),
            models.Index(fields=["workspace", "email"]),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return gettext("Erased member #%(id)s") % {"id": self.pk}
        return self.name or self.email or f"#{self.pk}"

    @property
    def scored(self) -> bool:
        return self.kind == Kind.PERSON


class Identity(models.Model):
    """One account of a member: on a network (kind of the channel) or an e-mail address."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(_("network"), max_length=32)
    # What makes the account unique on its network, across channels: a DID, an e-mail
    # address, a Mastodon profile URL (account ids are only unique on one instance).
    key = models.CharField(max_length=500)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_id = models.CharField(max_length=500, blank=True)  # as the channel's network knows it
    handle = models.CharField(_("handle"), max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    followers = models.PositiveIntegerField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "key"], name="identity_once_per_network"
            )
        ]
        indexes = [models.Index(fields=["workspace", "handle"])]

    def __str__(self) -> str:
        return f"{self.network}:{self.handle or self.key}"


class ActivityKind(models.TextChoices):
    POST = "post", _("Post")
    COMMENT = "comment", _("Comment")
    MENTION = "mention", _("Mention")
    DIRECT_MESSAGE = "direct_message", _("Direct message")
    REACTION = "reaction", _("Reaction")
    FOLLOW = "follow", _("Follow")
    MEMBERSHIP = "membership", _("Joined")
    EVENT_ATTENDED = "event_attended", _("Event attended")
    CONTEST_ENTRY = "contest_entry", _("Contest entry")
    POLL_VOTE = "poll_vote", _("Poll vote")
    IDEA = "idea", _("Idea")
    CHALLENGE = "challenge", _("Challenge submission")


class Activity(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activities")
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    network = models.CharField(max_length=32, blank=True)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="member_activity"
    )
    # A reply to another member's message: the graph's edge, and helpfulness.
    replied_to = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "occurred_at"]),
            models.Index(fields=["member", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d}"


class MemberNote(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.text[:40]}"


class Consent(models.Model):
    """What a member agreed to (or withdrew), with the proof: the text, when, where."""

    class Purpose(models.TextChoices):
        NEWSLETTER = "newsletter", _("Newsletter")
        CONTEST_RULES = "contest_rules", _("Contest rules")
        CHARTER = "charter", _("Community charter")
        CONTACT = "contact", _("Being contacted")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(default=True)
    text = models.TextField(blank=True)  # the exact wording agreed to
    source = models.CharField(max_length=200, blank=True)  # form, import file, page
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.granted}"


class EngagementSettings(models.Model):
    """How activity turns into a score and a level; the page writes the formula out."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    # {"comment": 3, ...} and {"mastodon": {"comment": 4}} overrides per network.
    weights = models.JSONField(default=dict, blank=True)
    network_weights = models.JSONField(default=dict, blank=True)
    monthly_decay = models.FloatField(
        _("monthly decay"),
        default=0.8,
        help_text=_("Each month of age multiplies an activity's weight by this factor."),
    )
    participant_score = models.FloatField(_("participant: score"), default=1)
    participant_days = models.PositiveIntegerField(_("participant: active days"), default=1)
    contributor_score = models.FloatField(_("contributor: score"), default=15)
    contributor_days = models.PositiveIntegerField(_("contributor: active days"), default=3)
    ambassador_score = models.FloatField(_("ambassador: score"), default=60)
    ambassador_days = models.PositiveIntegerField(_("ambassador: active days"), default=6)
    grace_days = models.PositiveIntegerField(
        _("demotion grace (days)"),
        default=30,
        help_text=_("A member below their level's thresholds keeps it this long."),
    )
    silent_days = models.PositiveIntegerField(
        _("silent days before a 'slipping away' alert"), default=21
    )

    DEFAULT_WEIGHTS = {
        "post": 5,
        "comment": 3,
        "mention": 2,
        "direct_message": 1,
        "reaction": 0.5,
        "follow": 0.5,
        "membership": 1,
        "event_attended": 8,
        "contest_entry": 2,
        "poll_vote": 1,
        "idea": 6,
        "challenge": 3,
    }

    def __str__(self) -> str:
        return f"engagement of {self.workspace_id}"

    def weight(self, kind: str, network: str) -> float:
        per_network = (self.network_weights or {}).get(network, {})
        if kind in per_network:
            return float(per_network[kind])
        merged = {**self.DEFAULT_WEIGHTS, **(self.weights or {})}
        return float(merged.get(kind, 1))

    @classmethod
    def of(cls, workspace_id: int) -> EngagementSettings:
        found, _ = cls.objects.get_or_create(workspace_id=workspace_id)
        return found


class Cursor(models.Model):
    """The last event the members module read, per workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"members cursor {self.last_event_id}"


class Task(models.Model):
    """The community manager's to-do list that Members fills."""

    class Kind(models.TextChoices):
        SLIPPING_AWAY = "slipping_away", _("Slipping away")
        AMBASSADOR = "ambassador", _("Possible ambassador")

    class State(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.JSONField(default=dict, blank=True)  # figures the page puts in words
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(state="open"),
                name="one_open_task_per_member_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id}"


class MergeSuggestion(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Dismissed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    reasons = models.JSONField(default=list)  # ["same_email", "same_handle", …]
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confidence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="suggest_a_pair_once")
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.confidence})"


class Merge(models.Model):
    """A merge done by a person, with everything it moved so undo puts it back exactly."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    absorbed = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    moved = models.JSONField(default=dict)  # {"app.model.field": [pk, …], "tags": [pk, …]}
    kept_before = models.JSONField(default=dict)  # the kept member's fields before
    by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} -> {self.kept_id}"


class Segment(models.Model):
    """A saved filter over members, used by inbox rules, newsletters, contests and reports."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    filters = models.JSONField(default=dict)  # see liant/members/segments.py
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="segment_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class DataRequest(models.Model):
    """A GDPR export or erasure, logged: who asked, what was done, when."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict)  # counts of what was exported / erased
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id}"
