"""How a variant will look on its network, for the composer's preview.

Only data is made here (tokens, cut points, crop ratios); the partials render it with Django's
autoescaping, so nothing typed in the composer ever becomes HTML. The length and the cut of an
over-long text are computed with the connector's own `Rules.count`, so the preview and the
check agree with what the connector will send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse

from liant.connectors.base import Rules
from liant.media.images import crop_box
from liant.publishing.validation import Check, check_variant, rules_of, text_with_link

if TYPE_CHECKING:
    from liant.channels.models import Channel
    from liant.media.models import LinkCard, MediaItem

# How each network lays a post out; an unknown kind gets the plain "social" look.
FAMILIES = {
    "mastodon": "social",
    "bluesky": "social",
    "discourse": "social",
    "space": "social",
    "feed": "social",
    "email": "social",
    "facebook": "feed",
    "linkedin": "feed",
    "reddit": "feed",
    "youtube": "feed",
    "x": "x",
    "instagram": "square",
    "tiktok": "square",
    "telegram": "chat",
    "discord": "chat",
    "slack": "chat",
    "whatsapp": "chat",
    "matrix": "chat",
}

# Where a network folds a long text behind "See more", in characters. The networks fold by
# lines at the reader's screen width; these are the lengths a reader sees on a phone.
FOLDS = {"facebook": 480, "linkedin": 210, "instagram": 125, "tiktok": 100, "x": 280}

# Networks that show a link shortened (scheme dropped, long paths cut), as they display it.
SHORTENS_LINKS = {"social", "x"}
SHORT_LINK = 30

TOKEN_RE = re.compile(
    r"(?P<link>https?://[^\s<>\"']+)"
    r"|(?<![\w#])(?P<tag>#\w+)"
    r"|(?<![\w@])(?P<mention>@\w[\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)",
    re.IGNORECASE,
)
TRAILING = ".,;:!?)]}'\""
FIELDS = ("text", "link", "content_warning", "thread")  # the composer's fields it reads
MAX_POLLS = 10  # a card still being read after this many asks is left out


@dataclass
class Token:
    kind: str  # text | link | tag | mention
    text: str

    @property
    def display(self) -> str:
        return self.text


@dataclass
class LinkToken(Token):
    shorten: bool = False

    @property
    def display(self) -> str:
        if not self.shorten:
            return self.text
        bare = re.sub(r"^https?://(www\.)?", "", self.text, flags=re.IGNORECASE)
        return bare if len(bare) <= SHORT_LINK else bare[: SHORT_LINK - 1] + "…"


def tokens(text: str, shorten: bool = False) -> list[Token]:
    """The text cut into plain runs, links, hashtags and mentions (punctuation after a link
    or a mention is text, as the networks read it)."""
    found: list[Token] = []
    at = 0
    for match in TOKEN_RE.finditer(text):
        kind = match.lastgroup or "text"
        value = match.group()
        stripped = value.rstrip(TRAILING) if kind in {"link", "mention"} else value
        if len(stripped) <= 1:
            continue
        if match.start() > at:
            found.append(Token("text", text[at : match.start()]))
        found.append(
            LinkToken(kind, stripped, shorten) if kind == "link" else Token(kind, stripped)
        )
        at = match.start() + len(stripped)
    if at < len(text):
        found.append(Token("text", text[at:]))
    return found


def split_tokens(found: list[Token], at: int) -> tuple[list[Token], list[Token]]:
    """The tokens before and after character `at` (a token across it is cut in two)."""
    before: list[Token] = []
    after: list[Token] = []
    seen = 0
    for token in found:
        end = seen + len(token.text)
        if end <= at:
            before.append(token)
        elif seen >= at:
            after.append(token)
        else:
            cut = at - seen
            before.append(Token(token.kind, token.text[:cut]))
            after.append(Token(token.kind, token.text[cut:]))
        seen = end
    return before, after


def fitting_length(text: str, rules: Rules) -> int:
    """The longest start of `text` that fits the network's limit, counted its way (URLs
    as 23 on Mastodon, graphemes on Bluesky, weights on X)."""
    if rules.max_length is None or rules.count(text) <= rules.max_length:
        return len(text)
    low, high = 0, len(text)
    while low < high:  # the count grows with the text: the longest fitting start
        middle = (low + high + 1) // 2
        if rules.count(text[:middle]) <= rules.max_length:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass
class Body:
    """One post's text: what is shown, what hides behind "See more", what is over."""

    shown: list[Token]
    folded: list[Token] = field(default_factory=list)
    over: str = ""  # beyond the network's limit: not sent as it is
    remaining: int | None = None

    @property
    def summary(self) -> str:
        """The counter's words ("12 characters left"), as the composer's check says them."""
        return Check(self.remaining, []).summary


