"""Alerts before a bad buzz becomes a crisis: volume spikes, negative surges, influential
authors and crisis words. Each cause raises one alert (a unique key), so the sweep can run as
often as it likes; people who manage listening are told by e-mail, in their language."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import mean, pstdev

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liant.core.models import Membership, Workspace
from liant.core.permissions import PERMISSIONS
from liant.listening.models import (
    Alert,
    AlertKind,
    ListeningSettings,
    Mention,
    MentionMatch,
    Query,
    Rollup,
)
from liant.text.normalise import matching_form

BASELINE_WEEKS = 8  # same hour of the week, this many weeks back
SURGE_WINDOW = timedelta(hours=6)
SURGE_BEFORE = timedelta(days=7)
SURGE_MIN_NEGATIVE = 5
SURGE_MIN_RISE = 0.20  # share of negative mentions, in points
INFLUENCER_MEMORY = timedelta(days=30)
MENTION_BATCH = 2000


def _hour(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0)


def _raise(
    workspace: Workspace,
    query: Query,
    kind: str,
    key: str,
    about: datetime,
    figures: dict[str, object],
    mentions: Iterable[Mention] = (),
) -> Alert | None:
    """The alert, or None when this cause was already raised."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace=workspace,
                query=query,
                kind=kind,
                key=key,
                about=about,
                figures=figures,
            )
    except IntegrityError:
        return None
    alert.mentions.add(*mentions)
    return alert


def _hour_counts(query: Query, starts: list[datetime]) -> dict[datetime, Rollup]:
    return {
        r.start: r for r in Rollup.objects.filter(query=query, period=Rollup.HOUR, start__in=starts)
    }


