"""A campaign written once in Markdown, turned into the e-mail a mail client shows well.

Mail clients ignore or strip <style> blocks (Gmail on some apps, Outlook), so the CSS is
inlined into style attributes by css-inline (a maintained Rust inliner). The text part is
the Markdown source itself: Markdown was designed to read well as plain text.
"""

from __future__ import annotations

import binascii
import email.policy
import hashlib
import hmac
import re
import secrets
import time
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


class UnsubscribeSigner:
    """Makes the tokens of signing.dumps([subscriber, send], salt=UNSUBSCRIBE_SALT,
    compress=True), which read_unsubscribe_token reads, with the key derived and the HMAC
    keyed once: a worker makes one per batch. Django's sign_object also serialises to JSON and
    tries zlib (never shorter for two numbers) each time: 126 us a token against ~20 here
    (1 Dec 2026). The tests compare both outputs, so a Django upgrade changing the format
    shows up there."""

    def __init__(self) -> None:
        key_salt = (UNSUBSCRIBE_SALT + "signer").encode()
        key = hashlib.sha256(key_salt + settings.SECRET_KEY.encode()).digest()
        self._mac = hmac.new(key, digestmod=hashlib.sha256)

    def token(self, subscriber_id: int, send_id: int) -> str:
        value = f"{signing.b64_encode(f'[{subscriber_id},{send_id}]'.encode()).decode()}:"
        value += signing.b62_encode(int(time.time()))
        mac = self._mac.copy()
        mac.update(value.encode())
        return f"{value}:{signing.b64_encode(mac.digest()).decode()}"


def unsubscribe_signer() -> UnsubscribeSigner:
    """What signs the links; a worker makes one per batch (its key is derived once)."""
    return UnsubscribeSigner()


def unsubscribe_token(
    subscriber_id: int, send_id: int | None = None, signer: UnsubscribeSigner | None = None
) -> str:
    # No expiry: an unsubscribe link from a mail of two years ago must still work.
    return (signer or unsubscribe_signer()).token(int(subscriber_id), int(send_id or 0))


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
        self.parts = [
            _EncodedPart("plain", self.text, tracked=False),
            _EncodedPart("html", self.html, tracked=self.tracked),
        ]

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
        values = {PLACEHOLDER: link or PLACEHOLDER, TRACKING_TOKEN: token}
        parts = [
            b"--" + b + b"\r\nContent-Type: text/" + part.subtype.encode()
            + b'; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
            + part.encode(values) + b"\r\n"
            for part in self.parts
        ]  # fmt: skip
        return b"".join(head) + b"".join(parts) + b"--" + b + b"--\r\n"


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")


# What a personal value may hold to stand in a quoted-printable body as it is: printable
# ASCII but "=" (links and tokens are; anything else takes the slow path).
_QP_LITERAL = re.compile(r"[!-<>-~]*")


class _EncodedPart:
    """A body shared by every copy, quoted-printable encoded once, around the places where
    each copy puts its own link and token.

    Each personal value goes on lines of its own between soft line breaks ("=" at the end of
    a line, which decoding removes), so the encoded pieces around it never change and no
    line grows past RFC 2045's 76 characters. Encoding the whole body per copy was a fifth
    of a worker's time (binascii, 1 Dec 2026).
    """

    def __init__(self, subtype: str, body: str, tracked: bool) -> None:
        self.subtype = subtype
        self.body = body
        markers = [PLACEHOLDER] + ([TRACKING_TOKEN] if tracked else [])
        pieces = re.split("(" + "|".join(re.escape(m) for m in markers) + ")", body)
        # Even indexes: the shared text, encoded; odd ones: which value goes there.
        self.pieces: list[bytes | str] = [
            _with_soft_break(_qp(piece)) if i % 2 == 0 and i + 1 < len(pieces) else
            (_qp(piece) if i % 2 == 0 else piece)
            for i, piece in enumerate(pieces)
        ]  # fmt: skip

    def encode(self, values: dict[str, str]) -> bytes:
        if not all(_QP_LITERAL.fullmatch(v) for v in values.values()):
            body = self.body
            for marker, value in values.items():
                body = body.replace(marker, value)
            return _qp(body)
        out = []
        for i, piece in enumerate(self.pieces):
            if i % 2 == 0:
                out.append(piece)
            else:
                value = values[piece]  # type: ignore[index]
                # Lines of at most 75 characters and a soft break: 76 with its "=".
                out.append(
                    b"=\r\n".join(value[n : n + 75].encode() for n in range(0, len(value), 75))
                    + b"=\r\n"
                )
        return b"".join(out)  # type: ignore[arg-type]


def _with_soft_break(encoded: bytes) -> bytes:
    """`encoded`, then a soft line break, its last line kept within 76 characters."""
    start = encoded.rfind(b"\n") + 1
    last = encoded[start:]
    if len(last) <= 75:
        return encoded + b"=\r\n"
    cut = 75
    while b"=" in last[cut - 2 : cut]:  # never inside an "=XX" escape
        cut -= 1
    return encoded[:start] + last[:cut] + b"=\r\n" + last[cut:] + b"=\r\n"


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
