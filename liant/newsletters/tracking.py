"""Opens and clicks, only for a campaign whose author switched them on (off by default).

Off by default for privacy: a pixel tells the sender when (and roughly where) each person
opened the mail, and a rewritten link tells which links they followed; the people on a list
agreed to receive a newsletter, not to be watched reading it. When switched on, the figures
are approximate and said to be: many clients block images (no open counted), others fetch
every image in advance (an open counted that nobody made), and a click implies an open.

Links are replaced by /newsletters/c/<send token>/<n>/, where n is the link's place in the
campaign's own list (stored when sending starts): the redirect can only lead to a link the
campaign contains, never to an address given in the URL.
"""

from __future__ import annotations

import html as htmllib
import re

from django.conf import settings
from django.urls import reverse

from liant.newsletters import rendering

TOKEN = rendering.TRACKING_TOKEN  # stands for each copy's send token, replaced per copy
HREF = re.compile(r'href="(https?://[^"]+)"')


def links(html: str) -> list[str]:
    """The campaign's links in order of first appearance (unsubscribe excluded)."""
    found: list[str] = []
    for raw in HREF.findall(html):
        url = htmllib.unescape(raw)
        if url != rendering.PLACEHOLDER and url not in found:
            found.append(url)
    return found


def instrument(html: str, urls: list[str]) -> str:
    """Links through the click counter and a pixel at the end; TOKEN left to fill per copy."""
    index = {url: n for n, url in enumerate(urls)}
    base = settings.SITE_URL

    def swap(match: re.Match) -> str:
        url = htmllib.unescape(match.group(1))
        if url not in index:
            return match.group(0)
        return f'href="{base}{reverse("newsletters_click", args=[TOKEN, index[url]])}"'

    html = HREF.sub(swap, html)
    pixel = (
        f'<img src="{base}{reverse("newsletters_open", args=[TOKEN])}" width="1" height="1" '
        'alt="" style="display:block;border:0;width:1px;height:1px">'
    )
    return html.replace("</body>", pixel + "</body>", 1) if "</body>" in html else html + pixel
