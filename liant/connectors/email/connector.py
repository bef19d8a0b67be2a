"""E-mail: IMAP for what arrives (UID-based, incremental), SMTP for what Liant sends.

Threads follow Message-ID / In-Reply-To / References, so an answer sent from Liant lands in
the member's mail client inside the same conversation.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import re
import smtplib
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, make_msgid, parsedate_to_datetime
from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from liant.connectors.base import (
    Author,
    Capability,
    Connector,
    ConnectorError,
    ConnectorSettings,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    FetchResult,
    Problem,
    RemotePost,
    Rules,
)
from liant.connectors.http import Exchange
from liant.connectors.urlsafety import check_url

BATCH = 50
MAX_PER_FETCH = 500  # a mailbox of years is read over several fetches, not one endless job
TIMEOUT = 30


class EmailSettings(ConnectorSettings):
    address: str
    display_name: str = ""
    imap_host: str
    imap_port: int = 993
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    mailbox: str = "INBOX"
    smtp_host: str
    smtp_port: int = 587
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"


class EmailConnector(Connector):
    kind = "email"
    label = "E-mail (IMAP + SMTP)"
    connection = _("IMAP and SMTP server, user and password")
    capabilities = frozenset({Capability.FETCH, Capability.REPLY, Capability.SEND_DIRECT})
    rules = Rules(max_length=None, max_media=10, links="inline")
    settings_model = EmailSettings
    fetch_interval = 120
    limitations = _("Mail is read from one folder; moderation actions do not apply to e-mail.")

    settings: EmailSettings

    # --- connection ------------------------------------------------------------------------

    def check_connection(self) -> str:
        with self._imap() as imap:
            self._select(imap)
        with self._smtp():
            pass
        return self.settings.address

    def _record(
        self, method: str, target: str, started: float, excerpt: str = "", error: str = ""
    ) -> None:
        self.http.recorder.record(
            Exchange(
                method,
                target,
                None,
                int((time.monotonic() - started) * 1000),
                excerpt[:500],
                error[:500],
            )
        )

    def _check_host(self, scheme: str, host: str, port: int) -> None:
        if self.http.check_urls:
            check_url(f"http://{host}:{port}/")  # same private-address policy as HTTP

    @contextmanager
    def _imap(self) -> Iterator[imaplib.IMAP4]:
        s = self.settings
        self._check_host("imap", s.imap_host, s.imap_port)
        target = f"imap://{s.imap_host}:{s.imap_port}/{s.mailbox}"
        started = time.monotonic()
        try:
            if s.imap_security == "ssl":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    s.imap_host,
                    s.imap_port,
                    ssl_context=ssl.create_default_context(),
                    timeout=TIMEOUT,
                )
            else:
                imap = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=TIMEOUT)
                if s.imap_security == "starttls":
                    imap.starttls(ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error) as exc:
            self._record("IMAP", target, started, error=f"connect: {exc}")
            raise ConnectorError(
                _("The mail server %(host)s cannot be reached: %(error)s"),
                ErrorKind.TRANSIENT,
                host=s.imap_host,
                error=str(exc),
            ) from exc
        try:
            try:
                imap.login(
                    self.credentials.get("username", s.address),
                    self.credentials.get("password", ""),
                )
            except imaplib.IMAP4.error as exc:
                self._record("IMAP", target, started, error=f"login refused: {_text(exc)}")
                raise ConnectorError(
                    _("The mail server refused the login: %(error)s"),
                    ErrorKind.AUTH_EXPIRED,
                    error=_text(exc),
                ) from exc
            self._record("IMAP", target, started, excerpt="LOGIN OK")
            yield imap
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise ConnectorError(
                _("The mail server dropped the connection: %(error)s"),
                ErrorKind.TRANSIENT,
                error=str(exc),
            ) from exc
        finally:
            with suppress(OSError, imaplib.IMAP4.error):
                imap.logout()

    def _select(self, imap: imaplib.IMAP4) -> int:
        status, _data = imap.select(_quote(self.settings.mailbox), readonly=True)
        if status != "OK":
            raise ConnectorError(
                _("The folder %(folder)r does not exist on the server."),
                folder=self.settings.mailbox,
            )
        _status, values = imap.response("UIDVALIDITY")
        return int(values[0]) if values and values[0] else 0

    @contextmanager
    def _smtp(self) -> Iterator[smtplib.SMTP]:
        s = self.settings
        self._check_host("smtp", s.smtp_host, s.smtp_port)
        target = f"smtp://{s.smtp_host}:{s.smtp_port}"
        started = time.monotonic()
        context = ssl.create_default_context()
        try:
            if s.smtp_security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=TIMEOUT, context=context
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT)
                if s.smtp_security == "starttls":
                    smtp.starttls(context=context)
            user = self.credentials.get("smtp_username") or self.credentials.get("username")
            smtp.ehlo_or_helo_if_needed()
            # A local relay often takes mail without AUTH; a server that offers it gets it.
            if user and smtp.has_extn("auth"):
                smtp.login(
                    user,
                    self.credentials.get("smtp_password") or self.credentials.get("password", ""),
                )
        except smtplib.SMTPAuthenticationError as exc:
            self._record("SMTP", target, started, error=f"login refused: {exc.smtp_code}")
            raise ConnectorError(
                _("The mail server refused the login (%(code)s)."),
                ErrorKind.AUTH_EXPIRED,
                code=exc.smtp_code,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._record("SMTP", target, started, error=f"connect: {exc}")
            raise ConnectorError(
                _("The mail server %(host)s cannot be reached: %(error)s"),
                ErrorKind.TRANSIENT,
                host=s.smtp_host,
                error=str(exc),
            ) from exc
        try:
            yield smtp
        finally:
            with suppress(OSError, smtplib.SMTPException):
                smtp.quit()

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, since: Mapping[str, Any]) -> FetchResult:
        cursor = dict(since)
        events: list[Event] = []
        errors: list[Problem] = []
        with self._imap() as imap:
            validity = self._select(imap)
            if cursor.get("uidvalidity") != validity:
                # The server renumbered the folder: read it again; Message-IDs keep it unique.
                cursor = {"uidvalidity": validity, "last_uid": 0}
            last = int(cursor.get("last_uid", 0))
            status, data = imap.uid("SEARCH", f"UID {last + 1}:*")
            if status != "OK":
                raise ConnectorError(
                    _("The mail server refused the search: %(error)s"),
                    ErrorKind.TRANSIENT,
                    error=_text(data),
                )
            # "N:*" always matches the newest message, even when its UID is below N.
            uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last)[
                :MAX_PER_FETCH
            ]
            for start in range(0, len(uids), BATCH):
                batch = uids[start : start + BATCH]
                status, parts = imap.uid("FETCH", ",".join(map(str, batch)), "(UID BODY.PEEK[])")
                if status != "OK":
                    raise ConnectorError(
                        _("The mail server refused to send messages: %(error)s"),
                        ErrorKind.TRANSIENT,
                        error=_text(parts),
                    )
                for uid, raw in _fetched(parts):
                    try:
                        events.append(message_event(raw, uid, validity))
                    except Exception as exc:  # noqa: BLE001 - one broken mail must not stop the rest
                        errors.append(
                            Problem(
                                _("message UID %(uid)s: %(problem)s"),
                                uid=uid,
                                problem=f"{type(exc).__name__}: {exc}",
                            )
                        )
                cursor["last_uid"] = batch[-1]
        return FetchResult(events, cursor, errors)

    # --- writing ---------------------------------------------------------------------------

    def reply(self, parent: Event, draft: Draft) -> RemotePost:
        raw = parent.raw
        to = (
            raw.get("reply_to")
            or raw.get("from")
            or (parent.author.remote_id if parent.author else "")
        )
        if not to:
            raise ConnectorError(_("The message has no address to answer to."))
        subject = str(raw.get("subject", ""))
        if not re.match(r"^\s*(re|aw|sv|tr)\s*:", subject, re.I):
            subject = f"Re: {subject}".strip()
        references = [*raw.get("references", []), parent.remote_id]
        return self._send(to, subject, draft, in_reply_to=parent.remote_id, references=references)

    def send_direct(self, recipient: Author, draft: Draft) -> RemotePost:
        subject = draft.link or ""  # no subject field in a draft yet: callers pass it as link
        return self._send(recipient.remote_id, subject, draft)

    def _send(
        self,
        to: str,
        subject: str,
        draft: Draft,
        *,
        in_reply_to: str = "",
        references: list[str] | None = None,
    ) -> RemotePost:
        s = self.settings
        message = EmailMessage()
        message["From"] = formataddr((s.display_name, s.address)) if s.display_name else s.address
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = email.utils.formatdate(localtime=False)
        domain = s.address.rsplit("@", 1)[-1]
        # A retried send carries the same Message-ID, so mail clients show it once.
        message_id = (
            f"<{draft.idempotency_key}@{domain}>"
            if draft.idempotency_key
            else make_msgid(domain=domain)
        )
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = " ".join(dict.fromkeys(r for r in (references or []) if r))
        message.set_content(draft.text)
        for media in draft.media:
            maintype, _slash, subtype = media.content_type.partition("/")
            message.add_attachment(
                media.data, maintype=maintype, subtype=subtype, filename=media.filename or None
            )
        started = time.monotonic()
        with self._smtp() as smtp:
            try:
                refused = smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                raise ConnectorError(
                    _("The mail server refused the address %(address)s: %(error)s"),
                    address=to,
                    error=str(exc.recipients),
                ) from exc
            except smtplib.SMTPResponseException as exc:
                kind = ErrorKind.TRANSIENT if 400 <= exc.smtp_code < 500 else ErrorKind.PERMANENT
                raise ConnectorError(
                    _("The mail server refused the message (%(code)s)."), kind, code=exc.smtp_code
                ) from exc
            except (OSError, smtplib.SMTPException) as exc:
                # The message may or may not have left: report it, never resend blindly.
                raise ConnectorError(
                    _("Sending was interrupted: %(error)s"), ErrorKind.TRANSIENT, error=str(exc)
                ) from exc
        self._record(
            "SMTP", f"smtp://{s.smtp_host}:{s.smtp_port}", started, excerpt=f"sent {message_id}"
        )
        if refused:
            raise ConnectorError(
                _("Some recipients were refused: %(addresses)s"), addresses=", ".join(refused)
            )
        return RemotePost(remote_id=message_id, published_at=datetime.now(UTC))


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _fetched(parts: list[Any]) -> Iterator[tuple[int, bytes]]:
    for part in parts:
        if isinstance(part, tuple) and len(part) == 2:
            match = re.search(rb"UID (\d+)", part[0])
            if match:
                yield int(match.group(1)), part[1]


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _content(part: Any) -> str:
    """A part's text; an unknown or lying charset still gives readable text, not an error."""
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def message_event(raw: bytes, uid: int, validity: int) -> Event:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = (
        _ids(str(message.get("Message-ID", ""))) or [f"<uid-{validity}-{uid}@liant.invalid>"]
    )[0]
    references = _ids(str(message.get("References", "")))
    in_reply_to = (_ids(str(message.get("In-Reply-To", ""))) or references[-1:] or [""])[0]
    sender = getaddresses([str(message.get("From", ""))])
    name, address = sender[0] if sender else ("", "")
    reply_to = getaddresses([str(message.get("Reply-To", ""))])
    try:
        occurred = (
            parsedate_to_datetime(str(message["Date"])) if message["Date"] else datetime.now(UTC)
        )
    except (TypeError, ValueError):
        occurred = datetime.now(UTC)
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = _content(text_part)
    html = _content(html_part)
    subject = str(message.get("Subject", ""))
    return Event(
        kind=EventKind.DIRECT_MESSAGE,
        remote_id=message_id,
        author=Author(remote_id=address.lower(), handle=address.lower(), name=name),
        occurred_at=occurred,
        text=(text or "").strip(),
        html=html,
        parent_remote_id=in_reply_to,
        thread_remote_id=(references[0] if references else in_reply_to) or message_id,
        raw={
            "uid": uid,
            "subject": subject,
            "from": address.lower(),
            "reply_to": (reply_to[0][1].lower() if reply_to and reply_to[0][1] else ""),
            "to": [a.lower() for _n, a in getaddresses([str(message.get("To", ""))]) if a],
            "message_id": message_id,
            "references": references,
            "attachments": [p.get_filename() or "" for p in message.iter_attachments()],
        },
    )
