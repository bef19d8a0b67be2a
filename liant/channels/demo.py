"""Demo data of the channels: a feed that Liant serves itself (liant/demo/static), so
fetching works offline."""

from __future__ import annotations

from django.conf import settings

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
        channel.save(update_fields=["credentials_json"])
    context.notes.append(f"E-mail channel: {mailserver.ADDRESS} (a mailbox on this machine)")
