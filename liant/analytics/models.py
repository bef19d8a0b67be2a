"""Daily KPI roll-ups, and which registry KPI measures each of the strategy's KPIs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace
from liant.strategy.models import Kpi


class KpiValue(models.Model):
    """One KPI of one workspace for one whole day of the workspace's time zone.

    The parts of a measure are kept (see registry.Measure) rather than the number alone, so
    any period is rebuilt exactly from its days. Written only by `rollup.store`, an upsert
    on (workspace, key, day): running a day twice rewrites it, never adds a second row."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    day = models.DateField()
    value = models.FloatField(default=0)
    weight = models.FloatField(default=0)
    dist = models.JSONField(default=dict, blank=True)
    parts = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key", "day"], name="kpi_value_once")
        ]
        indexes = [models.Index(fields=["workspace", "day"])]

    def __str__(self) -> str:
        return f"{self.key} {self.day}: {self.value}"


class ObjectiveLink(models.Model):
    """The strategy's KPIs are free text ("Interactions par publication"); this says which
    measured KPI tracks one, so the objective can show target against actual."""

    kpi = models.OneToOneField(Kpi, on_delete=models.CASCADE, related_name="analytics_link")
    key = models.CharField(_("measured by"), max_length=64)

    def __str__(self) -> str:
        return f"{self.kpi_id} ← {self.key}"


class PeriodKind(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    CUSTOM = "custom", _("Custom dates")


class Compare(models.TextChoices):
    PREVIOUS = "previous", _("The period just before")
    YEAR = "year", _("The same period a year earlier")


class SectionKind(models.TextChoices):
    KPIS = "kpis", _("Chosen indicators")
    OBJECTIVES = "objectives", _("Objectives against their targets")
    TOP_POSTS = "top_posts", _("Best posts")
    LISTENING = "listening", _("Listening and sentiment")
    INBOX = "inbox", _("Inbox response times")
    COMMUNITY = "community", _("Community growth")


class Report(models.Model):
    """A report on a period, made of sections, each with the community manager's commentary.

    A template (`is_template`) has sections but no dates: a report is made from it for each
    month (or week, quarter), by hand or by a schedule."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    is_template = models.BooleanField(default=False)
    template = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        limit_choices_to={"is_template": True},
    )
    period = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)  # included
    compare = models.CharField(
        _("compared with"), max_length=8, choices=Compare.choices, default=Compare.PREVIOUS
    )
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        indexes = [models.Index(fields=["workspace", "is_template"])]

    def __str__(self) -> str:
        return self.title


class ReportSection(models.Model):
    """One part of a report: what it shows (`kind`, and for KPIS which indicators), and the
    commentary: Markdown as written, and its HTML rendered once on save and sanitized."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=SectionKind.choices)
    kpis = models.JSONField(default=list, blank=True)  # registry keys, for KPIS
    commentary = models.TextField(_("commentary"), blank=True, max_length=20000)
    commentary_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.kind}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every Monday, for the week before")
    MONTHLY = "monthly", _("The first Monday of each month, for the month before")


class ReportSchedule(models.Model):
    """A template e-mailed as a PDF, each week or month, at 8:00 in the workspace's time zone,
    to members of the workspace and to other addresses."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("template")
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    members = models.ManyToManyField(
        "core.User", blank=True, related_name="+", verbose_name=_("members")
    )
    extra_emails = models.TextField(_("other addresses"), blank=True)  # one a line
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.template_id} {self.frequency}"

    @property
    def addresses(self) -> list[str]:
        return [line.strip() for line in self.extra_emails.splitlines() if line.strip()]


class ReportDelivery(models.Model):
    """A schedule's report for the period starting `period_start` went out: created before
    any e-mail is sent, so a retried task or a second worker sends each period once."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent = models.PositiveIntegerField(default=0)  # e-mails that went out
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="one_delivery_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}"


from liant.analytics.roi_models import ActionValue, Cost, RoiSettings, Sale  # noqa: E402, F401
