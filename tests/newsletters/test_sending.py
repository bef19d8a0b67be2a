"""Sending through a real SMTP peer (aiosmtpd): each recipient at most once, even when the
worker dies between the claim and the completion; retries on 4xx, failures on 5xx."""

from __future__ import annotations

import email
import email.policy
import smtplib
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db.models import Count
from django.utils import timezone

from liant.newsletters import sending
from liant.newsletters.models import Send, SendState, Subscriber, SubscriberState
from tests.newsletters.conftest import per_recipient, subscribe
from tests.servers import free_port

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """Stands for SIGKILL: nothing in the sending code may catch it (not an Exception)."""


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_a_campaign_reaches_each_subscriber_once(campaign, mailing_list, sending_settings, outbox):
    subscribe(mailing_list, 30)
    assert sending.start(campaign) == 30
    assert sending.start(campaign) == 30  # twice: still one row per address
    assert Send.objects.filter(campaign=campaign).count() == 30
    report = sending.send_due(campaign.pk)
    assert report.sent == 30
    counts = per_recipient(outbox)
    assert len(counts) == 30 and set(counts.values()) == {1}
    campaign.refresh_from_db()
    assert campaign.state == "sent" and campaign.finished_at is not None
    assert sending.send_due(campaign.pk).sent == 0


