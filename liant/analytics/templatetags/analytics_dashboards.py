"""`{% dashboards_nav %}`: the overview, the module dashboards this person may open and, in
an organisation with several workspaces they can see, the agency view."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("analytics/_dashboards_nav.html", takes_context=True)
def dashboards_nav(context: Any, current: str = "") -> dict[str, Any]:
    from liant.analytics.agency import agency_workspaces
    from liant.analytics.module_views import visible_modules

    request = context["request"]
    workspace = request.workspace
    period = context.get("period")
    agency_url = ""
    if len(agency_workspaces(request.user, workspace.organisation)) > 1:
        agency_url = reverse("analytics_agency", kwargs={"ws": workspace.slug})
    return {
        "workspace_slug": workspace.slug,
        "modules": visible_modules(request.membership),
        "current": current,
        "period_key": getattr(period, "key", ""),
        "agency_url": agency_url,
    }
