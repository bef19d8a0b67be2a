"""What the workspace spends and earns, entered by hand: the ROI page's costs, attributed
sales, the value given to each counted action, and the currency all amounts are in.

Kept apart from models.py (imported at its end) so the ROI is one piece to read."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace


class RoiSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        help_text=_("Every cost, sale and value is in this currency (ISO code, e.g. EUR)."),
    )

    def __str__(self) -> str:
        return f"ROI settings {self.workspace_id}"

    @classmethod
    def currency_of(cls, workspace: Workspace) -> str:
        found = cls.objects.filter(workspace=workspace).values_list("currency", flat=True).first()
        return found or "EUR"


class CostKind(models.TextChoices):
    TIME = "time", _("Time spent")
    TOOLS = "tools", _("Tools")
    ADS = "ads", _("Advertising")
    EVENTS = "events", _("Events")
    OTHER = "other", _("Other")


class Dated(models.Model):
    """An amount spread evenly over the days of [starts_on, ends_on] (both included): a
    €300 tool for November counts €10 a day, so a week of November carries €70 of it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-starts_on", "-pk"]

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def share(self, first: date, end: date) -> float:
        """The part of the amount that falls in the days [first, end)."""
        overlap = (min(end, _next(self.ends_on)) - max(first, self.starts_on)).days
        if overlap <= 0 or self.days <= 0:
            return 0.0
        return float(self.amount) * overlap / self.days


def _next(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


class Cost(Dated):
    kind = models.CharField(_("kind"), max_length=8, choices=CostKind.choices)
    # Time is entered as hours × an hourly rate; the amount is their product.
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2, null=True, blank=True)
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta(Dated.Meta):
        indexes = [models.Index(fields=["workspace", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_on}–{self.ends_on}: {self.amount}"


class Sale(Dated):
    """Sales the workspace attributes to its community work (from its own accounting)."""

    class Meta(Dated.Meta):
        indexes = [models.Index(fields=["workspace", "starts_on"])]

    def __str__(self) -> str:
        return f"sale {self.starts_on}–{self.ends_on}: {self.amount}"


class ActionValue(models.Model):
    """What one counted action is worth to the workspace (a newsletter sign-up: €2)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)  # a key of roi.ACTIONS
    amount = models.DecimalField(_("value"), max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "action"], name="one_value_per_action")
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.amount}"
