"""Listening's KPIs for analytics: how much is said about the brand, how much of it is
negative, the brand's share of voice against its competitors, and the e-reputation index, on
the same mentions and with the same formula as the listening dashboard
(liant.listening.stats.reputation_index)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register, shared
from liant.core.models import Workspace
from liant.listening.models import Mention, MentionMatch, QueryKind, Sentiment
from liant.listening.stats import OURS


def _about_us(workspace: Workspace, start: datetime, end: datetime) -> QuerySet[Mention]:
    # Matched by one of the brand's own queries (brand, product, person), not only by a
    # competitor's; a mention matched by two of them counts once. Irrelevant ones are out,
    # copies (reposts) are in: they are volume, as on the listening dashboard.
    ours = MentionMatch.objects.filter(mention=OuterRef("pk"), query__kind__in=OURS)
    return Mention.objects.filter(
        workspace=workspace, occurred_at__gte=start, occurred_at__lt=end, irrelevant=False
    ).filter(Exists(ours))


def _counts(workspace: Workspace, start: datetime, end: datetime) -> dict[str, int]:
    # The three KPIs below read the same counts: one query per day for all three.
    return shared(
        ("listening.counts", workspace.pk, start, end),
        lambda: _about_us(workspace, start, end).aggregate(
            all=Count("id"),
            negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
            positive=Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
        ),
    )


def mentions(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(value=_counts(workspace, start, end)["all"])


def negative_share(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    c = _counts(workspace, start, end)
    return Measure(value=c["negative"], weight=c["all"])


def reputation(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # 50 + 50 × (P − N) ÷ T written as one fraction, (50·T + 50·(P − N)) ÷ T, so the days'
    # numerators and denominators add up to the period's index exactly.
    c = _counts(workspace, start, end)
    return Measure(value=50 * c["all"] + 50 * (c["positive"] - c["negative"]), weight=c["all"])


def share_of_voice(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # One query on the matches (indexed by query and time), each mention counted once however
    # many queries found it; a mention naming the brand and a competitor is in both counts.
    c = MentionMatch.objects.filter(
        query__workspace=workspace,
        query__kind__in=(*OURS, QueryKind.COMPETITOR),
        occurred_at__gte=start,
        occurred_at__lt=end,
        mention__irrelevant=False,
    ).aggregate(
        all=Count("mention", distinct=True),
        ours=Count("mention", distinct=True, filter=Q(query__kind__in=OURS)),
    )
    return Measure(value=c["ours"], weight=c["all"])


register(
    KpiDef(
        key="listening.mentions",
        label=_("Mentions of the brand"),
        unit=_("mentions"),
        formula=_(
            "Mentions in the period matched by a query about the brand, its products or its "
            "people (competitors left out), each counted once; those marked irrelevant are "
            "left out, reposts are counted."
        ),
        module="listening",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=mentions,
        link=("listening_mentions", "copies=1"),
    )
)
register(
    KpiDef(
        key="listening.negative",
        label=_("Share of negative mentions"),
        unit=_("%"),
        formula=_("Negative mentions of the brand ÷ all mentions of the brand, × 100."),
        module="listening",
        higher_is_better=False,
        kind=Kind.RATIO,
        compute=negative_share,
        scale=100,
        link=("listening_mentions", "sentiment=negative&copies=1"),
        decimals=1,
    )
)
register(
    KpiDef(
        key="listening.share_of_voice",
        label=_("Share of voice"),
        unit=_("%"),
        formula=_(
            "Mentions of the brand ÷ mentions of the brand or of a competitor (each mention "
            "counted once, whatever the number of queries that found it), × 100; queries "
            "about a topic are left out, so are mentions marked irrelevant."
        ),
        module="listening",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=share_of_voice,
        scale=100,
        link=("listening", ""),
        decimals=1,
    )
)
register(
    KpiDef(
        key="listening.reputation",
        label=_("E-reputation index"),
        unit=_("/ 100"),
        formula=_(
            "50 + 50 × (positive mentions − negative mentions) ÷ all mentions of the brand: "
            "0 when everything said is negative, 50 when it balances out, 100 when "
            "everything is positive."
        ),
        module="listening",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=reputation,
        link=("listening", ""),
        decimals=1,
    )
)
