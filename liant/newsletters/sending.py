"""Sending a campaign from the workers, each recipient at most once.

The rule that makes it hold: rows are claimed (queued -> sending) by a conditional UPDATE,
in batches, *before* anything leaves, in a transaction that also writes the batch's progress
row (SendProgress); before each message's data is sent, the progress row names that row.
So when a worker stops, whatever the reason, the rows of its batch fall in three groups:
before the named row, each had the server's final answer (refusals are written at once, so
a row still "sending" there was accepted: sent); the named row may have left (unknown, never
sent again); after it, nothing was sent (back to the queue). The minute sweep applies this
to a batch whose progress has not moved for STALE, and the worker, if it was only slow,
finds its progress row gone and stops before its next message.

On PostgreSQL the progress table is unlogged: rewritten before every message without a
disk flush, and emptied by a crash of the database, which is when it could be older than
the mail that left; a batch whose progress row is missing is wholly "unknown". The claim
itself is a normal, durable commit: one per batch instead of one per message.

Only an SMTP reply proves the message was *not* accepted (4xx: try again later, 5xx: give
up), so only those put a row back in the queue or mark it failed.
"""

from __future__ import annotations

import functools
import random
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from liant.newsletters import abtest, rendering, tracking
from liant.newsletters.models import (
    Campaign,
    CampaignState,
    ClaimLog,
    Send,
    SendingSettings,
    SendProgress,
    SendState,
    Subscriber,
    SubscriberState,
)

BATCH = 500  # rows read and claimed together, in one durable commit
START_PAGE = 2000  # subscribers read per query when a campaign starts
SLICES = 8
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=2)  # doubled at each temporary failure: 2, 4, 8, 16 minutes
STALE = timedelta(minutes=5)  # far longer than one SMTP transaction may take (timeouts: 30 s)
TIMEOUT = 30


class NotConfigured(Exception):
    """The workspace has no SMTP server to send through."""


@dataclass
class SmtpTarget:
    host: str
    port: int
    security: str
    username: str = ""
    password: str = ""
    bounce_address: str = ""
    per_minute: int = 600
    # The mailto: of List-Unsubscribe is offered only when Liant reads the bounce mailbox;
    # otherwise a person's unsubscribe mail would land where nobody acts on it.
    reads_bounces: bool = False


def target_for(workspace_id: int) -> SmtpTarget:
    s = SendingSettings.of(workspace_id)
    if s.channel_id and s.channel is not None and s.channel.kind == "email":
        # The e-mail channel's relay, read from its settings and encrypted credentials.
        cfg = s.channel.settings or {}
        creds = s.channel.credentials
        return SmtpTarget(
            host=str(cfg.get("smtp_host", "")),
            port=int(cfg.get("smtp_port", 587)),
            security=str(cfg.get("smtp_security", "starttls")),
            username=creds.get("smtp_username") or creds.get("username", ""),
            password=creds.get("smtp_password") or creds.get("password", ""),
            bounce_address=s.bounce_address,
            per_minute=s.per_minute,
            reads_bounces=bool(s.imap_host and s.bounce_address),
        )
    if not s.smtp_host:
        raise NotConfigured
    return SmtpTarget(
        s.smtp_host,
        s.smtp_port,
        s.smtp_security,
        s.smtp_username,
        s.smtp_password,
        s.bounce_address,
        s.per_minute,
        bool(s.imap_host and s.bounce_address),
    )


@contextmanager
def connect(target: SmtpTarget) -> Iterator[smtplib.SMTP]:
    # Built only when used: loading the system's CA certificates costs ~30 ms per batch.
    if target.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT)
        if target.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    try:
        smtp.ehlo_or_helo_if_needed()
        if target.username and smtp.has_extn("auth"):
            smtp.login(target.username, target.password)
        yield smtp
    finally:
        with suppress(OSError, smtplib.SMTPException):
            smtp.quit()


def verp(bounce_address: str, tag: str) -> str:
    """bounces@example.org + tag -> bounces+tag@example.org (plus addressing)."""
    local, _at, domain = bounce_address.partition("@")
    return f"{local}+{tag}@{domain}"


# An address smtplib would pass through unchanged: quoteaddr() runs the email package's
# address parser on it (18 % of one worker's profiled time on a fast sink, 1 Dec 2026).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def _end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as sendmail() does: 421 means the server is closing; else RSET."""
    if code == 421:
        smtp.close()
    else:
        with suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()


