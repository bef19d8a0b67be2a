"""Listening's analytics dashboard: the brand's mentions by sentiment, day by day.

Read from the daily roll-ups of the three listening KPIs, not from the mentions: each day
keeps all mentions (T), the negative ones (N, the numerator of the negative share) and the
e-reputation numerator 50·T + 50·(P − N), from which P follows exactly."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liant.analytics.breakdowns import Stack, register
from liant.analytics.registry import Measure


def by_sentiment(daily: dict[str, list[Measure]]) -> list[tuple[str, list[float]]]:
    positive, neutral, negative = [], [], []
    for total, neg, rep in zip(
        daily["listening.mentions"],
        daily["listening.negative"],
        daily["listening.reputation"],
        strict=True,
    ):
        t, n = total.value, neg.value
        p = n + (rep.value - 50 * t) / 50
        positive.append(p)
        negative.append(n)
        neutral.append(max(0.0, t - p - n))
    return [
        (gettext("Negative"), negative),
        (gettext("Neutral"), neutral),
        (gettext("Positive"), positive),
    ]


register(
    Stack(
        key="listening.sentiment",
        module="listening",
        title=_("Mentions of the brand by sentiment"),
        unit=_("mentions"),
        needs=("listening.mentions", "listening.negative", "listening.reputation"),
        layers=by_sentiment,
        explanation=_(
            "The brand's mentions of each day (as counted for “Mentions of the brand”), split "
            "into negative, neutral and positive; the top edge is the day's total."
        ),
    )
)
