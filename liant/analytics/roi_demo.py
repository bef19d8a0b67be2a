"""Six months of costs, attributed sales and action values for Maison Lumière, entered as a
community manager would, so the ROI page and its KPIs have something to say. Runs before
the analytics demo's backfill (195), which then stores the ROI days with the rest.

Idempotent: each entry is found by its workspace, dates and note before it is made."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from liant.analytics import rollup
from liant.analytics.roi_models import ActionValue, Cost, RoiSettings, Sale
from liant.demo.loader import DemoContext, step

MONTHS = 6
# (kind, note, amount, hours, hourly rate) each month.
MONTHLY = [
    ("time", "Animation de la communauté (CM)", None, Decimal("48"), Decimal("38")),
    ("tools", "Abonnements outils (Liant, banque d'images)", Decimal("140"), None, None),
    ("ads", "Publicité Instagram (boost des recettes)", Decimal("250"), None, None),
]
VALUES = {"newsletter_signup": "2", "lead_qualified": "15", "contest_entry": "0.5"}


def _months(today: date) -> list[tuple[date, date]]:
    """The last MONTHS whole months and the current one up to yesterday."""
    first = today.replace(day=1)
    spans = []
    for _n in range(MONTHS):
        previous = (first - timedelta(days=1)).replace(day=1)
        spans.append((previous, first - timedelta(days=1)))
        first = previous
    return sorted(spans)


@step(194)
def roi(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    RoiSettings.objects.get_or_create(workspace=workspace, defaults={"currency": "EUR"})
    for action, worth in VALUES.items():
        ActionValue.objects.get_or_create(
            workspace=workspace, action=action, defaults={"amount": Decimal(worth)}
        )
    spans = _months(rollup.today(workspace))
    for n, (first, last) in enumerate(spans):
        for kind, note, given, hours, rate in MONTHLY:
            amount = hours * rate if hours is not None and rate is not None else given or Decimal(0)
            Cost.objects.get_or_create(
                workspace=workspace,
                kind=kind,
                starts_on=first,
                ends_on=last,
                note=note,
                defaults={"amount": amount, "hours": hours, "hourly_rate": rate},
            )
        # Sales the shop attributes to the community (promo codes given on the networks),
        # growing as the community does.
        Sale.objects.get_or_create(
            workspace=workspace,
            starts_on=first,
            ends_on=last,
            note="Ventes avec code promo communauté",
            defaults={"amount": Decimal(1400 + 180 * n)},
        )
    # The atelier evening of the third month: one event cost on its day.
    day = spans[2][0] + timedelta(days=17)
    Cost.objects.get_or_create(
        workspace=workspace,
        kind="events",
        starts_on=day,
        ends_on=day,
        note="Soirée atelier torréfaction",
        defaults={"amount": Decimal("650")},
    )
    context.notes.append(f"ROI: costs, sales and action values for {len(spans)} months")