def _hand_over(
    smtp: smtplib.SMTP,
    sender: str,
    recipient: str,
    message: bytes,
    ready: Callable[[], bool] | None = None,
) -> None:
    """smtplib's sendmail() for one recipient and a message already in wire form (CRLF):
    the same commands, replies and exceptions (plus an RSET after a refused DATA, so the next
    message starts a clean transaction), without parsing both addresses again and without a
    regular expression over the whole message for the dot-stuffing.

    When the server offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write and
    their three replies are read together: two round trips per message instead of four.

    `ready` is called once the envelope is on its way and before the message itself is sent
    (the worker records which row is leaving meanwhile); if it returns False nothing is sent:
    the connection is dropped before the end of the data, so the server delivers nothing, and
    Revoked is raised.

    Anything else (a non-ASCII address, a bare CR or LF) goes through sendmail() itself.
    """
    if not (
        _PLAIN_ADDRESS.fullmatch(sender)
        and _PLAIN_ADDRESS.fullmatch(recipient)
        and message.count(b"\r") == message.count(b"\n") == message.count(b"\r\n")
    ):
        if ready is not None and not ready():
            raise Revoked
        smtp.sendmail(sender, [recipient], message)
        return
    smtp.ehlo_or_helo_if_needed()
    size = f" SIZE={len(message)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    mail, rcpt = f"MAIL FROM:<{sender}>{size}\r\n", f"RCPT TO:<{recipient}>\r\n"
    if smtp.does_esmtp and smtp.has_extn("pipelining"):
        smtp.send(mail + rcpt + "DATA\r\n")
        go = ready is None or ready()
        _pipelined_replies(smtp, sender, recipient, go)
    else:
        if ready is not None and not ready():
            raise Revoked
        smtp.send(mail)
        code, reply = smtp.getreply()
        if code != 250:
            _end_transaction(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        smtp.send(rcpt)
        code, reply = smtp.getreply()
        if code not in (250, 251):
            _end_transaction(smtp, code)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        smtp.send("DATA\r\n")
        code, reply = smtp.getreply()
        if code != 354:
            _end_transaction(smtp, code)
            raise smtplib.SMTPDataError(code, reply)
    smtp.send(_wire(message))
    code, reply = smtp.getreply()
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _wire(message: bytes) -> bytes:
    """The message as DATA sends it. RFC 5321 4.5.2: a line starting with "." gets one more;
    the message ends with CRLF, then ".", CRLF."""
    data = message.replace(b"\n.", b"\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _pipelined_replies(smtp: smtplib.SMTP, sender: str, recipient: str, go: bool) -> None:
    """The replies to MAIL, RCPT and DATA sent together. RFC 2920 3.1: every one is read,
    and a DATA accepted after a refused command is closed with a lone "." (no recipient, so
    nothing is delivered) before the RSET."""
    code, reply = smtp.getreply()
    if code == 421:  # closing: no more replies will come
        smtp.close()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: Exception | None = None
    if code != 250:
        refused = smtplib.SMTPSenderRefused(code, reply, sender)
    rcpt_code, rcpt_reply = smtp.getreply()
    if rcpt_code == 421:
        smtp.close()
        raise refused or smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_reply)})
    if refused is None and rcpt_code not in (250, 251):
        refused = smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_reply)})
    data_code, data_reply = smtp.getreply()
    if not go:
        smtp.close()  # before any data ends: the server keeps nothing
        raise Revoked
    if refused is not None:
        if data_code == 354:
            smtp.send(b".\r\n")
            smtp.getreply()
        _end_transaction(smtp, 421 if data_code == 421 else 0)
        raise refused
    if data_code != 354:
        _end_transaction(smtp, data_code)
        raise smtplib.SMTPDataError(data_code, data_reply)


# --- starting --------------------------------------------------------------------------------


def start(campaign: Campaign) -> int:
    """Create one queued row per subscribed address and mark the campaign as sending.

    Safe to call twice: rows are unique per campaign and address, existing ones are left.
    """
    now = timezone.now()
    fallback = campaign.workspace.language if campaign.workspace_id else "fr"
    tracked = (
        {
            lang: tracking.links(rendering.render(campaign, lang, rendering.PLACEHOLDER).html)
            for lang in ("fr", "en")
        }
        if campaign.track
        else {}
    )
    subscribers = Subscriber.objects.filter(
        mailing_list_id=campaign.mailing_list_id, state=SubscriberState.SUBSCRIBED
    ).order_by("pk")
    written, last = 0, 0
    with transaction.atomic():
        # Page by page on the primary key, as plain values: a list of 100,000 is written
        # without holding 100,000 model instances (bench: 241 MiB peak before).
        while True:
            page = list(
                subscribers.filter(pk__gt=last).values_list("pk", "email", "member__language")[
                    :START_PAGE
                ]
            )
            if not page:
                break
            Send.objects.bulk_create(
                [
                    Send(
                        campaign=campaign,
                        subscriber_id=pk,
                        email=address.lower(),
                        language=rendering.language_for(campaign, language or "", fallback),
                        next_attempt_at=now,
                    )
                    for pk, address, language in page
                ],
                batch_size=500,
                ignore_conflicts=True,
            )
            written += len(page)
            last = page[-1][0]
        moved = Campaign.objects.filter(pk=campaign.pk, state__in=["draft", "scheduled"]).update(
            state=CampaignState.SENDING, started_at=now, tracked_links=tracked
        )
        if moved and campaign.ab_testing:
            # Only the call that moved the campaign draws the sample: a second start() must
            # not draw another one over rows a worker may already be sending.
            abtest.split(campaign)
    campaign.refresh_from_db()
    return written


