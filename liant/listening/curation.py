"""What a community manager's judgement does to the figures: an irrelevant mention leaves the
counts at once, and the words irrelevant mentions share become suggested exclusions."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F

from liant.core.models import Workspace
from liant.listening.ingest import _bucket
from liant.listening.models import Mention, MentionMatch, Query, Rollup
from liant.listening.query import terms_of
from liant.text.keywords import rising_terms

SUGGESTION_SAMPLE = 500


def set_irrelevant(workspace: Workspace, ids: list[int], irrelevant: bool) -> int:
    """Mark mentions (and take them out of, or put them back in, the roll-ups). Returns how
    many changed; a mention already in that state is left alone, so a double submit counts
    nothing twice."""
    with transaction.atomic():
        changing = list(
            Mention.objects.select_for_update()
            .filter(workspace=workspace, pk__in=ids)
            .exclude(irrelevant=irrelevant)
        )
        if not changing:
            return 0
        Mention.objects.filter(pk__in=[m.pk for m in changing]).update(irrelevant=irrelevant)
        sign = -1 if irrelevant else 1
        sums: dict[tuple[int, str, datetime], Counter[str]] = defaultdict(Counter)
        by_mention = {m.pk: m for m in changing}
        for match in MentionMatch.objects.filter(mention__in=changing):
            mention = by_mention[match.mention_id]
            for period in (Rollup.HOUR, Rollup.DAY):
                counts = sums[(match.query_id, period, _bucket(mention.occurred_at, period))]
                counts["mentions"] += 1
                counts[mention.sentiment] += 1
                counts["reach"] += mention.reach
        for (query_id, period, start), counts in sums.items():
            Rollup.objects.filter(query_id=query_id, period=period, start=start).update(
                **{name: F(name) + sign * value for name, value in counts.items()}
            )
    return len(changing)


def suggest_exclusions(query: Query, top: int = 8) -> list[str]:
    """Words far more common in this query's irrelevant mentions than in its relevant ones."""
    mentions = Mention.objects.filter(matches__query=query).order_by("-occurred_at")
    noise = list(
        mentions.filter(irrelevant=True).values_list("text", flat=True)[:SUGGESTION_SAMPLE]
    )
    if len(noise) < 2:
        return []
    signal = list(
        mentions.filter(irrelevant=False).values_list("text", flat=True)[:SUGGESTION_SAMPLE]
    )
    # The query's own words are in every mention: never suggest excluding them.
    own = {word for term in terms_of(query.tree()) for word in term.key.lstrip("#@").split()}
    return [
        found.term
        for found in rising_terms(noise, signal, min_count=2)
        if not own & set(found.term.split()) and found.z > 0
    ][:top]
