"""Members write Markdown; what is shown is HTML rendered once, on save, and sanitized.

Rendering on save (not on display) keeps topic pages cheap to serve and means the stored
`body_html` is the only HTML any page marks safe: nh3 has already removed scripts, event
handlers, styles and `javascript:` links from it.
"""

from __future__ import annotations

import markdown
import nh3

# What a discussion needs, and nothing that can load or run anything: no images (a remote
# image is a tracking pixel on a page members read), no iframes, no forms, no styles.
TAGS = {
    "p",
    "br",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "hr",
}
ATTRIBUTES = {"a": {"href", "title"}}


def render(text: str) -> str:
    """Markdown → safe HTML. Raw HTML inside the Markdown is kept only as far as nh3 allows."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def one_line(text: str) -> str:
    """A one-line field (a name, a title) with its whitespace folded. It is kept as typed,
    not stripped of markup: templates escape it, and stripping would turn "Recettes &
    méthodes" into "Recettes &amp; méthodes" once escaped again."""
    return " ".join((text or "").split())
