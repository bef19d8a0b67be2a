"""Demo data of the channels: a feed that Liant serves itself (liant/demo/static), so
fetching works offline."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.channels.models import Channel
from liant.demo.loader import DemoContext, step


@step(10)
def feed_channel(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    url = f"{settings.SITE_URL}/static/demo/feeds/journal-du-cafe.xml"
    Channel.objects.get_or_create(
        workspace=workspace,
        kind="feed",
        settings={"url": url},
        defaults={
            "name": "Le Journal du Café",
            "fetch_interval": 900,
            "created_by": context.users["camille"],
        },
    )
    context.notes.append(f"Feed channel: {url} (the worker fetches it within a minute)")


@step(11)
def email_channel(context: DemoContext) -> None:
    """The demo mailbox served on this machine by `python -m liant.demo.mailserver`."""
    from liant.demo import mailserver

    workspace = context.workspaces["maison-lumiere"]
    channel, created = Channel.objects.get_or_create(
        workspace=workspace,
        kind="email",
        name="Support e-mail",
        defaults={
            "settings": {
                "address": mailserver.ADDRESS,
                "display_name": "Maison Lumière",
                "imap_host": "127.0.0.1",
                "imap_port": mailserver.IMAP_PORT,
                "imap_security": "none",
                "mailbox": "INBOX",
                "smtp_host": "127.0.0.1",
                "smtp_port": mailserver.SMTP_PORT,
                "smtp_security": "none",
            },
            "fetch_interval": 120,
            "created_by": context.users["camille"],
        },
    )
    if created:
        channel.credentials = {"username": mailserver.ADDRESS, "password": mailserver.PASSWORD}
        channel.save(update_fields=Channel.CREDENTIAL_FIELDS)
    context.notes.append(f"E-mail channel: {mailserver.ADDRESS} (a mailbox on this machine)")


@step(12)  # before the inbox (130), moderation (140) and members (145) demos read events
def network_channels(context: DemoContext) -> None:
    """A channel with history for each network whose connector ships demo data
    (`liant/connectors/<kind>/demo.py`): disconnected, and saying so, until a real account
    is connected; its events are stored as a fetch would store them."""
    from liant.channels.fetching import store_events
    from liant.channels.models import Health
    from liant.connectors import registry
    from liant.connectors.base import FetchResult, Problem

    workspace = context.workspaces["maison-lumiere"]
    now = timezone.now()
    DEMO_NOTICE = Problem(  # noqa: N806 - a constant of this step
        _("Demo channel: its history is sample data. Connect a real account to fetch and publish.")
    )
    for kind in registry.KINDS:
        try:
            data = import_module(f"liant.connectors.{kind}.demo")
        except ModuleNotFoundError:
            continue
        channel, _created = Channel.objects.get_or_create(
            workspace=workspace,
            kind=kind,
            name=data.NAME,
            defaults={
                "settings": data.SETTINGS,
                "health": Health.DISCONNECTED,
                "last_error": DEMO_NOTICE.message,
                "last_error_detail": DEMO_NOTICE.detail(),
                "created_by": context.users["camille"],
            },
        )
        store_events(channel, FetchResult(data.events(now), cursor={}))
        context.notes.append(f"Demo channel: {data.NAME} ({kind}), sample history")


# Six months of follower counts for the demo channels: where each started, how many it gains
# on a usual day (a few more at weekends, when the shop posts most), and how many it had on
# the first day. Mastodon matches the strategy's objective (480 followers 90 days ago).
AUDIENCE_DAYS = 183
AUDIENCE_START = {  # kind: (followers 183 days ago, gained a day, following)
    "mastodon": (395, 0.95, 140),
    "bluesky": (120, 0.8, 60),
    "instagram": (2350, 6.0, 310),
    "facebook": (1840, 1.6, None),
    "x": (690, 0.4, 220),
    "linkedin": (310, 0.9, None),
    "youtube": (150, 0.5, None),
    "tiktok": (80, 3.5, 12),
    "telegram": (210, 0.7, None),
    "discord": (95, 0.6, None),
    "reddit": (160, 0.5, None),
}


@step(194)  # after every demo channel (12, 120, 145…), before the daily KPIs (195)
def audience_history(context: DemoContext) -> None:
    """A sample a day for six months, reproducible (a seeded random walk per network), so
    the overview shows followers growing. Days already kept are left alone."""
    import random
    from datetime import datetime, time, timedelta

    from liant.channels.audience import can_count
    from liant.channels.models import AudienceSample
    from liant.core.csvexport import local_today, zone_of

    workspace = context.workspaces["maison-lumiere"]
    today, zone = local_today(workspace), zone_of(workspace)
    first = today - timedelta(days=AUDIENCE_DAYS - 1)
    rows = []
    for channel in Channel.objects.filter(workspace=workspace).order_by("pk"):
        start = AUDIENCE_START.get(channel.kind)
        if start is None or not can_count(channel):
            continue
        followers, per_day, following = start
        walk = random.Random(f"audience-{channel.kind}")  # noqa: S311 - demo figures
        level = float(followers)
        for n in range(AUDIENCE_DAYS):
            day = first + timedelta(days=n)
            weekend = 1.6 if day.weekday() >= 5 else 1.0
            # Mostly gains, a few unfollows: some days end lower than the day before.
            level = max(0.0, level + walk.gauss(per_day * weekend, per_day * 1.2 + 0.6))
            rows.append(
                AudienceSample(
                    workspace=workspace,
                    channel=channel,
                    day=day,
                    followers=round(level),
                    following=None if following is None else following + n // 30,
                    collected_at=datetime.combine(day, time(6, 23), tzinfo=zone),
                )
            )
    AudienceSample.objects.bulk_create(rows, ignore_conflicts=True)
    context.notes.append(
        f"Audience: {AUDIENCE_DAYS} days of follower counts for "
        f"{len({r.channel_id for r in rows})} demo channels"
    )
