"""Link cards: the title, description and image a page declares in its Open Graph or Twitter
card tags, as the networks that show a card will show it.

The page is hostile until proven otherwise: it is read in the job worker (never in the
composer's request) through HttpClient, which refuses private addresses at every redirect,
stops reading past a size and gives up after a timeout; only HTML is parsed, the values are
kept as plain text (the templates escape them) and the image goes through the library's
upload checks like any upload.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone

from liant.connectors.base import ConnectorError
from liant.connectors.http import HttpClient
from liant.core.models import Workspace
from liant.media import images, library
from liant.media.models import LinkCard

log = logging.getLogger(__name__)

FRESH = timedelta(days=1)  # a card is read again after a day
FAILED_FRESH = timedelta(hours=1)  # a page that could not be read is tried again sooner
PENDING_FOR = timedelta(minutes=2)  # a job not done by then is asked again
TIMEOUT = 5.0  # seconds, per connection and per read
# Seconds for the whole fetch (redirects and body): a page dripping bytes under the read
# timeout would otherwise hold a worker until MAX_PAGE_BYTES.
DEADLINE = 10.0
MAX_PAGE_BYTES = 2_000_000
MAX_IMAGE_BYTES = 8_000_000
MAX_REDIRECTS = 5
MAX_URL = 2000
FEED_CHUNK = 16_384
HTML_TYPES = ("text/html", "application/xhtml+xml")
CARD_TAG = "link-card"  # the library tag of card images

TITLE_KEYS = ("og:title", "twitter:title")
DESCRIPTION_KEYS = ("og:description", "twitter:description", "description")
IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)
SITE_KEYS = ("og:site_name", "twitter:site")
WANTED = {*TITLE_KEYS, *DESCRIPTION_KEYS, *IMAGE_KEYS, *SITE_KEYS}
CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


class NotACard(ValueError):
    pass


@dataclass
class CardData:
    url: str  # where the page was found, after redirects
    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def plain(value: str, limit: int) -> str:
    """One line of text: no control or direction-changing characters, spaces collapsed."""
    text = " ".join(CONTROL_RE.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class HeadParser(HTMLParser):
    """Reads <meta> and <title> until the page's body starts (the tags live in <head>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.title = ""
        self.in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key in WANTED and key not in self.found and values.get("content"):
                self.found[key] = values["content"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.done and len(self.title) < 1000:
            self.title += data


def decoded(response: httpx.Response) -> str:
    """The page as text: the charset the server names, else the one the page declares,
    else UTF-8; bytes that do not decode become U+FFFD instead of failing."""
    names = [response.charset_encoding or ""]
    declared = CHARSET_RE.search(response.content[:4096])
    if declared:
        names.append(declared.group(1).decode("ascii", "replace"))
    for name in names:
        try:
            codec = codecs.lookup(name) if name else None
        except LookupError:
            continue
        if codec is not None:
            return response.content.decode(codec.name, "replace")
    return response.content.decode("utf-8", "replace")


def first(found: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((found[key] for key in keys if found.get(key, "").strip()), "")


def parse(html: str, url: str) -> CardData:
    parser = HeadParser()
    # Fed in pieces and left once the head is read: a page's body (megabytes of it, maybe
    # crafted to be slow to parse) is never parsed.
    for start in range(0, len(html), FEED_CHUNK):
        parser.feed(html[start : start + FEED_CHUNK])
        if parser.done:
            break
    else:
        parser.close()
    found = parser.found
    image = first(found, IMAGE_KEYS).strip()
    if image:
        image = urljoin(url, image)
        if urlsplit(image).scheme not in {"http", "https"}:
            image = ""  # data:, javascript: or file: is no image to fetch
    return CardData(
        url=url,
        title=plain(first(found, TITLE_KEYS) or parser.title, 300),
        description=plain(first(found, DESCRIPTION_KEYS), 500),
        site_name=plain(first(found, SITE_KEYS), 200),
        image_url=image[:MAX_URL],
    )


def seconds_now() -> float:
    return time.monotonic()


def client(transport: httpx.BaseTransport | None, max_bytes: int) -> HttpClient:
    return HttpClient(
        timeout=TIMEOUT,
        deadline=DEADLINE,
        monotonic=seconds_now,
        retries=0,  # a preview is not worth hammering a page for
        max_redirects=MAX_REDIRECTS,
        max_bytes=max_bytes,
        transport=transport,
        headers={"Accept": "text/html,application/xhtml+xml;q=0.9"},
    )


def read_card(url: str, transport: httpx.BaseTransport | None = None) -> CardData:
    """The page's card; raises ConnectorError (unreachable, private, too big) or NotACard."""
    with client(transport, MAX_PAGE_BYTES) as http:
        response = http.get(url)
    if response.status_code != 200:
        raise NotACard(f"HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        raise NotACard(f"not a web page ({content_type[:80] or 'no type'})")
    card = parse(decoded(response), str(response.request.url))
    if not (card.title or card.description or card.image_url):
        raise NotACard("the page declares nothing to show")
    return card


def image_of(
    workspace: Workspace, image_url: str, transport: httpx.BaseTransport | None = None
) -> library.Stored | None:
    """The card's image, kept in the library after the upload checks; None when it cannot
    be fetched or is refused (the card is shown without it)."""
    limit = min(MAX_IMAGE_BYTES, library.max_bytes())
    try:
        with client(transport, limit) as http:
            response = http.get(image_url)
    except ConnectorError as exc:
        log.info("card image %s not fetched: %s", image_url, exc.message)
        return None
    if response.status_code != 200 or not response.content:
        return None
    name = os.path.basename(urlsplit(image_url).path) or "card"
    try:
        return library.store_bytes(workspace, response.content, name, tags=[CARD_TAG])
    except images.Refused as refused:
        log.info("card image %s refused: %s", image_url, refused)
        return None


def refresh(card: LinkCard, transport: httpx.BaseTransport | None = None) -> LinkCard:
    """Read the card's page again and keep what it says (or why it could not be read)."""
    old_image = card.image
    try:
        data = read_card(card.url, transport)
    except ConnectorError as exc:
        card.status, card.error = LinkCard.Status.FAILED, exc.message[:500]
    except NotACard as exc:
        card.status, card.error = LinkCard.Status.FAILED, str(exc)[:500]
    else:
        stored = image_of(card.workspace, data.image_url, transport) if data.image_url else None
        card.status, card.error = LinkCard.Status.READY, ""
        card.title, card.description, card.site_name = data.title, data.description, data.site_name
        card.image = stored.item if stored else None
    card.fetched_at = timezone.now()
    card.save()
    if old_image is not None and old_image != card.image:
        library.delete_item(old_image)  # kept when a post uses it
    return card


def card_for(workspace: Workspace, url: str) -> tuple[LinkCard | None, bool]:
    """(card, pending) for the composer: the card read in the last day, else a job asked to
    read it (pending: the preview asks again in a moment). Never fetches here."""
    url = url.strip()
    if len(url) > MAX_URL or urlsplit(url).scheme.lower() not in {"http", "https"}:
        return None, False
    now = timezone.now()
    key = url_hash(url)
    card = (
        LinkCard.objects.filter(workspace=workspace, url_hash=key).select_related("image").first()
    )
    if card is not None:
        age = now - card.fetched_at
        if card.status == LinkCard.Status.READY and age < FRESH:
            return card, False
        if card.status == LinkCard.Status.FAILED and age < FAILED_FRESH:
            return None, False
        if card.status == LinkCard.Status.PENDING and age < PENDING_FOR:
            return None, True
    shown = card if card is not None and card.status == LinkCard.Status.READY else None
    if card is None:
        try:
            with transaction.atomic():
                card = LinkCard.objects.create(workspace=workspace, url_hash=key, url=url)
        except IntegrityError:  # asked at the same moment by another request
            return None, True
    else:
        # The old card stays shown while it is read again.
        LinkCard.objects.filter(pk=card.pk).update(
            status=LinkCard.Status.PENDING if shown is None else card.status, fetched_at=now
        )
    card_id = card.pk
    transaction.on_commit(lambda: schedule(card_id))
    return shown, True


def schedule(card_id: int) -> None:
    from liant.media import tasks  # noqa: PLC0415 - tasks imports this module

    tasks.fetch_link_card(card_id)