def start_due() -> list[int]:
    """Scheduled campaigns whose time has come; claimed like rows, so only one worker starts."""
    started = []
    for campaign in Campaign.objects.filter(
        state=CampaignState.SCHEDULED, scheduled_at__lte=timezone.now()
    ).select_related("workspace"):
        start(campaign)
        started.append(campaign.pk)
    return started


# --- sending ---------------------------------------------------------------------------------


@dataclass
class Report:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    unknown: int = 0
    throttled: bool = False
    errors: list[str] = field(default_factory=list)


def budget(workspace_id: int, per_minute: int) -> int:
    """How many more messages the workspace may hand to its relay in the current minute."""
    recent = ClaimLog.objects.filter(
        workspace_id=workspace_id, at__gte=timezone.now() - timedelta(minutes=1)
    ).aggregate(n=Sum("size"))["n"]
    return max(0, per_minute - (recent or 0))


def _on_refusal(row_pk: int, attempts: int, code: int, text: str, recipient: bool) -> str:
    """Record an SMTP refusal; returns the new state. `recipient`: refused at RCPT TO."""
    now = timezone.now()
    error = f"{code} {text}"[:500]
    if 400 <= code < 500 and attempts < MAX_ATTEMPTS:
        Send.objects.filter(pk=row_pk, state=SendState.SENDING).update(
            state=SendState.QUEUED,
            next_attempt_at=now + BACKOFF * (2 ** (attempts - 1)),
            error=error,
        )
        return SendState.QUEUED
    Send.objects.filter(pk=row_pk, state=SendState.SENDING).update(
        state=SendState.FAILED, error=error
    )
    if recipient and 500 <= code < 600:
        # A permanent refusal of the address is a hard bounce told at once: suppress it.
        # (A 5xx after DATA is about the message, not the address: recorded, no more.)
        Subscriber.objects.filter(sends__pk=row_pk).update(state=SubscriberState.BOUNCED)
    return SendState.FAILED


class Revoked(Exception):
    """The sweep took this worker's batch over (it had not moved for STALE): stop sending."""


def _claim_batch(workspace_id: int, campaign_id: int, ids: list[int]) -> tuple[int, list[int]]:
    """queued -> sending for the rows of `ids` still queued, and the batch's progress row,
    in one transaction; returns the batch token and the claimed ids in primary key order.

    This is the only commit that must reach the disk before a message leaves (on
    PostgreSQL, the default synchronous commit), once per batch instead of once per message.
    """
    token = secrets.randbits(62) + 1
    now = timezone.now()
    with transaction.atomic():
        claimed = sorted(_claim_rows(ids, token, now))
        if claimed:
            SendProgress.objects.create(token=token, campaign_id=campaign_id, moved_at=now)
            ClaimLog.objects.create(
                token=token, workspace_id=workspace_id, at=now, size=len(claimed)
            )
    return token, claimed


