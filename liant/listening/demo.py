"""Maison Lumière watches itself and two competitors: six months of generated FR/EN mentions,
and a small crisis ten days ago (a burnt-coffee complaint going viral) that the alerts catch."""

from __future__ import annotations

from datetime import timedelta
from itertools import islice

from django.utils import timezone

from liant.demo.loader import DemoContext, step
from liant.listening import alerts
from liant.listening.generate import crisis, stream
from liant.listening.ingest import ingest
from liant.listening.models import ListeningSettings, Query

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
    now = timezone.now()
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    # The history stops at the crisis so the alerts see it as it happened.
    outbreak = (now - timedelta(days=10)).replace(hour=11, minute=20, second=0, microsecond=0)
    history = (m for m in stream(start, DAYS, PER_DAY) if m.occurred_at < now)
    before = (m for m in history if m.occurred_at < outbreak)
    _ingest_all(workspace, before)
    alerts.check(workspace, outbreak - timedelta(minutes=1))  # the quiet days: nothing
    viral = list(crisis(outbreak))
    for hour in range(6):
        _ingest_all(
            workspace,
            (m for m in viral if m.occurred_at < outbreak + timedelta(hours=hour + 1)),
        )
        alerts.check(workspace, outbreak + timedelta(hours=hour, minutes=50))
    after = (m for m in stream(start, DAYS, PER_DAY) if outbreak <= m.occurred_at < now)
    _ingest_all(workspace, after)
    alerts.check(workspace, now)
    context.notes.append(
        "Listening: 4 queries, six months of mentions, and the burnt-coffee crisis of "
        f"{outbreak:%d/%m} in Listening → Alerts"
    )


def _ingest_all(workspace, items) -> None:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        ingest(workspace, chunk)
