"""Network kind → label and the dotted path of its connector class.

Adding a network = one package under liant/connectors/ + one line here.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liant.connectors.base import Connector

KINDS: dict[str, tuple[str, str]] = {
    "feed": ("RSS / Atom / JSON Feed", "liant.connectors.feeds.connector.FeedConnector"),
    "email": ("E-mail (IMAP + SMTP)", "liant.connectors.email.connector.EmailConnector"),
    "mastodon": ("Mastodon", "liant.connectors.mastodon.connector.MastodonConnector"),
    "matrix": ("Matrix", "liant.connectors.matrix.connector.MatrixConnector"),
    "bluesky": ("Bluesky", "liant.connectors.bluesky.connector.BlueskyConnector"),
    "telegram": ("Telegram", "liant.connectors.telegram.connector.TelegramConnector"),
    "discord": ("Discord", "liant.connectors.discord.connector.DiscordConnector"),
    "space": ("Community space", "liant.space.connector.SpaceConnector"),
    "forms": ("Forms", "liant.leads.connector.FormsConnector"),
    "discourse": ("Discourse", "liant.connectors.discourse.connector.DiscourseConnector"),
    "reddit": ("Reddit", "liant.connectors.reddit.connector.RedditConnector"),
    "slack": ("Slack", "liant.connectors.slack.connector.SlackConnector"),
    "whatsapp": ("WhatsApp Business", "liant.connectors.whatsapp.connector.WhatsAppConnector"),
    "x": ("X", "liant.connectors.x.connector.XConnector"),
    "tiktok": ("TikTok", "liant.connectors.tiktok.connector.TikTokConnector"),
    "facebook": ("Facebook Pages", "liant.connectors.facebook.connector.FacebookConnector"),
    "instagram": ("Instagram", "liant.connectors.instagram.connector.InstagramConnector"),
    "linkedin": ("LinkedIn", "liant.connectors.linkedin.connector.LinkedInConnector"),
    "youtube": ("YouTube", "liant.connectors.youtube.connector.YouTubeConnector"),
}


def choices() -> list[tuple[str, str]]:
    return [(kind, label) for kind, (label, _path) in KINDS.items()]


@cache
def connector_class(kind: str) -> type[Connector]:
    try:
        _label, path = KINDS[kind]
    except KeyError:
        raise LookupError(f"No connector for {kind!r}") from None
    module, _, name = path.rpartition(".")
    cls: type[Connector] = getattr(import_module(module), name)
    return cls
