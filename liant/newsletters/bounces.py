"""Bounces, complaints and mailto unsubscribes, read from the bounce mailbox.

A bounce is matched to its Send row by the token every newsletter carries twice: in the VERP
Return-Path (bounces+<token>@…, so the DSN comes back *to* that address) and in the
Message-ID (<token.nl<id>@…>, which most DSNs quote). The DSN itself (RFC 3464,
multipart/report; report-type=delivery-status) is read with the standard email package:
Status 5.x.x is a hard bounce and suppresses the address at once; 4.x.x is a soft bounce,
counted, and the third one in a row suppresses it too.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import re
import ssl
from dataclasses import dataclass
from email.message import Message

from django.utils import timezone
from django.utils.translation import gettext as _

from liant.newsletters.models import (
    Send,
    SendingSettings,
    Subscriber,
    SubscriberState,
)

SOFT_LIMIT = 3
TOKEN = re.compile(r"\+(u-)?([0-9a-f]{20})@", re.I)
MESSAGE_ID_TOKEN = re.compile(r"<([0-9a-f]{20})\.nl\d+@", re.I)
MAX_PER_RUN = 500


@dataclass
class Notice:
    kind: str  # "bounce", "complaint", "unsubscribe"
    token: str = ""
    recipient: str = ""
    status: str = ""  # "5.1.1"
    action: str = ""  # "failed", "delayed"


def _tokens_in(text: str) -> tuple[str, bool]:
    match = TOKEN.search(text)
    if match:
        return match.group(2).lower(), bool(match.group(1))
    match = MESSAGE_ID_TOKEN.search(text)
    return (match.group(1).lower(), False) if match else ("", False)


def _original_headers(message: Message) -> str:
    """The quoted original's headers (message/rfc822 or text/rfc822-headers), as text."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                return "\n".join(f"{k}: {v}" for k, v in inner.items())
        if kind == "text/rfc822-headers":
            data = part.get_payload(decode=True) or b""
            return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return ""


def parse(raw: bytes) -> list[Notice]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    to = " ".join(str(message.get_all(h, [""])) for h in ("To", "Delivered-To", "X-Original-To"))
    token, is_unsubscribe = _tokens_in(to)
    if is_unsubscribe:
        return [Notice("unsubscribe", token)]
    if not token:
        token, _unused = _tokens_in(_original_headers(message))
    if message.get_content_type() != "multipart/report":
        return []
    report_type = message.get_param("report-type", "") or ""
    if str(report_type).lower() == "feedback-report":  # RFC 5965 complaint (feedback loop)
        return [Notice("complaint", token)]
    if str(report_type).lower() != "delivery-status":
        return []
    notices = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, then one per recipient
            if not isinstance(block, Message):
                continue
            status = str(block.get("Status", "")).strip().split(" ")[0]
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            recipient = recipient.split(";", 1)[-1].strip().lower()
            action = str(block.get("Action", "")).strip().lower()
            if re.match(r"^[245]\.\d{1,3}\.\d{1,3}$", status):
                notices.append(Notice("bounce", token, recipient, status, action))
    return notices


def apply(workspace_id: int, notice: Notice) -> str:
    """Record one notice; returns what was done (for the log and the tests)."""
    # The token names the row; the recipient of the DSN must agree with it when both exist,
    # so a forged DSN cannot suppress some other address.
    if not notice.token:
        return "unmatched"
    send = (
        Send.objects.select_related("subscriber", "subscriber__mailing_list")
        .filter(token=notice.token, campaign__workspace_id=workspace_id)
        .first()
    )
    if send is None or send.subscriber is None:
        return "unmatched"
    if notice.recipient and notice.recipient != send.email:
        return "mismatch"
    subscriber = send.subscriber
    if notice.kind == "unsubscribe":
        from liant.newsletters.subscriptions import unsubscribe

        unsubscribe(subscriber, send.pk, _("unsubscribe e-mail (List-Unsubscribe mailto)"))
        return "unsubscribed"
    if notice.kind == "complaint":
        Subscriber.objects.filter(pk=subscriber.pk).update(
            state=SubscriberState.COMPLAINED, unsubscribed_at=timezone.now()
        )
        Send.objects.filter(pk=send.pk).update(unsubscribed_at=timezone.now())
        return "complained"
    if notice.status.startswith("2") or notice.action == "delivered":
        return "delivered"
    Send.objects.filter(pk=send.pk).update(bounced_at=timezone.now(), bounce_status=notice.status)
    if notice.status.startswith("5"):
        # The address does not work, for any list of the workspace.
        Subscriber.objects.filter(workspace_id=workspace_id, email=send.email).exclude(
            state=SubscriberState.UNSUBSCRIBED
        ).update(state=SubscriberState.BOUNCED)
        return "hard"
    soft = subscriber.soft_bounces + 1
    Subscriber.objects.filter(pk=subscriber.pk).update(
        soft_bounces=soft,
        state=SubscriberState.BOUNCED if soft >= SOFT_LIMIT else subscriber.state,
    )
    return "soft-suppressed" if soft >= SOFT_LIMIT else "soft"


def process(workspace_id: int, raw: bytes) -> list[str]:
    return [apply(workspace_id, n) for n in parse(raw)]


def read_mailbox(workspace_id: int) -> int:
    """New messages of the bounce mailbox since the last run (UID cursor, read-only)."""
    s = SendingSettings.of(workspace_id)
    if not s.imap_host:
        return 0
    if s.imap_security == "ssl":
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            s.imap_host, s.imap_port, ssl_context=ssl.create_default_context(), timeout=30
        )
    else:
        imap = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=30)
        if s.imap_security == "starttls":
            imap.starttls(ssl.create_default_context())
    seen = 0
    try:
        imap.login(s.imap_username or s.bounce_address, s.imap_password)
        imap.select("INBOX", readonly=True)
        _status, values = imap.response("UIDVALIDITY")
        validity = int(values[0]) if values and values[0] else 0
        last = s.imap_last_uid if validity == s.imap_uidvalidity else 0
        _status, data = imap.uid("SEARCH", f"UID {last + 1}:*")
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last)
        for uid in uids[:MAX_PER_RUN]:
            _status, parts = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
            for part in parts:
                if isinstance(part, tuple) and len(part) == 2:
                    process(workspace_id, part[1])
                    seen += 1
            last = uid
        SendingSettings.objects.filter(pk=s.pk).update(
            imap_last_uid=last, imap_uidvalidity=validity
        )
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    return seen


def dsn(recipient: str, status: str, token: str, bounce_to: str, domain: str) -> bytes:
    """A DSN as a receiving server writes it, for the tests and the bench."""
    # Built by hand because EmailMessage has no helper for message/delivery-status parts.
    boundary = "liant-dsn-boundary"
    text = (
        f"From: MAILER-DAEMON@{domain}\r\nTo: {bounce_to}\r\n"
        f"Subject: Delivery Status Notification\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nDelivery to {recipient} failed.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.{domain}\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: {'failed' if status.startswith('5') else 'delayed'}\r\nStatus: {status}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{token}.nl1@{domain}>\r\nTo: {recipient}\r\n\r\n"
        f"--{boundary}--\r\n"
    )
    return text.encode()
