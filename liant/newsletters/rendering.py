"""A campaign written once in Markdown, turned into the e-mail a mail client shows well.

Mail clients ignore or strip <style> blocks (Gmail on some apps, Outlook), so the CSS is
inlined into style attributes by css-inline (a maintained Rust inliner). The text part is
the Markdown source itself: Markdown was designed to read well as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import css_inline
import markdown
import nh3
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.newsletters.models import Campaign

UNSUBSCRIBE_SALT = "liant.newsletters.unsubscribe"
TAGS = {
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code",
    "pre", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}}
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass
class Rendered:
    subject: str
    preheader: str
    html: str
    text: str
    language: str


def language_for(campaign: Campaign, member_language: str, fallback: str = "fr") -> str:
    """The member's language when the campaign has a version in it, else the other one."""
    available = campaign.languages() or [fallback]
    wanted = (member_language or fallback)[:2].lower()
    if wanted in available:
        return wanted
    return fallback if fallback in available else available[0]


def unsubscribe_token(subscriber_id: int, send_id: int | None = None) -> str:
    # No expiry: an unsubscribe link from a mail of two years ago must still work.
    return signing.dumps([subscriber_id, send_id or 0], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    subscriber_id, send_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(subscriber_id), (int(send_id) or None)


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("newsletters_unsubscribe", args=[token])


def render(campaign: Campaign, language: str, unsubscribe_link: str = "") -> Rendered:
    subject = getattr(campaign, f"subject_{language}") or campaign.subject_fr or campaign.subject_en
    preheader = getattr(campaign, f"preheader_{language}")
    body = getattr(campaign, f"body_{language}") or campaign.body_fr or campaign.body_en
    # Written by the workspace's managers, still sanitized: a pasted snippet must not carry
    # a script or a form into thousands of mailboxes.
    content = nh3.clean(
        markdown.markdown(body, extensions=["tables", "sane_lists"]),
        tags=TAGS,
        attributes=ATTRIBUTES,
        link_rel=None,
    )
    with translation.override(language):
        html = render_to_string(
            "newsletters/email.html",
            {
                "subject": subject,
                "preheader": preheader,
                "content": content,
                "unsubscribe_link": unsubscribe_link,
                "sender_name": campaign.sender_name,
                "language": language,
            },
        )
        footer = "\n\n-- \n" + _(
            "You receive this newsletter from %(sender)s because you subscribed to it."
        ) % {"sender": campaign.sender_name}
        if unsubscribe_link:
            footer += "\n" + _("Unsubscribe: %(link)s") % {"link": unsubscribe_link}
    return Rendered(subject, preheader, _INLINER.inline(html), body.strip() + footer, language)


def build_message(
    campaign: Campaign,
    rendered: Rendered,
    to: str,
    *,
    token: str,
    unsubscribe_link: str,
    unsubscribe_mailto: str,
    domain: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((campaign.sender_name, campaign.sender_address))
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    # The token in the Message-ID lets a bounce that quotes only the headers find its row.
    message["Message-ID"] = f"<{token}.nl{campaign.pk}@{domain}>"
    if unsubscribe_link:
        # RFC 8058: the HTTPS URI is what one-click clients POST to; the mailto is for the
        # clients that only know RFC 2369.
        targets = [f"<{unsubscribe_link}>"]
        if unsubscribe_mailto:
            targets.append(f"<mailto:{unsubscribe_mailto}>")
        message["List-Unsubscribe"] = ", ".join(targets)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"{campaign.mailing_list.name} <list{campaign.mailing_list_id}.{domain}>"
    message["Precedence"] = "bulk"  # tells auto-responders not to answer
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
