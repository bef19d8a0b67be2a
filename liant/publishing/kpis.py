"""Publishing's KPIs for analytics: what went out, against the strategy's rhythm, the
engagement it got and how many saw it. A deleted post takes its variants with it, so it
counts nowhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, FloatField, Min, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register, shared
from liant.core.models import Workspace
from liant.publishing.models import Variant
from liant.publishing.states import State
from liant.strategy.models import Rhythm


def _published(workspace: Workspace, start: datetime, end: datetime):
    return Variant.objects.filter(
        post__workspace=workspace,
        state=State.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    )


def posts_published(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A post out on three channels is one post, counted on the day its first variant went
    # out: the days then add up to the period without counting a post twice.
    candidates = _published(workspace, start, end).values("post_id")
    firsts = (
        Variant.objects.filter(
            post_id__in=candidates, state=State.PUBLISHED, published_at__isnull=False
        )
        .values("post_id")
        .annotate(first=Min("published_at"))
        .filter(first__gte=start, first__lt=end)
    )
    return Measure(value=firsts.count())


def rhythm(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    planned = (
        Rhythm.objects.filter(channel__workspace=workspace).aggregate(n=Sum("posts_per_week"))["n"]
        or 0
    )
    # Calendar days, not hours: the 25-hour day of a clock change is one day of the plan.
    days = round((end - start).total_seconds() / 86400)
    done = (
        _published(workspace, start, end)
        .filter(channel__workspace=workspace, channel__rhythm__isnull=False)
        .count()
    )
    return Measure(value=done, weight=planned * days / 7)


def engagement(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    sums = (
        _published(workspace, start, end)
        .filter(metrics__isnull=False)
        .aggregate(total=Sum("metrics__engagement"), n=Count("id"))
    )
    return Measure(value=sums["total"] or 0, weight=sums["n"])


def _looks(key: str, fallback: str | None = None) -> Sum:
    # A count the network keeps in the metrics' `values` (the latest fetch: one row per
    # variant, replaced each time). Cast to float: a network may send 12.0, which PostgreSQL
    # will not cast to an integer.
    # (KT("metrics__values__reach") would read "metrics" as the JSON field, across the join.)
    number: Cast | Coalesce = Cast(KeyTextTransform(key, "metrics__values"), FloatField())
    if fallback:
        other = Cast(KeyTextTransform(fallback, "metrics__values"), FloatField())
        number = Coalesce(number, other)
    return Sum(number)


def _looked(workspace: Workspace, start: datetime, end: datetime) -> dict[str, Any]:
    # Reach and impressions read the same published variants: one query for both.
    return shared(
        ("publishing.looked", workspace.pk, start, end),
        lambda: _published(workspace, start, end).aggregate(
            reach=_looks("reach"),
            # Facebook, Instagram, X and others now call them views; LinkedIn still
            # impressions.
            impressions=_looks("impressions", "views"),
        ),
    )


def reach(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(value=round(_looked(workspace, start, end)["reach"] or 0))


def impressions(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(value=round(_looked(workspace, start, end)["impressions"] or 0))


register(
    KpiDef(
        key="publishing.posts",
        label=_("Posts published"),
        unit=_("posts"),
        formula=_(
            "Posts with at least one variant published, counted on the day the first "
            "variant went out (a post on three channels counts once)."
        ),
        module="publishing",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=posts_published,
        link=("posts", "state=published"),
    )
)
register(
    KpiDef(
        key="publishing.rhythm",
        label=_("Published vs planned rhythm"),
        unit=_("%"),
        formula=_(
            "Publications on the channels that have a rhythm in the strategy ÷ the "
            "publications that rhythm plans for the period (posts per week × days ÷ 7), × 100."
        ),
        module="publishing",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=rhythm,
        scale=100,
        link=("calendar", ""),
    )
)
register(
    KpiDef(
        key="publishing.engagement",
        label=_("Interactions per publication"),
        unit=_("interactions"),
        formula=_(
            "Interactions (likes, reposts, replies… as each network counts them; not views) "
            "of the publications of the period ÷ the publications whose metrics came back."
        ),
        module="publishing",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=engagement,
        link=("best_time", ""),
        decimals=1,
    )
)

register(
    KpiDef(
        key="publishing.reach",
        label=_("Reach"),
        unit=_("accounts"),
        formula=_(
            "The sum, over the publications of the period, of the accounts each one reached "
            "as its network counted them when the metrics last came back (a person reached "
            "by two publications counts twice); networks that do not tell reach (Mastodon, "
            "Bluesky…) add nothing."
        ),
        module="publishing",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=reach,
        link=("posts", "state=published"),
    )
)
register(
    KpiDef(
        key="publishing.impressions",
        label=_("Impressions"),
        unit=_("views"),
        formula=_(
            "The sum, over the publications of the period, of the times each one was shown "
            "(impressions, or views where the network counts views instead) as its network "
            "counted them when the metrics last came back; networks that do not tell them "
            "add nothing."
        ),
        module="publishing",
        higher_is_better=True,
        kind=Kind.SUM,
        compute=impressions,
        link=("posts", "state=published"),
    )
)


def best_posts(workspace: Workspace, start: datetime, end: datetime, limit: int = 5) -> list:
    """The publications of [start, end) that got the most interactions (as the networks
    counted them when the metrics last came back), for the analytics reports."""
    return list(
        _published(workspace, start, end)
        .filter(metrics__isnull=False)
        .select_related("post", "channel", "metrics")
        .order_by("-metrics__engagement", "published_at")[:limit]
    )
