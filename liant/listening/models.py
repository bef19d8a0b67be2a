"""Listening queries: what a workspace watches (its brand, products, people, competitors)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace
from liant.listening.query import Node, QuerySyntaxError, parse


class QueryKind(models.TextChoices):
    BRAND = "brand", _("Our brand")
    PRODUCT = "product", _("A product")
    PERSON = "person", _("A person")
    COMPETITOR = "competitor", _("A competitor")
    TOPIC = "topic", _("A topic")


class Query(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="queries")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("what it watches"), max_length=20, choices=QueryKind.choices)
    text = models.TextField(
        _("query"),
        max_length=2000,
        help_text=_(
            'Words, "exact phrases", #hashtags and @mentions; AND, OR, NOT (or ET, OU, SAUF), '
            "-word to exclude, parentheses, lang:fr, source:mastodon, author:@name."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="query_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def tree(self) -> Node:
        return parse(self.text)

    def clean(self) -> None:
        try:
            parse(self.text)
        except QuerySyntaxError as error:
            raise ValidationError({"text": error.translated()}) from error


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Mention(models.Model):
    """Something said that one of the workspace's queries matched, stored once per source item.

    Mentions come from the connected channels' events and from the networks' search; the
    same remote item found both ways is one mention (unique source + remote_id)."""

    # No index of its own: the (workspace, …) indexes in Meta start with it, and each index
    # is one more write per ingested mention.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    source = models.CharField(_("source"), max_length=40)  # channel kind: feed, mastodon…
    channel = models.ForeignKey(
        "channels.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "channels.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_id = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    author_handle = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(max_length=300, blank=True)
    author_followers = models.PositiveIntegerField(null=True, blank=True)  # reach, when known
    text = models.TextField()  # plain text; never rendered as HTML
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices)
    sentiment_score = models.FloatField()
    occurred_at = models.DateTimeField()
    stored_at = models.DateTimeField(auto_now_add=True)
    # Reposts and copy-pasted waves point at the first copy; they count as volume, and the
    # stream can fold them under it.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # Same words after folding, without links and mentions: copies of one text share it.
    # Looked up with the workspace (listening/ingest.py), hence the pair index in Meta: with
    # the key's own index, SQLite chose the workspace's date index and read every mention of
    # the workspace once per ingested batch (ingestion slowed down as the table grew).
    dedupe_key = models.CharField(max_length=32)
    irrelevant = models.BooleanField(default=False)
    queries = models.ManyToManyField(Query, through="MentionMatch", related_name="mentions")

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "remote_id"], name="mention_once_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at"]),
            models.Index(fields=["workspace", "dedupe_key"], name="mention_dedupe"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def reach(self) -> int:
        return self.author_followers or 0


class MentionMatch(models.Model):
    # Neither key has an index of its own: the unique (mention, query) and the (query,
    # occurred_at) index start with them, and ingestion writes a few matches per mention.
    mention = models.ForeignKey(
        Mention, on_delete=models.CASCADE, related_name="matches", db_index=False
    )
    query = models.ForeignKey(
        Query, on_delete=models.CASCADE, related_name="matches", db_index=False
    )
    terms = models.JSONField(default=list)  # the folded terms found, for highlighting
    occurred_at = models.DateTimeField()  # copied from the mention: per-query time ranges

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mention", "query"], name="match_once_per_query")
        ]
        indexes = [models.Index(fields=["query", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.query_id} ← {self.mention_id}"


class Rollup(models.Model):
    """Counts per query and period, kept up to date as mentions are stored, so dashboards and
    alerts read a few hundred rows instead of a year of mentions. `hour` rows serve the
    alerts' hour-of-week baseline; `day` rows serve the charts."""

    HOUR, DAY = "hour", "day"
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="rollups")
    period = models.CharField(max_length=4, choices=[(HOUR, HOUR), (DAY, DAY)])
    start = models.DateTimeField()
    mentions = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    reach = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "period", "start"], name="rollup_unique")
        ]
        indexes = [models.Index(fields=["query", "period", "start"])]

    def __str__(self) -> str:
        return f"{self.query_id} {self.period} {self.start:%Y-%m-%d %H:00}: {self.mentions}"


class AlertKind(models.TextChoices):
    SPIKE = "spike", _("Volume spike")
    NEGATIVE = "negative", _("Negative surge")
    INFLUENCER = "influencer", _("Influential author")
    CRISIS = "crisis", _("Crisis keyword")


class Alert(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="alerts")
    # Every mention matched a query, so every alert has one (a crisis word: the first query
    # the mention matched); never NULL, so the unique constraint below holds on every database.
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=12, choices=AlertKind.choices)
    # One alert per cause: (kind, query, key) is unique, e.g. the hour of a spike or the
    # author of an influencer alert, so a sweep that runs twice raises nothing twice.
    key = models.CharField(max_length=200)
    figures = models.JSONField(default=dict)
    about = models.DateTimeField()  # when what raised it happened (the hour of a spike…)
    mentions = models.ManyToManyField(Mention, related_name="alerts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-about", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "query", "key"], name="alert_once_per_cause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ListeningSettings(models.Model):
    """A workspace's listening thresholds; defaults keep a quiet query from paging anyone."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="listening_settings"
    )
    crisis_terms = models.TextField(
        _("crisis words"),
        blank=True,
        help_text=_("One word or phrase per line; any mention containing one raises an alert."),
    )
    spike_min_mentions = models.PositiveIntegerField(
        _("smallest volume that can be a spike"), default=10
    )
    influencer_followers = models.PositiveIntegerField(
        _("followers that make an author influential"), default=10_000
    )
    sentiment_terms = models.JSONField(
        _("the workspace's own sentiment words"), default=dict, blank=True
    )
    last_event_id = models.PositiveBigIntegerField(default=0)  # ingestion cursor
    last_alerted_mention_id = models.PositiveBigIntegerField(default=0)  # alerts cursor

    def __str__(self) -> str:
        return f"listening settings of {self.workspace}"

    @classmethod
    def of(cls, workspace: Workspace) -> ListeningSettings:
        found, _created = cls.objects.get_or_create(workspace=workspace)
        return found

    def crisis_list(self) -> list[str]:
        return [line.strip() for line in self.crisis_terms.splitlines() if line.strip()]
