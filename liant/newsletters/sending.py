"""Sending a campaign from the workers, each recipient at most once.

The rule that makes it hold: a Send row is claimed (queued -> sending, with the claim time)
by a conditional UPDATE *before* the SMTP call, and completed (sending -> sent) after it.
A worker that dies in between leaves the row in "sending"; the sweep turns it into "unknown"
and nothing ever moves a row out of "unknown" or "sending" back to "queued". So a mail that
may have left is never sent a second time: at most one mail per recipient, and the rows a
crash made uncertain are shown to the community manager instead of being guessed.

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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from liant.newsletters import abtest, rendering, tracking
from liant.newsletters.models import (
    Campaign,
    CampaignState,
    Send,
    SendingSettings,
    SendState,
    Subscriber,
    SubscriberState,
)

BATCH = 500  # rows read per query; each one is still claimed on its own
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


def _hand_over(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
    """smtplib's sendmail() for one recipient and a message already in wire form (CRLF):
    the same commands, replies and exceptions (plus an RSET after a refused DATA, so the next
    message starts a clean transaction), without parsing both addresses again and without a
    regular expression over the whole message for the dot-stuffing.

    Anything else (a non-ASCII address, a bare CR or LF) goes through sendmail() itself.
    """
    if not (
        _PLAIN_ADDRESS.fullmatch(sender)
        and _PLAIN_ADDRESS.fullmatch(recipient)
        and message.count(b"\r") == message.count(b"\n") == message.count(b"\r\n")
    ):
        smtp.sendmail(sender, [recipient], message)
        return
    smtp.ehlo_or_helo_if_needed()
    size = f" SIZE={len(message)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:<{sender}>{size}")
    code, reply = smtp.getreply()
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    smtp.putcmd("rcpt", f"TO:<{recipient}>")
    code, reply = smtp.getreply()
    if code not in (250, 251):
        _end_transaction(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    # RFC 5321 4.5.2: a line starting with "." gets one more; the message ends with CRLF.
    data = message.replace(b"\n.", b"\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


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
    recent = Send.objects.filter(
        campaign__workspace_id=workspace_id,
        claimed_at__gte=timezone.now() - timedelta(minutes=1),
    ).count()
    return max(0, per_minute - recent)


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


# One statement per message, for the claim of the next row and the completion of the one
# just handed over: a single statement is atomic on its own (no BEGIN/COMMIT round trips) and
# costs the worker one round trip and one commit per message instead of two. Written as SQL
# once: the ORM spent more time building each UPDATE than the database took to run it.
# The claim keeps its condition (state = 'queued'), so several workers still race on it
# safely; RETURNING says which of the two rows changed.
_STEP_SQL = """
UPDATE {table} SET
  {state} = CASE WHEN {id} = %s THEN 'sent' ELSE 'sending' END,
  {sent_at} = CASE WHEN {id} = %s THEN %s ELSE {sent_at} END,
  {message_id} = CASE WHEN {id} = %s THEN %s ELSE {message_id} END,
  {error} = CASE WHEN {id} = %s THEN '' ELSE {error} END,
  {claimed_at} = CASE WHEN {id} = %s THEN {claimed_at} ELSE %s END,
  {attempts} = CASE WHEN {id} = %s THEN {attempts} ELSE {attempts} + 1 END