def body_of(text: str, rules: Rules, fold: int | None, shorten: bool) -> Body:
    cut = fitting_length(text, rules)
    kept, over = text[:cut], text[cut:]
    found = tokens(kept, shorten)
    folded: list[Token] = []
    if fold is not None and len(kept) > fold + 20:  # a few words more are not folded
        # Fold at the last space before the limit, as the networks do.
        space = kept.rfind(" ", 0, fold)
        found, folded = split_tokens(found, space if space > fold // 2 else fold)
    return Body(found, folded, over, rules.remaining(text))


@dataclass
class Picture:
    name: str
    alt: str
    url: str  # empty: no thumbnail to show (a file uploaded in the composer)
    aspect: str  # CSS aspect-ratio, as the network crops it
    position: str  # CSS object-position: the focal point stays in view
    video: bool = False


def picture_of(item: MediaItem, rules: Rules, workspace_slug: str, language: str) -> Picture:
    width, height = item.width or 1, item.height or 1
    box = crop_box(width, height, rules.image_ratio, (item.focal_x, item.focal_y))
    if box is not None:
        width, height = box[2] - box[0], box[3] - box[1]
    return Picture(
        name=item.name,
        alt=item.alt_text(language),
        url=reverse("media_thumbnail", kwargs={"ws": workspace_slug, "pk": item.pk}),
        # Formatted here, not in the template: a French locale would write "1,5".
        aspect=f"{width} / {height}",
        position=f"{item.focal_x * 100:.0f}% {item.focal_y * 100:.0f}%",
        video=item.is_video,
    )


@dataclass
class Preview:
    family: str
    network: str
    channel_name: str
    body: Body
    check: Check
    content_warning: str = ""
    parts: list[Body] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    card: LinkCard | None = None
    card_pending: bool = False
    link: str = ""
    max_polls: int = MAX_POLLS

    @property
    def empty(self) -> bool:
        return not (self.body.shown or self.body.over or self.pictures)


def first_link(text: str) -> str:
    for token in tokens(text):
        if token.kind == "link":
            return token.text
    return ""


def build(
    channel: Channel,
    text: str,
    link: str = "",
    content_warning: str = "",
    thread: list[str] | None = None,
    items: list[MediaItem] | None = None,
    media: list[tuple[str, int]] | None = None,
    language: str = "fr",
    with_card: bool = True,
) -> Preview:
    """The preview of one variant. `items` are library items (shown cropped), `media` the
    (type, size) of every attached file, for the check."""
    from liant.media import linkcards  # noqa: PLC0415 - media imports publishing lazily too

    rules = rules_of(channel)
    family = FAMILIES.get(channel.kind, "social")
    shorten = family in SHORTENS_LINKS
    full = text_with_link(text, link)
    fold = FOLDS.get(channel.kind)
    slug = channel.workspace.slug
    pictures = [picture_of(item, rules, slug, language) for item in items or []]
    preview = Preview(
        family=family,
        network=channel.kind_label,
        channel_name=channel.name,
        body=body_of(full, rules, fold, shorten),
        check=check_variant(channel, text, link, content_warning, thread, media),
        content_warning=content_warning.strip() if rules.content_warning else "",
        parts=[body_of(part, rules, None, shorten) for part in thread or []]
        if rules.threads
        else [],
        pictures=pictures,
    )
    # The networks show a card for the first link, and only when no image is attached.
    url = link or first_link(full)
    if with_card and rules.links == "card" and url and not pictures and not media:
        preview.link = url
        preview.card, preview.card_pending = linkcards.card_for(channel.workspace, url)
    return preview
