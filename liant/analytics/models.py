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
