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
