"""Maison Lumière watches itself and two competitors: six months of generated FR/EN mentions,
and a small crisis ten days ago (a burnt-coffee complaint going viral) that the alerts catch."""

from __future__ import annotations

from datetime import timedelta
from itertools import islice

from django.utils import timezone

from liant.demo.loader import DemoContext, step
from liant.listening import alerts
from liant.listening.generate import crisis, stream
from liant.listening.ingest import ingest_many
from liant.listening.models import ListeningSettings, Mention, Query

DAYS = 182
PER_DAY = 45
CHUNK = 2000

QUERIES = [
    ("Maison Lumière", "brand", '"maison lumière" OR #maisonlumiere OR @maisonlumiere'),
    ("Cold brew", "product", '"cold brew" AND ("maison lumière" OR #maisonlumiere)'),
    ("Café du Coin", "competitor", '"café du coin" OR #cafeducoin'),
    ("Brûlerie Martin", "competitor", '"brûlerie martin" OR #bruleriemartin'),
]


@step(130)
def listening(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    for name, kind, text in QUERIES:
        Query.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={"kind": kind, "text": text, "created_by": context.users["camille"]},
        )
    ListeningSettings.objects.update_or_create(
        workspace=workspace,
        defaults={
            "crisis_terms": "café brûlé\nburnt coffee\nintoxication\nrappel produit",
            "sentiment_terms": {"brûlé": -0.7, "burnt": -0.7, "imbuvable": -0.8},
        },
    )
    if Mention.objects.filter(workspace=workspace).exists():
        return  # loaded before: replaying the past again would raise other alerts
    now = timezone.now()
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    outbreak = (now - timedelta(days=10)).replace(hour=11, minute=20, second=0, microsecond=0)
    # Everything in time order, fed to ingestion and alerts as the worker would have seen it:
    # the quiet months, then the crisis hour by hour, then the days after.
    everything = sorted(
        [m for m in stream(start, DAYS, PER_DAY) if m.occurred_at < now] + list(crisis(outbreak)),
        key=lambda m: m.occurred_at,
    )
    done = 0
    for until in [outbreak] + [outbreak + timedelta(hours=h + 1) for h in range(6)] + [now]:
        batch = [m for m in everything[done:] if m.occurred_at < until]
        done += len(batch)
        _ingest_all(workspace, batch)
        alerts.check(workspace, min(until, now) - timedelta(minutes=10))
    context.notes.append(
        "Listening: 4 queries, six months of mentions, and the burnt-coffee crisis of "
        f"{outbreak:%d/%m} in Listening → Alerts"
    )


def _ingest_all(workspace, items) -> None:
    iterator = iter(items)
    ingest_many(workspace, iter(lambda: list(islice(iterator, CHUNK)), []))
