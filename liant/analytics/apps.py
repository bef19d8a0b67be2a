from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "liant.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Each module keeps its KPIs in its own `kpis.py`; importing them registers them, so
        # analytics never needs to know the modules' models.
        from liant.analytics import breakdowns, roi
        from liant.analytics.registry import discover

        discover()
        breakdowns.discover()  # each module's `dashboards.py`: its stacks, heat maps, funnels
        roi.connect()  # the ROI's own KPIs (cost, value, ROI) and the signals that keep them fresh
