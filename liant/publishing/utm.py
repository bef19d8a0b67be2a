"""UTM parameters on a post's link, from its campaign, as the workspace configures them.

Tagged when the text is made for the network (publisher) and when it is checked before
scheduling, so the length counted is the length sent; the stored link stays as typed, so
changing the workspace's settings changes what goes out next, not what people wrote.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.text import slugify

from liant.publishing.models import Post, PublishingSettings


def tag(link: str, campaign: str, network: str, settings: PublishingSettings) -> str:
    """The link with utm_source/medium/campaign added; parameters already there are kept
    (someone who typed their own utm_campaign meant it)."""
    if not link or not campaign or not settings.utm_enabled:
        return link
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return link
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _value in query}
    wanted = {
        "utm_source": settings.utm_source.replace("{network}", network),
        "utm_medium": settings.utm_medium,
        "utm_campaign": slugify(campaign) or campaign,
    }
    query += [(k, v) for k, v in wanted.items() if v and k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def link_for(post: Post, link: str, network: str) -> str:
    if not link or not post.campaign:
        return link  # nothing to tag: no settings to read
    if Post.workspace.is_cached(post):
        settings = PublishingSettings.of_workspace(post.workspace)  # loaded with the post
    else:
        settings = PublishingSettings.of(post.workspace_id)
    return tag(link, post.campaign, network, settings)


def tagged_text(text: str, link: str, tagged: str) -> str:
    """A link written in the text itself gets the same parameters."""
    return text.replace(link, tagged) if link and tagged != link else text
