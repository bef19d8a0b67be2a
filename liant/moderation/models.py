"""The charter a workspace publishes, the rules that enforce it, the review queue and the log.

The data flows one way: channels store events; moderation reads them, judges them with the
rules, and acts back through the channel's connector. Nothing here changes an Event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel, Event
from liant.core.models import Workspace

MAX_PATTERN = 500  # characters of a rule's regular expression


class Charter(models.Model):
    """One version of a workspace's charter; the newest published one is the public page.
    A version is never edited once saved: a change is a new version, so an action taken under
    version 3 still cites what version 3 said."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    body_fr = models.TextField(_("charter in French (Markdown)"), blank=True)
    body_en = models.TextField(_("charter in English (Markdown)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "version"], name="charter_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} v{self.version}"

    @classmethod
    def current(cls, workspace: Workspace) -> Charter | None:
        return cls.objects.filter(workspace=workspace).first()

    def body(self, language: str | None = None) -> str:
        language = (language or get_language() or "fr")[:2]
        first, second = (
            (self.body_en, self.body_fr) if language == "en" else (self.body_fr, self.body_en)
        )
        return first or second

    def article_text(self, number: int, language: str | None = None) -> str:
        """The Markdown of one article, from its heading to the next one."""
        body = self.body(language)
        headings = list(ARTICLE_RE.finditer(body))
        for index, match in enumerate(headings):
            if int(match.group(1)) == number:
                end = headings[index + 1].start() if index + 1 < len(headings) else len(body)
                return body[match.start() : end].strip()
        return ""

    def articles(self, language: str | None = None) -> dict[int, str]:
        """Article number → title, read from the Markdown headings ("## 3. Respect")."""
        found: dict[int, str] = {}
        for match in ARTICLE_RE.finditer(self.body(language)):
            found.setdefault(int(match.group(1)), match.group(2).strip())
        return found


ARTICLE_RE = re.compile(r"^#{1,4}\s*(?:Article\s+)?(\d{1,3})\s*[.):—-]?\s*(.*)$", re.M | re.I)


def charter_consent_text(version: int) -> str:
    """What a charter acceptance is recorded as in members.Consent: the version is in the
    wording, so the proof says which text was agreed to even after newer versions."""
    return f"charter v{version}"


def charter_version_of(text: str) -> int | None:
    match = CONSENT_RE.fullmatch(text.strip())
    return int(match.group(1)) if match else None


CONSENT_RE = re.compile(r"charter v(\d+)")


class Action(models.TextChoices):
    ALLOW = "allow", _("Allow (stop here)")
    HOLD = "hold", _("Hold for review")
    HIDE = "hide", _("Hide")
    DELETE = "delete", _("Delete")
    WARN = "warn", _("Warn the author")
    MUTE = "mute", _("Mute the author")
    BAN = "ban", _("Ban the author")
    LABEL = "label", _("Label only")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


def validate_pattern(value: str) -> None:
    if len(value) > MAX_PATTERN:
        raise ValidationError(
            _("A pattern may have at most %(n)s characters."), params={"n": MAX_PATTERN}
        )
    try:
        regex.compile(value, regex.IGNORECASE | regex.V1)
    except regex.error as error:
        raise ValidationError(
            _("This regular expression is not valid: %(error)s"), params={"error": str(error)}
        ) from error


class Rule(models.Model):
    """Conditions that must all hold (those left empty are ignored), and what to do then."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_rules"
    )
    name = models.CharField(_("name"), max_length=120)
    article = models.PositiveSmallIntegerField(
        _("charter article"),
        null=True,
        blank=True,
        help_text=_("The number of the charter article this rule enforces; actions cite it."),
    )
    active = models.BooleanField(
        _("switched on"),
        default=False,
        help_text=_("A new rule starts off: try it on the last 30 days first."),
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.HOLD
    )
    # --- conditions
    words = models.TextField(
        _("watched words and phrases"),
        blank=True,
        help_text=_(
            "One per line. Case, accents, leetspeak and stretched letters are ignored; "
            "whole words only."
        ),
    )
    pattern = models.CharField(
        _("regular expression"),
        max_length=MAX_PATTERN,
        blank=True,
        validators=[validate_pattern],
        help_text=_(
            "Checked with a time limit: a pattern too slow on a message holds it for review."
        ),
    )
    min_links = models.PositiveSmallIntegerField(
        _("at least this many links"), null=True, blank=True
    )
    denied_domains = models.TextField(
        _("links to these domains"), blank=True, help_text=_("One per line; subdomains included.")
    )
    allowed_domains = models.TextField(
        _("links to any domain but these"),
        blank=True,
        help_text=_("One per line; a message with a link elsewhere matches."),
    )
    min_mentions = models.PositiveSmallIntegerField(
        _("at least this many mentions"), null=True, blank=True
    )
    all_caps = models.BooleanField(_("written in capitals"), default=False)
    wave_size = models.PositiveSmallIntegerField(
        _("part of a wave of near-identical messages of at least"),
        null=True,
        blank=True,
        help_text=_("Counted over the last hour, on every channel of the workspace."),
    )
    new_member_days = models.PositiveSmallIntegerField(
        _("author first seen less than this many days ago"), null=True, blank=True
    )
    max_previous_messages = models.PositiveIntegerField(
        _("author has at most this many earlier messages"), null=True, blank=True
    )
    up_to_level = models.CharField(
        _("author's engagement level at most"),
        max_length=12,
        blank=True,
        choices=[
            ("observer", _("Observer")),
            ("participant", _("Participant")),
            ("contributor", _("Contributor")),
            ("ambassador", _("Ambassador")),
        ],
        help_text=_("From Members: a rule for newcomers can leave regulars alone."),
    )
    segment = models.ForeignKey(
        "members.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a rule must not silently widen when its segment goes
        related_name="+",
        verbose_name=_("author is in the segment"),
    )
    charter_not_accepted = models.BooleanField(
        _("author has not accepted the current charter version"),
        default=False,
        help_text=_("Read from the members' charter acceptances; an unknown author has not."),
    )
    rate_messages = models.PositiveSmallIntegerField(
        _("author sent more than this many messages"),
        null=True,
        blank=True,
        help_text=_("Flood control, counted on every channel of the workspace."),
    )
    rate_minutes = models.PositiveSmallIntegerField(
        _("within this many minutes"), null=True, blank=True
    )
    min_toxicity = models.FloatField(_("insult probability at least"), null=True, blank=True)
    min_spam = models.FloatField(_("spam probability at least"), null=True, blank=True)
    channels = models.ManyToManyField(
        Channel,
        blank=True,
        related_name="+",
        verbose_name=_("only on these channels"),
    )
    # --- what the action needs
    mute_minutes = models.PositiveIntegerField(_("mute for (minutes)"), default=60 * 24)
    warning = models.TextField(
        _("warning sent to the author"),
        blank=True,
        help_text=_("{article} is replaced by the article's number and title."),
    )
    label = models.CharField(_("label"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-severity", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("min_toxicity", "min_spam"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValidationError({name: _("A probability is between 0 and 1.")})
        if (self.rate_messages is None) != (self.rate_minutes is None):
            raise ValidationError(
                _("Flood control needs both a number of messages and a number of minutes.")
            )
        if not conditions_of(self):
            raise ValidationError(_("Give the rule at least one condition."))


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def conditions_of(rule: Rule) -> list[str]:
    """The names of the conditions a rule sets (the channel list narrows, it does not match)."""
    set_ = []
    for name in (
        "words",
        "pattern",
        "min_links",
        "denied_domains",
        "allowed_domains",
        "min_mentions",
        "wave_size",
        "new_member_days",
        "max_previous_messages",
        "up_to_level",
        "segment_id",
        "min_toxicity",
        "min_spam",
        "rate_messages",
    ):
        value = getattr(rule, name)
        if value not in (None, ""):
            set_.append(name)
    if rule.all_caps:
        set_.append("all_caps")
    if rule.charter_not_accepted:
        set_.append("charter_not_accepted")
    return set_


class ModerationState(models.Model):
    """Per workspace: the last stored event the rules have seen (the evaluation cursor)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="moderation_state"
    )
    last_event_id = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.workspace}: after event {self.last_event_id}"

    @classmethod
    def of(cls, workspace: Workspace) -> ModerationState:
        state, _created = cls.objects.get_or_create(workspace=workspace)
        return state