def spike(
    workspace: Workspace, query: Query, limits: ListeningSettings, now: datetime
) -> Alert | None:
    """This hour against the same hour of the previous weeks (a Monday 9 h is compared with
    Mondays 9 h): mean + 3 deviations, at least twice the mean and at least the minimum."""
    hour = _hour(now)
    same_hours = [hour - timedelta(weeks=k) for k in range(1, BASELINE_WEEKS + 1)]
    first = (
        Rollup.objects.filter(query=query, period=Rollup.HOUR)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    if first is None:
        return None
    counts = _hour_counts(query, [hour, *same_hours])
    current = counts[hour].mentions if hour in counts else 0
    history = [counts[w].mentions if w in counts else 0 for w in same_hours if w >= first]
    if len(history) >= 2:
        expected, spread = mean(history), pstdev(history)
        weeks = len(history)
    else:  # a young query: the average hour of the last seven days
        total = (
            Rollup.objects.filter(
                query=query, period=Rollup.HOUR, start__gte=hour - timedelta(days=7), start__lt=hour
            ).aggregate(n=Sum("mentions"))["n"]
            or 0
        )
        expected, spread = total / (7 * 24), 0.0
        weeks = 0  # said as "the average hour of the last 7 days"
    threshold = expected + 3 * max(spread, math.sqrt(expected), 1.0)
    if current < limits.spike_min_mentions or current < threshold or current < 2 * expected:
        return None
    mentions = Mention.objects.filter(
        matches__query=query, occurred_at__gte=hour, occurred_at__lt=hour + timedelta(hours=1)
    )[:50]
    return _raise(
        workspace,
        query,
        AlertKind.SPIKE,
        hour.isoformat(),
        hour,
        {
            "mentions": current,
            "expected": round(expected, 1),
            "threshold": round(threshold, 1),
            "weeks": weeks,
        },
        mentions,
    )


def negative_surge(
    workspace: Workspace, query: Query, limits: ListeningSettings, now: datetime
) -> Alert | None:
    """The share of negative mentions in the last six hours against the week before."""
    hour = _hour(now)
    window_start = hour - SURGE_WINDOW + timedelta(hours=1)

    def shares(start: datetime, end: datetime) -> tuple[int, int]:
        sums = Rollup.objects.filter(
            query=query, period=Rollup.HOUR, start__gte=start, start__lt=end
        ).aggregate(n=Sum("mentions"), neg=Sum("negative"))
        return sums["n"] or 0, sums["neg"] or 0

    total_now, negative_now = shares(window_start, hour + timedelta(hours=1))
    total_before, negative_before = shares(window_start - SURGE_BEFORE, window_start)
    if total_now < limits.spike_min_mentions or negative_now < SURGE_MIN_NEGATIVE:
        return None
    share_now = negative_now / total_now
    share_before = negative_before / total_before if total_before else 0.0
    if share_now - share_before < SURGE_MIN_RISE or share_now < 1.5 * share_before:
        return None
    # One alert per six-hour block: a surge that lasts a day raises four, not twenty-four.
    block = hour.replace(hour=hour.hour - hour.hour % 6)
    mentions = Mention.objects.filter(
        matches__query=query, sentiment="negative", occurred_at__gte=window_start
    )[:50]
    return _raise(
        workspace,
        query,
        AlertKind.NEGATIVE,
        block.isoformat(),
        window_start,
        {
            "negative": negative_now,
            "mentions": total_now,
            "share": round(share_now, 3),
            "share_before": round(share_before, 3),
        },
        mentions,
    )


def _contains(folded_text: str, folded_term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(folded_term)}(?!\w)", folded_text) is not None


def per_mention(workspace: Workspace, limits: ListeningSettings) -> list[Alert]:
    """New influential authors and crisis words, on the mentions stored since the last sweep."""
    raised: list[Alert] = []
    crisis = [(term, matching_form(term)) for term in limits.crisis_list()]
    mentions = list(
        Mention.objects.filter(
            workspace=workspace, pk__gt=limits.last_alerted_mention_id, irrelevant=False
        ).order_by("pk")[:MENTION_BATCH]
    )
    if not mentions:
        return raised
    first_query = {
        m.mention_id: m.query
        for m in MentionMatch.objects.filter(mention__in=mentions).select_related("query")
    }
    crisis_hits: dict[tuple[str, Query], list[Mention]] = {}
    for mention in mentions:
        query = first_query.get(mention.pk)
        if query is None:
            continue
        if (
            mention.author_handle
            and mention.reach >= limits.influencer_followers
            and not Mention.objects.filter(
                workspace=workspace,
                author_handle=mention.author_handle,
                occurred_at__gte=mention.occurred_at - INFLUENCER_MEMORY,
                pk__lt=mention.pk,
            ).exists()
        ):
            alert = _raise(
                workspace,
                query,
                AlertKind.INFLUENCER,
                f"{mention.author_handle}:{mention.occurred_at:%Y-%m}",
                mention.occurred_at,
                {"author": mention.author_handle, "followers": mention.reach},
                [mention],
            )
            if alert:
                raised.append(alert)
        if crisis:
            folded = matching_form(mention.text)
            for term, folded_term in crisis:
                if _contains(folded, folded_term):
                    crisis_hits.setdefault((term, query), []).append(mention)
    for (term, query), found in crisis_hits.items():
        day = found[0].occurred_at.date().isoformat()
        alert = _raise(
            workspace,
            query,
            AlertKind.CRISIS,
            f"{term}:{day}",
            found[0].occurred_at,
            {"term": term, "mentions": len(found)},
            found,
        )
        if alert:
            raised.append(alert)
        else:  # the alert of the day exists: attach the new mentions to it
            existing = Alert.objects.get(
                workspace=workspace, kind=AlertKind.CRISIS, query=query, key=f"{term}:{day}"
            )
            existing.mentions.add(*found)
    ListeningSettings.objects.filter(pk=limits.pk).update(last_alerted_mention_id=mentions[-1].pk)
    return raised


def check(workspace: Workspace, now: datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    limits = ListeningSettings.of(workspace)
    raised = per_mention(workspace, limits)
    for query in Query.objects.filter(workspace=workspace, active=True):
        for rule in (spike, negative_surge):
            alert = rule(workspace, query, limits, now)
            if alert is not None:
                raised.append(alert)
    if raised:
        ids = [a.pk for a in raised]
        transaction.on_commit(lambda: tell(workspace, ids))
    return raised


def describe(alert: Alert) -> str:
    """One sentence, in the active language and time zone, saying what happened."""
    f = alert.figures
    when = formats.date_format(timezone.localtime(alert.about), "SHORT_DATETIME_FORMAT")
    if alert.kind == AlertKind.SPIKE:
        weeks = int(f.get("weeks") or 0)
        basis = (
            ngettext(
                "the same hour of the week over %(weeks)s week",
                "the same hour of the week over %(weeks)s weeks",
                weeks,
            )
            % {"weeks": weeks}
            if weeks
            else _("the average hour of the last 7 days")
        )
        return _(
            "%(mentions)s mentions of “%(query)s” in the hour from %(when)s, where about "
            "%(expected)s were expected (%(basis)s)."
        ) % {
            "mentions": f.get("mentions"),
            "query": alert.query.name,
            "when": when,
            "expected": f.get("expected"),
            "basis": basis,
        }
    if alert.kind == AlertKind.NEGATIVE:
        return _(
            "From %(when)s, %(share)s%% of the mentions of “%(query)s” were negative over six "
            "hours (%(negative)s of %(mentions)s), against %(before)s%% the week before."
        ) % {
            "when": when,
            "share": round(100 * float(f.get("share", 0))),
            "query": alert.query.name,
            "negative": f.get("negative"),
            "mentions": f.get("mentions"),
            "before": round(100 * float(f.get("share_before", 0))),
        }
    if alert.kind == AlertKind.INFLUENCER:
        return _("%(author)s (%(followers)s followers) talked about “%(query)s” on %(when)s.") % {
            "author": f.get("author"),
            "followers": f.get("followers"),
            "query": alert.query.name,
            "when": when,
        }
    return _(
        "The crisis word “%(term)s” appears in %(mentions)s mention(s) of “%(query)s”, "
        "the first on %(when)s."
    ) % {
        "term": f.get("term"),
        "mentions": alert.mentions.count(),
        "query": alert.query.name,
        "when": when,
    }


def tell(workspace: Workspace, alert_ids: list[int]) -> None:
    roles = PERMISSIONS["listening.manage"][1]
    people = [
        m.user
        for m in Membership.objects.filter(workspace=workspace, role__in=roles).select_related(
            "user"
        )
    ]
    alerts = list(Alert.objects.filter(pk__in=alert_ids).select_related("query"))
    link = django_settings.SITE_URL + reverse("listening_alerts", kwargs={"ws": workspace.slug})
    for person in people:
        with translation.override(person.language or workspace.language):
            lines = "\n".join(f"- {describe(alert)}" for alert in alerts)
            send_mail(
                _("Listening alert: %(workspace)s") % {"workspace": workspace.name},
                _("%(lines)s\n\nSee the mentions and acknowledge:\n%(link)s")
                % {"lines": lines, "link": link},
                None,
                [person.email],
            )
