"""A campaign written once in Markdown, turned into the e-mail a mail client shows well.

Mail clients ignore or strip <style> blocks (Gmail on some apps, Outlook), so the CSS is
inlined into style attributes by css-inline (a maintained Rust inliner). The text part is
the Markdown source itself: Markdown was designed to read well as plain text.
"""

from __future__ import annotations

import binascii
import email.policy
import secrets
from dataclasses import dataclass
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
# Stands for each recipient's unsubscribe link in a rendering shared by all of them; chosen
# so that Markdown, nh3 and css-inline leave it exactly as it is.
PLACEHOLDER = "https://liant.invalid/unsubscribe-link-placeholder"
# Stands for each copy's send token in a tracked campaign's links (a marker, not a secret).
TRACKING_TOKEN = "liant-send-token"  # noqa: S105
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


def unsubscribe_signer() -> signing.TimestampSigner:
    """What signs the links; a worker makes one per batch (its key is derived once)."""
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(
    subscriber_id: int, send_id: int | None = None, signer: signing.TimestampSigner | None = None
) -> str:
    # No expiry: an unsubscribe link from a mail of two years ago must still work.
    # The same token as signing.dumps(..., salt=UNSUBSCRIBE_SALT, compress=True).
    signer = signer or unsubscribe_signer()
    return signer.sign_object([subscriber_id, send_id or 0], compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    subscriber_id, send_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(subscriber_id), (int(send_id) or None)


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("newsletters_unsubscribe", args=[token])


def render(
    campaign: Campaign, language: str, unsubscribe_link: str = "", variant: int = 0
) -> Rendered:
    """`variant`: which subject of an A/B test (0, the campaign's own, when there is none)."""
    subject = campaign.variant_subject(variant, language)
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


def _fold(name: str, value: str) -> bytes:
    """One header line as the email package writes it: CRLF, folded, RFC 2047 words."""
    policy = email.policy.SMTP
    return policy.fold_binary(name, policy.header_store_parse(name, value)[1])


class MessageTemplate:
    """What every recipient's copy shares, encoded once; each copy is then a few string
    replacements and one quoted-printable pass in C (binascii).

    Building a full EmailMessage per recipient spent most of a worker's time in the email
    package's header parsing; this keeps the worker close to the speed of the SMTP peer.
    The output is plain RFC 5322/2045 MIME that the tests parse back with the email package.
    """

    def __init__(self, campaign: Campaign, rendered: Rendered, domain: str) -> None:
        fixed = [
            ("From", formataddr((campaign.sender_name, campaign.sender_address))),
            ("Subject", rendered.subject),
            ("List-Id", f"{campaign.mailing_list.name} <list{campaign.mailing_list_id}.{domain}>"),
            ("Precedence", "bulk"),  # tells auto-responders not to answer
            ("Auto-Submitted", "auto-generated"),
            ("MIME-Version", "1.0"),
        ]
        self.head = b"".join(_fold(name, value) for name, value in fixed)
        self.campaign_id = campaign.pk
        self.domain = domain
        self.text = rendered.text.replace("\r\n", "\n")
        self.html = rendered.html.replace("\r\n", "\n")
        self.boundary = "=_liant_" + secrets.token_hex(12)
        self.tracked = TRACKING_TOKEN in self.html

    def render(self, to: str, token: str, link: str = "", mailto: str = "") -> bytes:
        if to.isascii():
            head = [self.head, f"To: {to}\r\n".encode()]
        else:
            head = [self.head, _fold("To", to)]
        head.append(f"Date: {formatdate(localtime=False)}\r\n".encode())
        # The token in the Message-ID lets a bounce that quotes only the headers find its row.
        head.append(f"Message-ID: <{token}.nl{self.campaign_id}@{self.domain}>\r\n".encode())
        if link:
            # RFC 8058: the HTTPS URI is what one-click clients POST to; the mailto serves the
            # clients that only know RFC 2369. Folded after the comma: a URI is never split.
            value = f"<{link}>" + (f",\r\n <mailto:{mailto}>" if mailto else "")
            head.append(f"List-Unsubscribe: {value}\r\n".encode())
            head.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        b = self.boundary.encode()
        head.append(b'Content-Type: multipart/alternative; boundary="' + b + b'"\r\n\r\n')
        parts = []
        for subtype, body in (("plain", self.text), ("html", self.html)):
            if link:
                body = body.replace(PLACEHOLDER, link)
            if self.tracked and subtype == "html":
                body = body.replace(TRACKING_TOKEN, token)
            encoded = binascii.b2a_qp(body.encode(), istext=True).replace(b"\n", b"\r\n")
            parts.append(
                b"--" + b + b"\r\nContent-Type: text/" + subtype.encode()
                + b'; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
                + encoded + b"\r\n"
            )  # fmt: skip
        return b"".join(head) + b"".join(parts) + b"--" + b + b"--\r\n"


def message_bytes(
    campaign: Campaign,
    rendered: Rendered,
    to: str,
    *,
    token: str,
    unsubscribe_link: str = "",
    unsubscribe_mailto: str = "",
    domain: str,
) -> bytes:
    """One copy, for a test send (the campaign path reuses its MessageTemplate)."""
    return MessageTemplate(campaign, rendered, domain).render(
        to, token, unsubscribe_link, unsubscribe_mailto
    )