class ItemState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a moderator")
    DONE = "done", _("Dealt with")


class Reason(models.TextChoices):
    HELD = "held", _("Held by a rule")
    FLAGGED = "flagged", _("Flagged by the classifiers")
    NOT_APPLIED = "not_applied", _("A rule's action could not be applied")
    REPORTED = "reported", _("Reported")
    ACTED = "acted", _("Acted on by a rule")
    LABELLED = "labelled", _("Labelled by a rule")


class Item(models.Model):
    """One stored message that moderation looked at and kept: queued or already dealt with."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_items"
    )
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="moderation")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.QUEUED)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    why = models.TextField(blank=True)  # in English, for logs; `why_detail` is shown translated
    why_detail = models.JSONField(null=True, blank=True, default=None)
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    matched_rules = models.JSONField(default=list)  # ids of every rule that matched
    label = models.CharField(max_length=60, blank=True)
    text = models.TextField()  # the exact text when it was judged; never rendered as HTML
    language = models.CharField(max_length=8, blank=True)
    toxicity = models.FloatField(default=0.0)
    spam = models.FloatField(default=0.0)
    severity = models.PositiveSmallIntegerField(default=0)
    risk = models.FloatField(default=0.0, db_index=True)
    author_remote_id = models.CharField(max_length=500, blank=True)
    author_handle = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-risk", "created_at"]
        indexes = [models.Index(fields=["workspace", "state", "-risk"])]

    def __str__(self) -> str:
        return f"{self.author_handle or self.author_remote_id}: {self.text[:60]}"


class Report(models.Model):
    """A member or teammate said a message breaks the charter. Whether moderators upheld it
    makes the reporter's later reports weigh more or less."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_reports"
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    reporter = models.CharField(max_length=500)  # a network identity, or "user:<id>"
    note = models.TextField(blank=True)
    upheld = models.BooleanField(null=True, default=None)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.reporter} on {self.item_id}"

    @staticmethod
    def accuracy(workspace: Workspace, reporter: str) -> float:
        """(upheld + 1) / (decided + 2): one half for someone new, towards their record after."""
        decided = Report.objects.filter(
            workspace=workspace, reporter=reporter, upheld__isnull=False
        )
        upheld = decided.filter(upheld=True).count()
        return (upheld + 1) / (decided.count() + 2)


