"""Content from networks is hostile: only a small safe subset of HTML is ever stored."""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3

TAGS = {
    "a",
    "p",
    "br",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "img",
    "h1",
    "h2",
    "h3",
    "h4",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "span": set()}


def clean_html(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
    )


def clean_url(url: str) -> str:
    """Keep only http(s) links: a `javascript:` URL from a feed must never become a link."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme in {"http", "https"} else ""


def text_of(html: str) -> str:
    """Plain text of sanitized HTML, for search and analysis."""
    return " ".join(
        nh3.clean(html.replace("<br", " <br").replace("</p>", " </p>"), tags=set()).split()
    )
