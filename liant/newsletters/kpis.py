"""Newsletters' KPIs for analytics, counted from the stored rows (one Send per recipient, one
Subscriber per list and member), as the campaign pages count them (stats.py).

Opens and clicks exist only for campaigns whose author switched measuring on (tracking.py),
so their rates are over those campaigns' copies alone: a campaign that measured nothing
would otherwise read as one nobody opened. A rate is counted on the day the copies went out
(opens and clicks that come later change that day, which the nightly roll-up recomputes for
a week), so its numerator and denominator are the same copies.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liant.analytics.registry import Kind, KpiDef, Measure, register, shared
from liant.core.models import Workspace
from liant.newsletters.models import Send, SendState, Subscriber


def _sent(workspace: Workspace, start: datetime, end: datetime) -> QuerySet[Send]:
    return Send.objects.filter(
        campaign__workspace=workspace,
        state=SendState.SENT,
        sent_at__gte=start,
        sent_at__lt=end,
    )


def sent(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    return Measure(value=_sent(workspace, start, end).count())


def _delivered_measured(workspace: Workspace, start: datetime, end: datetime) -> QuerySet[Send]:
    # Delivered as the campaign page counts it: sent, and no bounce came back.
    return _sent(workspace, start, end).filter(campaign__track=True, bounced_at__isnull=True)


def _measured(workspace: Workspace, start: datetime, end: datetime) -> dict[str, int]:
    # Open and click rates count the same copies: one query for both within a pass.
    return shared(
        ("newsletters.measured", workspace.pk, start, end),
        lambda: _delivered_measured(workspace, start, end).aggregate(
            all=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            # clicked_at is set once per copy, at its first click: people, not clicks.
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        ),
    )


def open_rate(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    c = _measured(workspace, start, end)
    return Measure(value=c["opened"], weight=c["all"])


def click_rate(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    c = _measured(workspace, start, end)
    return Measure(value=c["clicked"], weight=c["all"])


def unsubscribes(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # From the subscriber rows, not the sends: leaving through the preference page or by a
    # spam complaint is leaving too, and a person erased (GDPR) did not unsubscribe.
    return Measure(
        value=Subscriber.objects.filter(
            workspace=workspace, unsubscribed_at__gte=start, unsubscribed_at__lt=end
        ).count()
    )


def hard_bounces(workspace: Workspace, start: datetime, end: datetime) -> Measure:
    # A DSN with a 5.x.x status (bounces.py); soft ones (4.x.x) are only counted there.
    return Measure(
        value=Send.objects.filter(
            campaign__workspace=workspace,
            bounced_at__gte=start,
            bounced_at__lt=end,
            bounce_status__startswith="5",
        ).count()
    )


register(
    KpiDef(
        key="newsletters.sent",
        label=_("Newsletters sent"),
        unit=_("e-mails"),
        formula=_(
            "Copies of campaigns handed to the mail server in the period, one per recipient "
            "(bounced ones included)."
        ),
        module="newsletters",
        higher_is_better=None,
        kind=Kind.SUM,
        compute=sent,
        link=("newsletters", ""),
    )
)
register(
    KpiDef(
        key="newsletters.open_rate",
        label=_("Newsletter open rate (approximate)"),
        unit=_("%"),
        formula=_(
            "Copies opened ÷ copies delivered (sent and not bounced), × 100, over the copies "
            "sent in the period by campaigns that measure opens. Approximate: an open is "
            "counted when the mail's invisible image is loaded, which many mail programs "
            "block (an open missed) and some load in advance (an open nobody made); a click "
            "counts as an open."
        ),
        module="newsletters",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=open_rate,
        scale=100,
        link=("newsletters", ""),
        decimals=1,
    )
)
register(
    KpiDef(
        key="newsletters.click_rate",
        label=_("Newsletter click rate"),
        unit=_("%"),
        formula=_(
            "People who clicked at least one link ÷ copies delivered (sent and not bounced), "
            "× 100, over the copies sent in the period by campaigns that measure clicks."
        ),
        module="newsletters",
        higher_is_better=True,
        kind=Kind.RATIO,
        compute=click_rate,
        scale=100,
        link=("newsletters", ""),
        decimals=1,
    )
)
register(
    KpiDef(
        key="newsletters.unsubscribes",
        label=_("Newsletter unsubscribes"),
        unit=_("unsubscribes"),
        formula=_(
            "People who left a list in the period (unsubscribe link, preference page or "
            "spam complaint), once per list they left."
        ),
        module="newsletters",
        higher_is_better=False,
        kind=Kind.SUM,
        compute=unsubscribes,
        link=("newsletters", ""),
    )
)
register(
    KpiDef(
        key="newsletters.hard_bounces",
        label=_("Hard bounces"),
        unit=_("e-mails"),
        formula=_(
            "Copies for which a permanent failure notice (status 5.x.x) came back in the "
            "period: the address does not work and is no longer written to. Addresses the "
            "mail server refused at once are not counted."
        ),
        module="newsletters",
        higher_is_better=False,
        kind=Kind.SUM,
        compute=hard_bounces,
        link=("newsletters", ""),
    )
)