class Outcome(models.TextChoices):
    PENDING = "pending", _("Waiting (can be undone)")
    APPLIED = "applied", _("Applied")
    RECORDED = "recorded", _("Recorded (nothing to send)")
    NOT_APPLIED = "not_applied", _("Could not be applied")
    UNDONE = "undone", _("Undone")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REMOVE = "remove", _("Remove")
    REMOVE_WARN = "remove_warn", _("Remove and warn")
    REMOVE_MUTE = "remove_mute", _("Remove and mute")
    BAN = "ban", _("Ban")


class LogEntry(models.Model):
    """Every moderation action: who (a person, or which rule), when, which charter article,
    the exact text at the time, and what the network answered."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_log"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="log"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)  # an Action, or a Decision for a person's
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    charter = models.ForeignKey(
        Charter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)  # the message, exactly as it was judged
    author_remote_id = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    detail = models.TextField(blank=True)  # in English: logs; `detail_json` is shown translated
    detail_json = models.JSONField(null=True, blank=True, default=None)
    sent = models.TextField(blank=True)  # the warning sent to the author, word for word
    mute_until = models.DateTimeField(null=True, blank=True)
    apply_after = models.DateTimeField(null=True, blank=True)  # a person's decision: undo until
    # A mute or ban: when it was lifted (its time ran out, a moderator lifted it early, or an
    # appeal reversed it). Set in the same update that claims the lifting, so it happens once.
    lifted_at = models.DateTimeField(null=True, blank=True)
    # An "unmute"/"unban" or an appeal's decision: the entry it takes back or judges.
    lifts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.outcome})"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (a person's decision, else a rule's action)."""
        for choices in (Decision, Action):
            if self.action in choices.values:
                return str(choices(self.action).label)
        return str(LOGGED_ACTIONS.get(self.action, self.action))


# What the log records besides rules' actions and people's decisions.
LOGGED_ACTIONS = {
    "unmute": _("Mute lifted"),
    "unban": _("Ban lifted"),
    "appeal_upheld": _("Appeal: decision upheld"),
    "appeal_reversed": _("Appeal: decision reversed"),
}


class AppealState(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    UPHELD = "upheld", _("Decision upheld")
    REVERSED = "reversed", _("Decision reversed")


class Appeal(models.Model):
    """The author of a held or removed message contests the decision, through the signed
    link the notice gave them (no account needed). One appeal per decision: a second visit
    shows where the first one stands."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_appeals"
    )
    entry = models.OneToOneField(LogEntry, on_delete=models.CASCADE, related_name="appeal")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    text = models.TextField()  # the author's words; never rendered as HTML
    language = models.CharField(max_length=8, blank=True)  # the page's, to answer in it
    state = models.CharField(max_length=10, choices=AppealState.choices, default=AppealState.OPEN)
    answer = models.TextField(blank=True)  # the moderator's note, shown to the author
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["workspace", "state", "created_at"])]

    def __str__(self) -> str:
        return f"appeal of {self.entry_id} ({self.state})"


class ReportSent(models.Model):
    """The weekly report of a workspace went out for the week starting `week`: created before
    the e-mails are sent, so two workers (or a retried task) send each week's report once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "week"], name="one_report_per_week")
        ]

    def __str__(self) -> str:
        return f"report {self.workspace_id} {self.week}"


@dataclass(frozen=True)
class Citation:
    number: int
    title: str

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.title else str(self.number)


def citation(
    workspace: Workspace, article: int | None, language: str | None = None
) -> Citation | None:
    if article is None:
        return None
    charter = Charter.current(workspace)
    title = charter.articles(language).get(article, "") if charter else ""
    return Citation(article, title)