WHERE ({id} = %s AND {state} = 'sending') OR ({id} = %s AND {state} = 'queued')
RETURNING {id}
"""


@functools.cache
def _step_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = {f.name: quote(f.column or f.name) for f in Send._meta.concrete_fields}
    return _STEP_SQL.format(table=quote(Send._meta.db_table), **columns)


def _step(done: int | None, message_id: str, claim: int | None) -> bool:
    done_id = -1 if done is None else done  # ids are positive: -1 matches no row
    wanted = -1 if claim is None else claim
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [done_id, done_id, now, done_id, message_id, done_id, done_id, now, done_id]
    with connection.cursor() as cursor:
        cursor.execute(_step_sql(connection.vendor), [*params, done_id, wanted])
        changed = {row[0] for row in cursor.fetchall()}
    return wanted in changed


def _complete(row_pk: int, message_id: str, claim_next: int | None = None) -> bool:
    """Mark `row_pk` sent (the SMTP server accepted it) and, in the same statement, claim
    `claim_next` (queued -> sending). Returns whether that claim was won.

    A message's completion is written with the claim of the next one rather than on its own:
    until then the row stays in "sending", which is what a crash between the SMTP call and
    the completion leaves anyway (unknown, never resent), and nothing is sent in between. So
    at most one row of a worker is ever in "sending", as before.
    """
    return _step(row_pk, message_id, claim_next)


def _claim(row_pk: int) -> bool:
    """queued -> sending, before anything leaves for the network; False: another worker has it."""
    return _step(None, "", row_pk)


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
    due = Send.objects.filter(
        campaign=campaign, state=SendState.QUEUED, next_attempt_at__lte=timezone.now()
    )
    fields = ("pk", "email", "language", "token", "subscriber_id", "attempts", "variant")
    size = min(allowed, BATCH)
    # Workers sharing a campaign each start with a different slice of its rows (pk modulo
    # SLICES), so their claims seldom collide; the batch is topped up with any due row.
    # Correctness never depends on this: the conditional claim alone decides who sends.
    rows = list(
        due.annotate(slice=F("pk") % SLICES)
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
    if not rows:
        finish_if_done(campaign)
        return report
    domain = campaign.sender_address.rpartition("@")[2] or "localhost"
    # One template per language and subject: a row of an A/B sample carries its variant,
    # any other row the winner (or the campaign's own subject when there is no test).
    default_variant = campaign.ab_winner or 0
    link_pattern = rendering.unsubscribe_url("liant-token")  # reversed once, filled per recipient
    signer = rendering.unsubscribe_signer()
    # The row handed to the SMTP server and not yet marked sent: its completion goes with the
    # next claim (see _complete), or alone after the loop.
    accepted: tuple[int, str] | None = None
    with connect(target) as smtp:
        for pk, address, language, token, subscriber_id, attempts, variant, _state in rows:
            # The claim: only one worker moves this row out of "queued", and it does so
            # before anything leaves for the network.
            if accepted is not None:
                claimed = _complete(*accepted, claim_next=pk)
                accepted = None
            else:
                claimed = _claim(pk)
            if not claimed:
                continue
            link = link_pattern.replace(
                "liant-token", rendering.unsubscribe_token(subscriber_id or 0, pk, signer)
            )
            template = _template(
                campaign, language, default_variant if variant is None else variant, domain
            )
            message = template.render(
                address,
                token,
                link,
                verp(target.bounce_address, f"u-{token}") if target.reads_bounces else "",
            )
            envelope_from = (
                verp(target.bounce_address, token)
                if target.bounce_address
                else campaign.sender_address
            )
            try:
                _hand_over(smtp, envelope_from, address, message)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                state = _on_refusal(pk, attempts + 1, code, _decode(text), True)
                report.deferred += state == SendState.QUEUED
                report.failed += state == SendState.FAILED
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                state = _on_refusal(pk, attempts + 1, exc.smtp_code, _decode(exc.smtp_error), False)
                report.deferred += state == SendState.QUEUED
                report.failed += state == SendState.FAILED
            except (OSError, smtplib.SMTPException) as exc:
                # The connection broke mid-transaction: the relay may have taken the mail, so
                # the row is "unknown" (shown, never resent), and this batch stops here.
                Send.objects.filter(pk=pk, state=SendState.SENDING).update(
                    state=SendState.UNKNOWN, error=f"{type(exc).__name__}: {exc}"[:500]
                )
                report.unknown += 1
                report.errors.append(str(exc))
                break
            else:
                accepted = (pk, f"<{token}.nl{campaign.pk}@{domain}>")
                report.sent += 1
        if accepted is not None:
            # Before QUIT: a slow or failing QUIT must not hold the completion back.
            _complete(*accepted)
    finish_if_done(campaign)
    return report


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def finish_if_done(campaign: Campaign) -> bool:
    open_rows = Send.objects.filter(
        campaign=campaign, state__in=[SendState.QUEUED, SendState.SENDING, SendState.HELD]
    )
    if open_rows.exists():
        return False
    done = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.SENDING).update(
        state=CampaignState.SENT, finished_at=timezone.now()
    )
    return bool(done)


def sweep(now: datetime | None = None) -> int:
    """Rows a dead worker left in "sending": the mail may have left, so they become
    "unknown" and are never sent again. Returns how many were found."""
    now = now or timezone.now()
    stale = Send.objects.filter(state=SendState.SENDING, claimed_at__lt=now - STALE)
    campaign_ids = set(stale.values_list("campaign_id", flat=True))
    count = stale.update(
        state=SendState.UNKNOWN,
        error="the worker stopped between the claim and the answer of the mail server",
    )
    for campaign in Campaign.objects.filter(pk__in=campaign_ids):
        finish_if_done(campaign)
    return count


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