def test_the_worker_dying_mid_campaign_sends_nobody_twice(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    """1,000 subscribers; the worker dies after the mail server accepted message 250 and
    before anything recorded it. The campaign resumes; no address gets two messages."""
    subscribe(mailing_list, 1000)
    sending.start(campaign)
    real_progress = sending._progress
    calls = {"n": 0}

    def progress_or_die(token: int, row_pk: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 251:
            raise WorkerDied  # message 250 has left; its row still says "sending"
        return real_progress(token, row_pk)

    monkeypatch.setattr(sending, "_progress", progress_or_die)
    with pytest.raises(WorkerDied):
        while sending.send_due(campaign.pk).sent:
            pass
    monkeypatch.setattr(sending, "_progress", real_progress)
    assert len(outbox.messages) == 250
    in_flight = Send.objects.filter(campaign=campaign, state="sending")
    assert in_flight.count() == sending.BATCH  # the dead worker's whole batch

    # Another worker resumes at once: the dead worker's batch is not queued, so it is skipped.
    while sending.send_due(campaign.pk).sent:
        pass
    assert len(outbox.messages) == 1000 - sending.BATCH + 250
    campaign.refresh_from_db()
    assert campaign.state == "sending"  # the dead worker's batch is still uncertain
    # The sweep, later, takes the batch over: the 249 rows before the one being handed over
    # had been accepted (sent), that one may have left (unknown, never resent), the rest of
    # the batch goes back to the queue.
    assert sending.sweep(timezone.now() + timedelta(minutes=10)) == 1
    assert in_flight.count() == 0
    while sending.send_due(campaign.pk).sent:
        pass
    campaign.refresh_from_db()
    assert campaign.state == "sent"
    counts = per_recipient(outbox)
    assert len(counts) == 1000
    assert max(counts.values()) == 1
    states = dict(
        Send.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk"))
    )
    assert states == {"sent": 999, "unknown": 1}
    assert not Send.objects.filter(campaign=campaign, state="sent", message_id="").exists()


def test_a_row_claimed_by_a_worker_that_died_before_the_smtp_call_is_not_sent(
    campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 5)
    sending.start(campaign)
    victim = Send.objects.filter(campaign=campaign).first()
    # As a worker leaves it when it dies right after the claim.
    Send.objects.filter(pk=victim.pk).update(
        state=SendState.SENDING, claimed_at=timezone.now() - timedelta(minutes=30)
    )
    sending.send_due(campaign.pk)
    assert victim.email not in per_recipient(outbox)
    assert sending.sweep() == 1
    victim.refresh_from_db()
    assert victim.state == SendState.UNKNOWN
    assert len(outbox.messages) == 4


def test_the_member_receives_the_version_in_their_language(
    campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 2)  # p0 English, p1 French
    sending.start(campaign)
    sending.send_due(campaign.pk)
    by_rcpt = {e.rcpt_tos[0]: parsed(e) for e in outbox.messages}
    assert by_rcpt["p0@people.example"]["Subject"] == "What's new in November"
    assert by_rcpt["p1@people.example"]["Subject"] == "Les nouveautés de novembre"


def test_the_message_has_inlined_css_a_text_part_and_rfc8058_headers(
    campaign, mailing_list, sending_settings, outbox, client
):
    subscribe(mailing_list, 1)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    envelope = outbox.messages[0]
    message = parsed(envelope)
    row = Send.objects.get(campaign=campaign)
    # VERP: the envelope sender names the row, so a bounce finds it.
    assert envelope.mail_from == f"bounces+{row.token}@news.brand.example"
    assert row.token in message["Message-ID"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<style" not in html and 'style="' in html  # inlined for mail clients
    assert "<strong" in html and "seasonal coffee" in html
    assert "**seasonal coffee**" in text
    # RFC 8058 section 3.1: an HTTPS URI in List-Unsubscribe and exactly this
    # List-Unsubscribe-Post value.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    targets = [t.strip().strip("<>") for t in str(message["List-Unsubscribe"]).split(",")]
    https = [t for t in targets if t.startswith(("http://", "https://"))]
    assert len(https) == 1
    assert any(t.startswith("mailto:bounces+u-") for t in targets)
    # The footer carries the same link, and the link works as a one-click POST.
    assert https[0] in html and https[0] in text
    path = https[0].split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().state == SubscriberState.UNSUBSCRIBED


def test_the_throttle_keeps_to_the_workspace_budget(
    campaign, mailing_list, sending_settings, outbox
):
    sending_settings.per_minute = 7
    sending_settings.save()
    subscribe(mailing_list, 20)
    sending.start(campaign)
    assert sending.send_due(campaign.pk).sent == 7
    report = sending.send_due(campaign.pk)
    assert report.sent == 0 and report.throttled
    assert len(outbox.messages) == 7


def test_a_permanent_refusal_is_recorded_and_suppresses_the_address(
    campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 3)
    outbox.refuse.add("p1@people.example")
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert report.sent == 2 and report.failed == 1
    row = Send.objects.get(email="p1@people.example")
    assert row.state == SendState.FAILED and row.error.startswith("550")
    assert Subscriber.objects.get(email="p1@people.example").state == SubscriberState.BOUNCED


class Deferring:
    """An SMTP peer that answers 451 to chosen recipients, as a greylisting server does."""

    def __init__(self) -> None:
        self.defer: set[str] = set()
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def deferring(sending_settings):
    handler = Deferring()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    sending_settings.smtp_port = controller.port
    sending_settings.save()
    yield handler
    controller.stop()


def test_a_temporary_refusal_is_retried_with_backoff(campaign, mailing_list, deferring):
    subscribe(mailing_list, 2)
    deferring.defer.add("p0@people.example")
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert report.sent == 1 and report.deferred == 1
    row = Send.objects.get(email="p0@people.example")
    assert row.state == SendState.QUEUED and row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=1)
    assert sending.send_due(campaign.pk).sent == 0  # not due yet
    deferring.defer.clear()
    Send.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert sending.send_due(campaign.pk).sent == 1
    assert sorted(deferring.received) == ["p0@people.example", "p1@people.example"]


def test_a_row_deferred_too_often_fails(campaign, mailing_list, deferring):
    subscribe(mailing_list, 1)
    deferring.defer.add("p0@people.example")
    sending.start(campaign)
    for _attempt in range(sending.MAX_ATTEMPTS):
        Send.objects.update(next_attempt_at=timezone.now())
        sending.send_due(campaign.pk)
    row = Send.objects.get()
    assert row.state == SendState.FAILED and row.error.startswith("451")
    campaign.refresh_from_db()
    assert campaign.state == "sent"


def test_a_scheduled_campaign_starts_when_due(campaign, mailing_list, sending_settings, outbox):
    subscribe(mailing_list, 3)
    campaign.state = "scheduled"
    campaign.scheduled_at = timezone.now() + timedelta(days=7)
    campaign.save()
    assert sending.start_due() == []
    campaign.scheduled_at = timezone.now() - timedelta(seconds=1)
    campaign.save()
    assert sending.start_due() == [campaign.pk]
    sending.send_due(campaign.pk)
    assert len(outbox.messages) == 3


def test_a_test_send_reaches_one_address_only(campaign, mailing_list, sending_settings, outbox):
    subscribe(mailing_list, 3)
    sending.send_test(campaign, "camille@brand.example", "en")
    assert per_recipient(outbox) == {"camille@brand.example": 1}
    assert parsed(outbox.messages[0])["Subject"] == "[TEST] What's new in November"
    assert not Send.objects.exists()


def test_someone_who_unsubscribes_mid_campaign_is_not_sent_to(
    campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 3)
    sending.start(campaign)
    Subscriber.objects.filter(email="p2@people.example").update(state=SubscriberState.UNSUBSCRIBED)
    sending.send_due(campaign.pk)
    assert "p2@people.example" not in per_recipient(outbox)
    assert Send.objects.get(email="p2@people.example").state == SendState.SKIPPED
    campaign.refresh_from_db()
    assert campaign.state == "sent"


def test_a_workspace_can_send_through_its_email_channel(campaign, mailing_list, outbox):
    from liant.channels.models import Channel
    from liant.newsletters.models import SendingSettings

    channel = Channel.objects.create(
        workspace=campaign.workspace,
        kind="email",
        name="Support",
        settings={"address": "support@maison-lumiere.example", "smtp_host": "127.0.0.1",
                  "smtp_port": outbox.port, "smtp_security": "none"},
    )  # fmt: skip
    channel.credentials = {"username": "support@maison-lumiere.example", "password": "s3cret-smtp"}
    channel.save()
    settings = SendingSettings.of(campaign.workspace_id)
    settings.channel = channel
    settings.save()
    subscribe(mailing_list, 2)
    sending.start(campaign)
    assert sending.send_due(campaign.pk).sent == 2  # logged in with the channel's password
    assert len(per_recipient(outbox)) == 2
    # A refused login happens before any claim: nothing is left "sending".
    channel.credentials = {"username": "support@maison-lumiere.example", "password": "wrong"}
    channel.save()
    # The two rows are back to "queued", as a 4xx would leave them.
    Send.objects.update(state=SendState.QUEUED)
    campaign.state = "sending"
    campaign.save()
    with pytest.raises(smtplib.SMTPAuthenticationError):
        sending.send_due(campaign.pk)
    assert set(Send.objects.values_list("state", flat=True)) == {SendState.QUEUED}


def test_an_unreachable_server_is_shown_and_claims_nothing(
    campaign, mailing_list, sending_settings
):
    from liant.newsletters.tasks import run_campaign

    sending_settings.smtp_port = free_port()  # nobody listens there
    sending_settings.save()
    subscribe(mailing_list, 2)
    sending.start(campaign)
    run_campaign(campaign.pk)
    campaign.refresh_from_db()
    assert "ConnectionRefused" in campaign.last_error
    assert set(Send.objects.values_list("state", flat=True)) == {SendState.QUEUED}


def test_no_mailto_unsubscribe_when_nobody_reads_the_bounce_mailbox(
    campaign, mailing_list, sending_settings, outbox
):
    sending_settings.imap_host = ""
    sending_settings.save()
    subscribe(mailing_list, 1)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    message = parsed(outbox.messages[0])
    assert "mailto:" not in str(message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_lean_smtp_transaction_delivers_what_sendmail_delivers(outbox):
    """_hand_over (the worker's own MAIL/RCPT/DATA) against smtplib's sendmail on the same
    server: same bytes received (lines starting with "." survive the dot-stuffing), a
    refused recipient raises the same exception, and the connection serves the next one."""
    message = b"Subject: dots\r\n\r\n.one dot\r\n..two dots\r\nend.\r\n.\r\nlast line"
    unusual = '"two words"@people.example'  # not a plain address: sendmail() handles it
    outbox.refuse.add("refused@people.example")
    with smtplib.SMTP("127.0.0.1", outbox.port) as smtp:
        sending._hand_over(smtp, "bounces+t1@news.example", "a@people.example", message)
        smtp.sendmail("bounces+t2@news.example", ["b@people.example"], message)
        sending._hand_over(smtp, "bounces+t3@news.example", unusual, message)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            sending._hand_over(smtp, "bounces+t4@news.example", "refused@people.example", message)
        sending._hand_over(smtp, "bounces+t5@news.example", "c@people.example", message)
    assert refused.value.recipients["refused@people.example"][0] == 550
    lean, reference, fallback, after = outbox.messages
    assert lean.original_content == reference.original_content == message + b"\r\n"
    assert (lean.mail_from, lean.rcpt_tos) == ("bounces+t1@news.example", ["a@people.example"])
    assert fallback.rcpt_tos == [unusual]
    assert after.rcpt_tos == ["c@people.example"]
    assert after.original_content == message + b"\r\n"


def test_a_batch_of_people_who_all_left_does_not_stop_the_worker(
    campaign, mailing_list, sending_settings, outbox
):
    """Rows whose subscriber left are skipped when their turn comes; a look that found only
    such rows used to read as "nothing due", which ended the worker's loop with the one
    subscriber still waiting for the next minute's tick."""
    subscribe(mailing_list, 40)
    sending.start(campaign)
    Subscriber.objects.exclude(email="p17@people.example").update(
        state=SubscriberState.UNSUBSCRIBED
    )
    report = sending.send_due(campaign.pk, limit=1)
    assert report.sent == 1
    assert per_recipient(outbox) == {"p17@people.example": 1}