def _claim_rows(ids: list[int], token: int, now: datetime) -> list[int]:
    """queued -> sending for those of `ids` still queued; the ids it changed. One statement
    (UPDATE … RETURNING): reading the claimed rows back by a list of 500 keys was a fifth of
    the database's time per batch (1 Dec 2026)."""
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column or f.name) for f in Send._meta.concrete_fields}
    among, values = "IN (" + ", ".join(["%s"] * len(ids)) + ")", list(ids)
    # Names come from the model; every value is a parameter.
    sql = (
        f"UPDATE {quote(Send._meta.db_table)} SET {column['state']} = %s, "  # noqa: S608
        f"{column['claim']} = %s, {column['claimed_at']} = %s, "
        f"{column['attempts']} = {column['attempts']} + 1 "
        f"WHERE {column['id']} {among} AND {column['state']} = %s RETURNING {column['id']}"
    )
    params = [
        SendState.SENDING,
        token,
        connection.ops.adapt_datetimefield_value(now),
        *values,
        SendState.QUEUED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# Written as SQL once: one per message, and the ORM spends more time building an UPDATE
# than the database takes to run it.
_PROGRESS_SQL = "UPDATE {table} SET {handing} = %s, {moved_at} = %s WHERE {token} = %s"


@functools.cache
def _progress_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = {f.name: quote(f.column or f.name) for f in SendProgress._meta.concrete_fields}
    return _PROGRESS_SQL.format(table=quote(SendProgress._meta.db_table), **columns)


def _progress(token: int, row_pk: int) -> bool:
    """Record that `row_pk` is the one being handed over now, before its message leaves.

    False: the batch is no longer this worker's (the sweep took it over). On PostgreSQL the
    table is unlogged: the commit waits for no disk, and a crash that could lose it empties
    the whole table, which the sweep reads as "every row of the batch may have left".
    """
    sql = _progress_sql(connection.vendor)
    params = [row_pk, connection.ops.adapt_datetimefield_value(timezone.now()), token]
    if connection.vendor == "postgresql":
        # One per message: a prepared statement with server-side parameters, on the
        # connection Django opened (its cursors bind on the client and re-plan each time:
        # 400 us a message against 180, 1 Dec 2026). Bypasses Django's query logging only.
        connection.ensure_connection()
        raw = psycopg.Cursor(connection.connection)
        raw.execute(sql, params, prepare=True)
        return raw.rowcount == 1
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


class _ProgressLine:
    """The progress row's updates of one worker, and when each may be relied on.

    `name(row)` records that the row is about to be handed over; `settled()` says, before its
    data leaves, whether the record was made (False: the sweep took the batch over). On
    PostgreSQL, outside a caller's transaction, the updates go over a connection of their own
    without waiting: the answer is read only when the data is about to leave, so the round
    trip to the server (~300 µs on this 2-core machine, 1 Dec 2026) overlaps reading the
    SMTP replies and building the next copy. Elsewhere `name` waits for its answer.
    """

    def __init__(self) -> None:
        self._answer = True
        self._pending = False
        self._conn: psycopg.Connection[Any] | None = None
        # A second connection would not see a caller's uncommitted progress row (the
        # tests' transactions): then the updates go through Django's connection.
        self._apart = connection.vendor == "postgresql" and not connection.in_atomic_block

    def _connect(self) -> psycopg.Connection[Any]:
        """Opened with the batch's first update: a failure is that update's."""
        conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        try:
            conn.pgconn.nonblocking = 0  # a send writes everything before returning
            sql = _progress_sql("postgresql").replace("%s", "$1", 1)
            sql = sql.replace("%s", "$2", 1).replace("%s", "$3", 1)
            self._check(conn.pgconn.prepare(b"liant_progress", sql.encode()), conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def name(self, token: int, row_pk: int) -> None:
        if not self._apart:
            self._answer = _progress(token, row_pk)
            return
        self.settled()  # one statement at a time on this connection
        conn = self._conn or self._connect()
        when = timezone.now().isoformat()
        conn.pgconn.send_query_prepared(
            b"liant_progress", [str(row_pk).encode(), when.encode(), str(token).encode()]
        )
        self._pending = True

    def settled(self) -> bool:
        if self._pending and self._conn is not None:
            self._pending = False
            pgconn = self._conn.pgconn
            result = pgconn.get_result()  # waits for the server's answer
            while pgconn.get_result() is not None:
                pass
            self._check(result, self._conn)
            self._answer = result is not None and result.command_tuples == 1
        return self._answer

    @staticmethod
    def _check(result: Any, conn: psycopg.Connection[Any]) -> None:
        if result is None or result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            message = result.error_message if result is not None else b""
            raise psycopg.OperationalError(
                (message or conn.pgconn.error_message).decode("utf-8", "replace")
            )

    def close(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self.settled()
            self._conn.close()
            self._conn = None
        self._apart = False


@contextmanager
def _lazy_commit() -> Iterator[None]:
    """A transaction whose commit need not wait for the disk on PostgreSQL.

    For writes whose loss in a crash of the database is harmless: a completion lost that way
    leaves its row in "sending" with no progress row, which the sweep makes "unknown".
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")
        yield


def _finish_batch(
    token: int,
    accepted: list[tuple[int, str, datetime]],
    untouched: list[int],
    keep_progress: bool = False,
) -> None:
    """The batch is over: rows the server accepted -> sent, rows never handed over -> back
    in the queue (they were not attempted), and the progress row goes."""
    with _lazy_commit():
        _complete(token, accepted)
        if untouched:
            back = Send.objects.filter(
                pk__in=untouched, claim=token, state=SendState.SENDING
            ).update(state=SendState.QUEUED, claimed_at=None, attempts=F("attempts") - 1)
            # Not handed to the relay: they do not count against the minute's budget.
            ClaimLog.objects.filter(token=token).update(size=F("size") - back)
        if not keep_progress:
            SendProgress.objects.filter(token=token).delete()


def _complete(token: int, accepted: list[tuple[int, str, datetime]]) -> None:
    """sending -> sent for the rows the server accepted, with the Message-ID each carried and
    when it left: one statement for the batch (an UPDATE each was half a worker's time on
    PostgreSQL, 1 Dec 2026)."""
    if not accepted:
        return
    table = connection.ops.quote_name(Send._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        # Joined to a VALUES list: a CASE of 500 branches is read for each of 500 rows.
        rows = ", ".join("(%s::bigint, %s::timestamptz, %s)" for _ in accepted)
        sql = (
            f"UPDATE {table} AS s SET state = 'sent', error = '', sent_at = v.at, "  # noqa: S608 - no value in it
            f"message_id = v.mid FROM (VALUES {rows}) AS v (id, at, mid) "
            "WHERE s.id = v.id AND s.claim = %s AND s.state = 'sending'"
        )
        params: list[Any] = [x for pk, mid, at in accepted for x in (pk, adapt(at), mid)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, token])
        return
    for start in range(0, len(accepted), 300):  # SQLite's 999 parameters, 3 a row
        part = accepted[start : start + 300]
        whens = " ".join("WHEN %s THEN %s" for _ in part)
        marks = ", ".join("%s" for _ in part)
        sql = (
            f"UPDATE {table} SET state = 'sent', error = '', "  # noqa: S608 - no value in it
            f"sent_at = CASE id {whens} END, message_id = CASE id {whens} END "
            f"WHERE id IN ({marks}) AND claim = %s AND state = 'sending'"
        )
        params = [x for pk, _mid, at in part for x in (pk, adapt(at))]
        params += [x for pk, mid, _at in part for x in (pk, mid)]
        params += [pk for pk, _mid, _at in part]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, token])


# The rendered templates of the campaigns a worker is sending: rendering (Markdown, nh3, the
# template, css-inline) takes milliseconds, and a campaign cannot be edited once it sends.
# Keyed by what changes the copy; a handful of entries, so old campaigns fall out.
_TEMPLATES: dict[tuple, rendering.MessageTemplate] = {}
_TEMPLATES_KEPT = 16


def _template(
    campaign: Campaign, language: str, variant: int, domain: str
) -> rendering.MessageTemplate:
    key = (campaign.pk, language, variant, domain, campaign.track, campaign.started_at)
    found = _TEMPLATES.get(key)
    if found is None:
        rendered = rendering.render(campaign, language, rendering.PLACEHOLDER, variant)
        if campaign.track:
            rendered.html = tracking.instrument(
                rendered.html, campaign.tracked_links.get(language, [])
            )
        found = rendering.MessageTemplate(campaign, rendered, domain)
        if len(_TEMPLATES) >= _TEMPLATES_KEPT:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        _TEMPLATES[key] = found
    return found


def _due_rows(campaign: Campaign, size: int) -> list[tuple]:
    """Up to `size` rows due now, those whose subscriber has left the list taken out
    (marked skipped)."""
    while True:
        rows, skipped = _due_rows_once(campaign, size)
        # A batch made only of people who left would read as "nothing due" and end the
        # worker's loop with rows still queued: look again (each pass skips at least one).
        if rows or not skipped:
            return rows


def _due_rows_once(campaign: Campaign, size: int) -> tuple[list[tuple], int]:
    """The due rows of one look, and how many of them were skipped."""
    # order_by(): in the due index's order; sorting every queued row of the campaign by
    # primary key to take 500 was most of each batch's query.
    due = Send.objects.filter(
        campaign=campaign, state=SendState.QUEUED, next_attempt_at__lte=timezone.now()
    ).order_by()
    fields = ("pk", "email", "language", "token", "subscriber_id", "attempts", "variant")
    # Workers sharing a campaign each start with a different slice of its rows, so their
    # claims seldom collide; the batch is topped up with any due row. A slice is runs of
    # BATCH consecutive keys, not every SLICES-th key: interleaved, four PostgreSQL workers
    # rewrote the same table pages, and the server spent twice the CPU per message of one.
    # Correctness never depends on this: the conditional claim alone decides who sends.
    rows = list(
        due.annotate(slice=F("pk") / BATCH % SLICES)
        .filter(slice=random.randrange(SLICES))
        .values_list(*fields, "subscriber__state")[:size]
    )
    if len(rows) < size:
        taken = {r[0] for r in rows}
        rows += [
            r for r in due.values_list(*fields, "subscriber__state")[:size] if r[0] not in taken
        ][: size - len(rows)]
    # Someone who unsubscribed (or bounced) after the campaign started is not sent to. Checked
    # on this batch's rows only (read with them): a query over the whole campaign here read
    # every queued row again for each batch.
    gone = [r[0] for r in rows if r[7] != SubscriberState.SUBSCRIBED]
    if gone:
        Send.objects.filter(pk__in=gone, state=SendState.QUEUED).update(
            state=SendState.SKIPPED, error="no longer subscribed when its turn came"
        )
        rows = [r for r in rows if r[7] == SubscriberState.SUBSCRIBED]
    return rows, len(gone)


def send_due(campaign_id: int, limit: int | None = None) -> Report:
    """Send what is due of one campaign, within the workspace's per-minute budget."""
    report = Report()
    campaign = (
        Campaign.objects.select_related("mailing_list", "workspace").filter(pk=campaign_id).first()
    )
    if campaign is None or campaign.state != CampaignState.SENDING:
        return report
    target = target_for(campaign.workspace_id)
    allowed = budget(campaign.workspace_id, target.per_minute)
    if limit is not None:
        allowed = min(allowed, limit)
    if allowed == 0:
        report.throttled = True
        return report
    size = min(allowed, BATCH)
    rows = _due_rows(campaign, size)
    if not rows:
        finish_if_done(campaign)
        return report
    # Connected (and logged in) before claiming: a server that cannot be reached or refuses
    # the login leaves every row queued.
    with connect(target) as smtp:
        for _attempt in range(3):
            token, claimed = _claim_batch(campaign.workspace_id, campaign.pk, [r[0] for r in rows])
            if claimed:
                break
            # Another worker claimed these first: look again rather than stop, or workers
            # sharing a campaign would drop out one by one.
            rows = _due_rows(campaign, size)
            if not rows:
                break
        if not claimed:
            return report
        mine = set(claimed)
        batch = _Batch(token, sorted((r for r in rows if r[0] in mine), key=lambda r: r[0]))
        try:
            outgoing = _outgoing(campaign, target, batch.rows)
            try:
                if smtp.does_esmtp and smtp.has_extn("pipelining"):
                    _send_pipelined(smtp, batch, outgoing, report)
                else:
                    _send_one_by_one(smtp, batch, outgoing, report)
            finally:
                batch.progress.close()
        except Exception:
            # Whether the row in hand left is for the sweep to decide (the progress row is
            # kept); what the server accepted is recorded now, and the rows after it go back.
            with suppress(DatabaseError):
                _finish_batch(token, batch.accepted, batch.pks(after=batch.handing), True)
            raise
        # Before QUIT: a slow or failing QUIT must not hold the completions back.
        _finish_batch(token, batch.accepted, batch.pks(after=batch.data_sent))
    finish_if_done(campaign)
    return report


@dataclass
class _Batch:
    """The rows a worker claimed, and how far it went with them (indexes into `rows`)."""

    token: int
    rows: list[tuple]
    # Rows the server accepted, completed together when the batch ends (_finish_batch);
    # until then they stay in "sending", covered by the progress row.
    accepted: list[tuple[int, str, datetime]] = field(default_factory=list)
    handing: int = -1  # the last row named in the progress row
    data_sent: int = -1  # the last row whose message data was written to the server
    progress: _ProgressLine = field(default_factory=_ProgressLine)

    def pks(self, after: int) -> list[int]:
        return [r[0] for r in self.rows[after + 1 :]]


@dataclass
class _Outgoing:
    index: int  # in the batch's rows
    pk: int
    address: str
    sender: str  # the envelope's (VERP) sender
    message: bytes
    message_id: str
    attempts: int  # before this batch's claim


def _outgoing(campaign: Campaign, target: SmtpTarget, rows: list[tuple]) -> Iterator[_Outgoing]:
    """Each claimed row's copy, built when its turn comes."""
    domain = campaign.sender_address.rpartition("@")[2] or "localhost"
    # One template per language and subject: a row of an A/B sample carries its variant,
    # any other row the winner (or the campaign's own subject when there is no test).
    default_variant = campaign.ab_winner or 0
    link_pattern = rendering.unsubscribe_url("liant-token")  # reversed once, filled per recipient
    signer = rendering.unsubscribe_signer()
    for index, row in enumerate(rows):
        pk, address, language, send_token, subscriber_id, attempts, variant, _state = row
        link = link_pattern.replace(
            "liant-token", rendering.unsubscribe_token(subscriber_id or 0, pk, signer)
        )
        template = _template(
            campaign, language, default_variant if variant is None else variant, domain
        )
        message = template.render(
            address,
            send_token,
            link,
            verp(target.bounce_address, f"u-{send_token}") if target.reads_bounces else "",
        )
        sender = (
            verp(target.bounce_address, send_token)
            if target.bounce_address
            else campaign.sender_address
        )
        message_id = f"<{send_token}.nl{campaign.pk}@{domain}>"
        yield _Outgoing(index, pk, address, sender, message, message_id, attempts)


def _refused(row: _Outgoing, exc: smtplib.SMTPException, report: Report) -> None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        state = _on_refusal(row.pk, row.attempts + 1, code, _decode(text), True)
    else:
        code, text = getattr(exc, "smtp_code", 0), getattr(exc, "smtp_error", b"")
        state = _on_refusal(row.pk, row.attempts + 1, code, _decode(text), False)
    report.deferred += state == SendState.QUEUED
    report.failed += state == SendState.FAILED


def _lost(row: _Outgoing, exc: Exception, report: Report) -> None:
    """The connection broke after the row's data left: the relay may have taken the mail,
    so the row is "unknown" (shown, never resent)."""
    Send.objects.filter(pk=row.pk, state=SendState.SENDING).update(
        state=SendState.UNKNOWN, error=f"{type(exc).__name__}: {exc}"[:500]
    )
    report.unknown += 1
    report.errors.append(str(exc))


_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _send_one_by_one(
    smtp: smtplib.SMTP, batch: _Batch, outgoing: Iterator[_Outgoing], report: Report
) -> None:
    """Each row's whole SMTP transaction before the next (servers without PIPELINING)."""
    for row in outgoing:
        if smtp.sock is None or not _one(smtp, batch, row, report):
            return


def _one(smtp: smtplib.SMTP, batch: _Batch, row: _Outgoing, report: Report) -> bool:
    """One row's SMTP transaction on its own. False: stop the batch here."""
    i = row.index

    def ready() -> bool:
        # The progress row names this row before its data leaves: see SendProgress.
        batch.handing = i
        batch.progress.name(batch.token, row.pk)
        if not batch.progress.settled():
            return False
        batch.data_sent = i  # from here on, its data may be on its way
        return True

    try:
        _hand_over(smtp, row.sender, row.address, row.message, ready)
    except Revoked:
        report.errors.append("the batch was taken over by the sweep")
        return False
    except _REFUSALS as exc:
        _refused(row, exc, report)
    except (OSError, smtplib.SMTPException) as exc:
        if batch.data_sent == i:
            _lost(row, exc, report)
        return False
    else:
        batch.accepted.append((row.pk, row.message_id, timezone.now()))
        report.sent += 1
    return True


def _send_pipelined(
    smtp: smtplib.SMTP, batch: _Batch, outgoing: Iterator[_Outgoing], report: Report
) -> None:
    """RFC 2920 across messages: the data of one row and the envelope (MAIL, RCPT, DATA) of
    the next go in one write, then the progress row names the next row while the server
    works, then both answers are read. One wait per message instead of four.

    A row _hand_over would give to sendmail() (non-ASCII address, bare CR or LF) goes on its
    own, once the answers pending before it are read.
    """
    size = smtp.does_esmtp and smtp.has_extn("size")
    waiting: _Outgoing | None = None  # its data is sent, its final answer not read
    ready: _Outgoing | None = None  # its envelope was accepted, its data not sent yet

    def send(payload: bytes) -> bool:
        """Write `payload`, which starts with the data of `ready` if there is one, once the
        progress row names that row."""
        nonlocal waiting, ready
        carried = ready
        if carried is not None:
            if not batch.progress.settled():
                smtp.close()  # its data never leaves: the server drops its transaction
                report.errors.append("the batch was taken over by the sweep")
                return False
            waiting, ready = carried, None
            batch.data_sent = carried.index
        try:
            smtp.send(payload)
        except (OSError, smtplib.SMTPException) as exc:
            if carried is not None:
                _lost(carried, exc, report)
            return False
        return True

    for row in outgoing:
        if smtp.sock is None:  # the server closed (421): the rest waits for another batch
            break
        if not _pipelinable(row):
            if ready is not None and not send(_wire(ready.message)):
                return
            if waiting is not None and not _final_answer(smtp, batch, waiting, report):
                return
            waiting = None
            if not _one(smtp, batch, row, report):
                return
            continue
        envelope = (
            f"MAIL FROM:<{row.sender}>{f' SIZE={len(row.message)}' if size else ''}\r\n"
            f"RCPT TO:<{row.address}>\r\nDATA\r\n"
        ).encode("ascii")
        if not send((_wire(ready.message) if ready is not None else b"") + envelope):
            return
        batch.handing = row.index
        # Answered when this row's data is about to leave (send above, next turn): the
        # server's replies and the next copy are dealt with meanwhile.
        batch.progress.name(batch.token, row.pk)
        if waiting is not None:
            ok = _final_answer(smtp, batch, waiting, report)
            waiting = None
            if not ok:
                return
        try:
            _pipelined_replies(smtp, row.sender, row.address, True)
        except _REFUSALS as exc:
            _refused(row, exc, report)
            continue
        except (OSError, smtplib.SMTPException):
            return  # its data never left: it goes back to the queue with the rest
        ready = row
    if ready is not None and smtp.sock is not None and not send(_wire(ready.message)):
        return
    if waiting is not None:
        _final_answer(smtp, batch, waiting, report)


def _pipelinable(row: _Outgoing) -> bool:
    return bool(
        _PLAIN_ADDRESS.fullmatch(row.sender)
        and _PLAIN_ADDRESS.fullmatch(row.address)
        and row.message.count(b"\r") == row.message.count(b"\n") == row.message.count(b"\r\n")
    )


def _final_answer(smtp: smtplib.SMTP, batch: _Batch, row: _Outgoing, report: Report) -> bool:
    """The server's answer to a row's data. False: the connection is gone."""
    try:
        code, reply = smtp.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        _lost(row, exc, report)
        return False
    if code == 250:
        batch.accepted.append((row.pk, row.message_id, timezone.now()))
        report.sent += 1
        return True
    _refused(row, smtplib.SMTPDataError(code, reply), report)
    if code == 421:
        smtp.close()
        return False
    return True


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def finish_if_done(campaign: Campaign) -> bool:
    # Two questions, each answered by its partial index (send_due, send_in_flight); asked at
    # once, they read every row of the campaign.
    rows = Send.objects.filter(campaign=campaign)
    if (
        rows.filter(Q(state=SendState.QUEUED) | Q(state=SendState.HELD)).exists()
        or rows.filter(state=SendState.SENDING).exists()
    ):
        return False
    done = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.SENDING).update(
        state=CampaignState.SENT, finished_at=timezone.now()
    )
    return bool(done)


def sweep(now: datetime | None = None) -> int:
    """Batches whose worker stopped moving, and rows in "sending" that no batch accounts
    for. Returns how many rows became "unknown" (the mail may have left: never resent)."""
    now = now or timezone.now()
    unknown = 0
    for token in SendProgress.objects.filter(moved_at__lt=now - STALE).values_list(
        "token", flat=True
    ):
        unknown += _take_over(token, now)
    # Rows whose batch has no progress row: the database crashed (PostgreSQL empties the
    # unlogged table), so any of them may have left; or rows claimed before batches existed.
    stale = Send.objects.filter(state=SendState.SENDING, claimed_at__lt=now - STALE).exclude(
        claim__in=SendProgress.objects.values("token")
    )
    campaign_ids = set(stale.order_by().values_list("campaign_id", flat=True))
    unknown += stale.update(
        state=SendState.UNKNOWN,
        error="the worker stopped between the claim and the answer of the mail server",
    )
    for campaign in Campaign.objects.filter(pk__in=campaign_ids):
        finish_if_done(campaign)
    ClaimLog.objects.filter(at__lt=now - timedelta(hours=1)).delete()
    return unknown


def _take_over(token: int, now: datetime) -> int:
    """The batch of a worker that stopped: before the row it was handing over, every row had
    the server's final answer (refusals are written at once), so a row still "sending" there
    was accepted; the row it was handing over may have left; the rows after it were never
    touched and go back to the queue. Returns 1 if a row became unknown."""
    with transaction.atomic():
        progress = (
            SendProgress.objects.select_for_update()
            .filter(token=token, moved_at__lt=now - STALE)
            .first()
        )
        if progress is None:  # the worker moved, or finished, meanwhile
            return 0
        rows = Send.objects.filter(claim=token, state=SendState.SENDING)
        handing = progress.handing
        unknown = 0
        if handing is not None:
            campaign = Campaign.objects.filter(pk=progress.campaign_id).first()
            domain = (campaign.sender_address.rpartition("@")[2] if campaign else "") or "localhost"
            # Sent, at the latest when the worker moved on to the row it was handing over.
            _complete(
                token,
                [
                    (pk, f"<{send_token}.nl{progress.campaign_id}@{domain}>", progress.moved_at)
                    for pk, send_token in rows.filter(pk__lt=handing).values_list("pk", "token")
                ],
            )
            unknown = rows.filter(pk=handing).update(
                state=SendState.UNKNOWN,
                error="the worker stopped while handing this message to the mail server",
            )
            rows = rows.filter(pk__gt=handing)
        rows.update(state=SendState.QUEUED, claim=None, claimed_at=None, attempts=F("attempts") - 1)
        progress.delete()
    campaign = Campaign.objects.filter(pk=progress.campaign_id).first()
    if campaign is not None:
        finish_if_done(campaign)
    return unknown


def send_test(campaign: Campaign, address: str, language: str) -> None:
    """One copy to one address, outside the campaign's rows (it is not a recipient)."""
    target = target_for(campaign.workspace_id)
    rendered = rendering.render(campaign, language, "")
    rendered.subject = f"[TEST] {rendered.subject}"
    domain = campaign.sender_address.rpartition("@")[2] or "localhost"
    message = rendering.message_bytes(
        campaign, rendered, address, token=f"test{secrets.token_hex(10)}", domain=domain
    )
    with connect(target) as smtp:
        smtp.sendmail(campaign.sender_address, [address], message)
