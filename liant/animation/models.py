"""Animation: contests with a draw anyone can verify, and events with RSVP and attendance.

Public pages are reached through a per-object random token, never a guessable id, and show
pseudonymous labels, never an e-mail address.
"""

from __future__ import annotations

import secrets

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel, Event
from liant.core.fields import EncryptedTextField
from liant.core.models import Workspace
from liant.members.models import Identity, Member


def new_token() -> str:
    return secrets.token_urlsafe(18)


def new_label() -> str:
    """A pseudonym an entrant is told and finds again on the public list (no personal data)."""
    return "P-" + secrets.token_hex(4).upper()


class Contest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open to entries")
        FROZEN = "frozen", _("List frozen, draw announced")
        DRAWN = "drawn", _("Drawn")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rules = models.TextField(
        _("rules"), blank=True, help_text=_("Entrants agree to this exact text.")
    )
    prize = models.CharField(_("prize"), max_length=300, blank=True)
    winners_count = models.PositiveIntegerField(_("number of winners"), default=1)
    ends_at = models.DateTimeField(_("entries close"), null=True, blank=True)
    draw_at = models.DateTimeField(_("draw time"), null=True, blank=True)
    # Where entries come from.
    form_enabled = models.BooleanField(_("public entry form"), default=True)
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("channel"),
    )
    post_remote_id = models.CharField(
        _("post id on the network"),
        max_length=500,
        blank=True,
        help_text=_("Comments, reactions or reposts on this post are entries."),
    )
    count_comments = models.BooleanField(_("comments enter"), default=True)
    count_reactions = models.BooleanField(_("reactions (likes) enter"), default=False)
    count_reposts = models.BooleanField(_("reposts enter"), default=False)
    hashtag = models.CharField(
        _("hashtag"),
        max_length=100,
        blank=True,
        help_text=_("A message of the channel with this hashtag is an entry."),
    )
    # Eligibility.
    min_account_days = models.PositiveIntegerField(
        _("minimum account age (days)"),
        default=0,
        help_text=_("Days since the member was first seen, counted at the freeze."),
    )
    countries = models.CharField(
        _("countries"),
        max_length=200,
        blank=True,
        help_text=_("Two-letter codes separated by commas; empty: any country."),
    )
    require_consent = models.BooleanField(_("consent to the rules required"), default=True)
    segment = models.ForeignKey(
        "members.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # the published rules must not change under the contest
        related_name="+",
        verbose_name=_("only members of the segment"),
    )
    must_follow = models.BooleanField(
        _("must follow the channel's account"),
        default=False,
        help_text=_(
            "Checked against the follows the channel stored (networks do not tell an "
            "unfollow, so a follow once seen counts)."
        ),
    )
    # The draw. The secret is generated at the freeze and only its hash is shown until the
    # draw; it is encrypted at rest like any other secret Liant keeps.
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    secret = EncryptedTextField(blank=True, default="")
    secret_hash = models.CharField(max_length=64, blank=True)
    list_json = models.TextField(blank=True)  # the exact bytes hashed, never rewritten
    list_hash = models.CharField(max_length=64, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]


class Entry(models.Model):
    class Source(models.TextChoices):
        FORM = "form", _("Entry form")
        COMMENT = "comment", _("Comment")
        REACTION = "reaction", _("Reaction")
        REPOST = "repost", _("Repost")
        HASHTAG = "hashtag", _("Hashtag")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=20, default=new_label)
    entered_at = models.DateTimeField(default=timezone.now)
    # Set at the freeze: why an entry is not in the frozen list.
    eligible = models.BooleanField(null=True, blank=True)
    excluded_because = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One entry per member: the database says so, not only the code.
            models.UniqueConstraint(fields=["contest", "member"], name="one_entry_per_member"),
            models.UniqueConstraint(fields=["contest", "label"], name="entry_label_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Winner(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="winners")
    # The id and label as published in the frozen list, kept even if the entry is erased
    # later (a GDPR erasure): the published draw must stay verifiable.
    entry_number = models.PositiveBigIntegerField()
    label = models.CharField(max_length=20)
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="winner_rank_once"),
            models.UniqueConstraint(fields=["contest", "entry_number"], name="winner_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.label}"


class Meetup(models.Model):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", _("Meetup")
        ONLINE = "online", _("Online session")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IN_PERSON)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    dm_reminders = models.BooleanField(
        _("also remind by private message"),
        default=True,
        help_text=_(
            "Where the member has an account on a network Liant can write to privately "
            "(Mastodon, Matrix), besides the e-mail."
        ),
    )
    # Places taken, moved only by conditional updates so two RSVPs at once never both get
    # the last place (see meetups.py).
    going_count = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    status = models.CharField(max_length=10, choices=Status.choices)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)  # the waiting list's order
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The same reminder as a private message, where the member has an account on a network
    # Liant can write to privately; claimed before sending like the e-mail.
    dm_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meetup", "member"], name="one_rsvp_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.status}"


class Poll(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(_("question"), max_length=300)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    is_open = models.BooleanField(_("open to votes"), default=True)
    results_public = models.BooleanField(_("results shown to voters"), default=True)
    # The same poll posted natively on a network (Mastodon): the publisher sends it, with
    # its guarantees (claimed once, never twice), and the metrics bring the votes back.
    variant = models.OneToOneField(
        "publishing.Variant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="animation_poll",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.question


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.choice_id}"


class Quiz(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    is_open = models.BooleanField(_("open to answers"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)
    choices = models.JSONField(default=list)  # ["answer", …]
    correct = models.PositiveIntegerField()  # index in choices
    points = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class QuizAttempt(models.Model):
    """One member's answers; the first attempt is the one that counts."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    # What the public leaderboard shows: a first name and an initial, never an address.
    display_name = models.CharField(max_length=120)
    answers = models.JSONField(default=dict)  # {question id: choice index}
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)
    token = models.CharField(max_length=40, unique=True, default=new_token)

    class Meta:
        ordering = ["-score", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "member"], name="one_attempt_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.score}/{self.max_score}"


class OpenQuestion(models.Model):
    """A prompt on the networks; the replies to it are its answers, gathered in one view.

    Either Liant posts the prompt on chosen channels (`post`, through the publisher: one
    variant per channel), or it watches a post already out (`channel` + `post_remote_id`).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    prompt = models.CharField(_("prompt"), max_length=500)
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
    )
    post_remote_id = models.CharField(_("post id on the network"), max_length=500, blank=True)
    post = models.OneToOneField(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="open_question",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.prompt


class Challenge(models.Model):
    """A challenge over a period: members submit (a message with its hashtag on a channel, or
    the public form) as often as they like between the start and the end; the leaderboard
    counts the days they took part, so a burst on one evening does not beat a whole month."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("channel"),
        help_text=_("Where messages with the hashtag count; empty: any channel."),
    )
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)
    form_enabled = models.BooleanField(_("public submission form"), default=True)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    class Source(models.TextChoices):
        FORM = "form", _("Submission form")
        HASHTAG = "hashtag", _("Hashtag")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    link = models.URLField(max_length=1000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("challenge submission")
        verbose_name_plural = _("challenge submissions")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # A message is one submission, however many times the collection reads it.
            models.UniqueConstraint(
                fields=["challenge", "event"],
                condition=models.Q(event__isnull=False),
                name="submission_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.text[:40]}"
