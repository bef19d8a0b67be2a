"""The workspace's strategy: objectives with KPIs, audiences, and the editorial line (content
pillars, tones, formats, and how often each channel should publish). Everything else measures
itself against it: the calendar shows where the plan falls short of the rhythm or neglects a
pillar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.core.models import Workspace


class ObjectiveKind(models.TextChoices):
    NOTORIETY = "notoriety", _("Notoriety")
    TRAFFIC = "traffic", _("Traffic")
    REVENUE = "revenue", _("Revenue")
    RECRUITMENT = "recruitment", _("Recruitment")
    LOYALTY = "loyalty", _("Loyalty")
    SUPPORT = "support", _("Support quality")


class Objective(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="objectives")
    kind = models.CharField(_("kind"), max_length=16, choices=ObjectiveKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["ends_on", "name"]

    def __str__(self) -> str:
        return self.name


class Kpi(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline = models.DecimalField(
        _("starting value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("by"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A persona: who the brand speaks to, and on which channels it finds them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audiences")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channels = models.ManyToManyField(
        Channel, blank=True, related_name="audiences", verbose_name=_("channels")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    """A topic the brand keeps coming back to. Posts name it in their `pillar` field."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    share = models.PositiveSmallIntegerField(
        _("share of posts (%)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if this pillar has no target share."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_pillar_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class Tone(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tones")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Format(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="formats")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Rhythm(models.Model):
    """How many posts a week a channel should carry."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="rhythm")
    posts_per_week = models.PositiveSmallIntegerField(_("posts per week"))

    def __str__(self) -> str:
        return f"{self.channel}: {self.posts_per_week}/w"
