from __future__ import annotations

from huey.contrib.djhuey import db_task

from liant.media import library
from liant.media.models import LinkCard, MediaItem


@db_task(retries=1, retry_delay=60)
def make_renditions(item_id: int) -> int:
    """After an upload, in the worker: each network's rendition, so publishing finds it made.
    A rendition missing at publishing time is made then (the publisher runs in the worker)."""
    item = MediaItem.objects.select_related("workspace").filter(pk=item_id).first()
    if item is None:  # deleted meanwhile
        return 0
    return library.make_renditions(item)


@db_task(retries=0)
def fetch_link_card(card_id: int) -> str:
    """Read a link card's page, in the worker: a slow or hostile page never holds a request."""
    from liant.media import linkcards  # noqa: PLC0415 - imports HttpClient only in the worker

    card = LinkCard.objects.select_related("workspace", "image").filter(pk=card_id).first()
    if card is None:
        return ""
    return linkcards.refresh(card).status
