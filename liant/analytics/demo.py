"""Six months of daily KPIs for Maison Lumière, computed from what the other demos loaded
(posts, conversations, mentions, moderation, members, animation, ideas), and the strategy's
"interactions per publication" measured by the publishing KPI.

Idempotent: the roll-up is an upsert, and the link is made once."""

from __future__ import annotations

import time

from liant.analytics import rollup
from liant.analytics.models import ObjectiveLink
from liant.demo.loader import DemoContext, step
from liant.strategy.models import Kpi

DEMO_DAYS = 183  # six months
# The strategy demo's KPI names → what measures them (the others, followers and coffee
# subscriptions, are not measured by any module yet and stay "not measured").
LINKS = {"Interactions par publication": "publishing.engagement"}


@step(195)  # after members' scores (190): every other demo's rows are in
def analytics(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    for kpi in Kpi.objects.filter(objective__workspace=workspace, name__in=LINKS):
        ObjectiveLink.objects.get_or_create(kpi=kpi, defaults={"key": LINKS[kpi.name]})
    began = time.perf_counter()
    written = rollup.backfill(workspace, DEMO_DAYS)
    context.notes.append(
        f"Analytics: {written} daily KPI values over {DEMO_DAYS} days "
        f"in {time.perf_counter() - began:.1f} s"
    )
