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
