"""Link cards and previews: how long the composer's preview of one variant takes to build
(tokens, the network's count and cut), and how long a card's page takes to parse when its
head is followed by a large body (the parser stops at the body)."""

from __future__ import annotations

import time
from collections.abc import Callable

from liant.connectors.base import count_graphemes
from liant.connectors.mastodon.connector import MastodonConnector
from liant.media import linkcards
from liant.publishing import preview

DATABASE = False  # reads no table: `liant bench` skips the migrations for it

HEAD = (
    '<html><head><meta property="og:title" content="Salon du café">'
    '<meta property="og:image" content="/card.png"></head><body>'
)


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def run(report: Callable[..., None]) -> None:
    rules = MastodonConnector.rules
    text = "Bonjour #café @ami@exemple.social https://example.com/page " * 40  # 2,400 chars
    seconds = best_of(lambda: preview.body_of(text, rules, None, True))
    report("preview body, 2,400-char text over Mastodon's 500", seconds * 1000, "ms")
    graphemes = "👨‍👩‍👧 " * 600
    bluesky = type(rules)(max_length=300, count=count_graphemes)
    seconds = best_of(lambda: preview.body_of(graphemes, bluesky, None, True))
    report("preview body, 600 family emoji over Bluesky's 300", seconds * 1000, "ms")
    page = HEAD + "<p>" + "texte " * 300_000 + "</p></body></html>"  # ~1.8 MB
    seconds = best_of(lambda: linkcards.parse(page, "https://example.com/"))
    report("parse a 1.8 MB page (head then body)", seconds * 1000, "ms")
