"""Batches of claimed rows, the progress row that follows them, and RFC 2920 pipelining:
each recipient still gets at most one message, whatever stops the worker or the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from liant.members.models import Member
from liant.newsletters import sending
from liant.newsletters.models import Send, SendProgress, SendState, Subscriber, SubscriberState
from tests.newsletters.conftest import per_recipient, subscribe
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def states(campaign) -> dict[str, int]:
    return dict(Send.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk")))


def add_subscriber(mailing_list, email: str) -> None:
    member = Member.objects.create(workspace=mailing_list.workspace, email=email, language="fr")
    Subscriber.objects.create(
        workspace=mailing_list.workspace,
        mailing_list=mailing_list,
        member=member,
        email=email,
        state=SubscriberState.SUBSCRIBED,
    )


@pytest.mark.parametrize("pipelining", [True, False])
def test_with_or_without_pipelining_each_address_gets_one_message(
    pipelining, campaign, mailing_list, sending_settings, outbox
):
    outbox.pipelining = pipelining
    subscribe(mailing_list, 40)
    # Not a plain dot-atom: handed to sendmail() on its own, between pipelined rows.
    add_subscriber(mailing_list, '"two words"@people.example')
    outbox.refuse.update({"p7@people.example", "p30@people.example"})
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert (report.sent, report.failed, report.unknown) == (39, 2, 0)
    counts = per_recipient(outbox)
    assert len(counts) == 39 and set(counts.values()) == {1}
    assert '"two words"@people.example' in counts
    assert states(campaign) == {"sent": 39, "failed": 2}
    assert not SendProgress.objects.exists()
    sent = Send.objects.filter(campaign=campaign, state="sent")
    assert not sent.filter(message_id="").exists() and not sent.filter(sent_at=None).exists()
    campaign.refresh_from_db()
    assert campaign.state == "sent"


class Picky:
    """A pipelining SMTP peer that refuses the data of chosen recipients (5xx or 4xx), or
    says it is closing (421) at one of them."""

    def __init__(self) -> None:
        self.refuse_data: dict[str, str] = {}
        self.received: list[str] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse_data:
                return self.refuse_data[rcpt]
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def picky(sending_settings):
    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    sending_settings.smtp_port = controller.port
    sending_settings.save()
    yield handler
    controller.stop()


def test_refused_data_between_pipelined_messages(campaign, mailing_list, picky):
    subscribe(mailing_list, 10)
    picky.refuse_data = {
        "p2@people.example": "554 5.7.1 Message rejected",
        "p5@people.example": "452 4.3.1 Insufficient storage",
    }
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert (report.sent, report.failed, report.deferred) == (8, 1, 1)
    assert sorted(picky.received) == sorted(
        f"p{i}@people.example" for i in range(10) if i not in (2, 5)
    )
    assert Send.objects.get(email="p2@people.example").state == SendState.FAILED
    deferred = Send.objects.get(email="p5@people.example")
    assert deferred.state == SendState.QUEUED and deferred.attempts == 1
    # A refusal of the message is not a refusal of the address: nobody is suppressed.
    assert not Subscriber.objects.exclude(state=SubscriberState.SUBSCRIBED).exists()


def test_a_server_closing_mid_batch_leaves_the_rest_queued(campaign, mailing_list, picky):
    subscribe(mailing_list, 10)
    picky.refuse_data = {"p4@people.example": "421 4.3.2 Shutting down"}
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert report.sent == 4 and report.deferred == 1 and report.unknown == 0
    assert states(campaign) == {"sent": 4, "queued": 6}  # p4 retried later, the rest untried
    # The throttle counts the five handed to the relay, not the five given back untouched.
    assert sending.budget(campaign.workspace_id, 100) == 95
    picky.refuse_data = {}
    Send.objects.update(next_attempt_at=timezone.now())
    while sending.send_due(campaign.pk).sent:
        pass
    assert sorted(picky.received) == sorted(f"p{i}@people.example" for i in range(10))


def test_a_batch_the_sweep_took_over_stops_before_its_next_message(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    """A worker stuck longer than STALE: the sweep takes its batch over, and the worker,
    when it wakes, sends no data of a row that is no longer its own."""
    subscribe(mailing_list, 20)
    sending.start(campaign)
    real_progress = sending._progress
    calls = {"n": 0}

    def progress_after_a_long_sleep(token: int, row_pk: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            sending.sweep(timezone.now() + timedelta(minutes=10))
        return real_progress(token, row_pk)

    monkeypatch.setattr(sending, "_progress", progress_after_a_long_sleep)
    report = sending.send_due(campaign.pk)
    monkeypatch.setattr(sending, "_progress", real_progress)
    assert report.sent == 2 and "taken over" in report.errors[0]
    assert len(outbox.messages) == 2
    # The row the worker had named last may have left: unknown; the others go on.
    while sending.send_due(campaign.pk).sent:
        pass
    counts = per_recipient(outbox)
    assert max(counts.values()) == 1
    assert states(campaign) == {"sent": 19, "unknown": 1}
    assert len(counts) == 20  # the unknown one did get its letter, once


def test_a_batch_whose_progress_the_database_lost_is_wholly_unknown(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    """A crash of PostgreSQL empties the unlogged progress table: a row of the batch may have
    left after its last durable write, so none of them is sent again."""
    subscribe(mailing_list, 10)
    sending.start(campaign)

    class Crash(BaseException):
        pass

    real_progress = sending._progress
    calls = {"n": 0}

    def progress_then_crash(token: int, row_pk: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 4:
            raise Crash
        return real_progress(token, row_pk)

    monkeypatch.setattr(sending, "_progress", progress_then_crash)
    with pytest.raises(Crash):
        sending.send_due(campaign.pk)
    monkeypatch.setattr(sending, "_progress", real_progress)
    SendProgress.objects.all().delete()  # what the crash recovery does to an unlogged table
    assert sending.send_due(campaign.pk).sent == 0  # the batch is not queued
    assert sending.sweep(timezone.now() + timedelta(minutes=10)) == 10
    assert states(campaign) == {"unknown": 10}
    assert max(per_recipient(outbox).values()) == 1


def test_rows_a_batch_never_reached_go_back_to_the_queue(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    subscribe(mailing_list, 10)
    sending.start(campaign)
    real_progress = sending._progress
    calls = {"n": 0}

    def fails_at_the_fifth(token: int, row_pk: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("database went away")
        return real_progress(token, row_pk)

    monkeypatch.setattr(sending, "_progress", fails_at_the_fifth)
    with pytest.raises(RuntimeError):
        sending.send_due(campaign.pk)
    monkeypatch.setattr(sending, "_progress", real_progress)
    # What the server accepted is recorded; the rows after the one in hand are queued again.
    assert states(campaign) == {"sent": 3, "sending": 2, "queued": 5}
    assert sending.send_due(campaign.pk).sent == 5
    # The sweep: the row whose data had left is unknown, the one only named goes back.
    assert sending.sweep(timezone.now() + timedelta(minutes=10)) == 1
    assert states(campaign) == {"sent": 8, "unknown": 1, "queued": 1}
    assert sending.send_due(campaign.pk).sent == 1
    assert states(campaign) == {"sent": 9, "unknown": 1}
    assert max(per_recipient(outbox).values()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_the_progress_table_is_unlogged_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [SendProgress._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)


# The same batches outside a test transaction: on PostgreSQL the progress row is then
# updated over a connection of its own, each answer read just before the named row's data
# leaves (sending._ProgressLine); inside one, through Django's connection, as above.


@pytest.mark.django_db(transaction=True)
def test_progress_over_its_own_connection_sends_each_address_once(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    opened = {"n": 0}
    real_connect = sending._ProgressLine._connect

    def counted(line):
        opened["n"] += 1
        return real_connect(line)

    monkeypatch.setattr(sending._ProgressLine, "_connect", counted)
    subscribe(mailing_list, 40)
    outbox.refuse.update({"p7@people.example", "p30@people.example"})
    sending.start(campaign)
    report = sending.send_due(campaign.pk)
    assert (report.sent, report.failed, report.unknown) == (38, 2, 0)
    assert set(per_recipient(outbox).values()) == {1} and len(per_recipient(outbox)) == 38
    assert states(campaign) == {"sent": 38, "failed": 2}
    assert not SendProgress.objects.exists()
    assert opened["n"] == (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db(transaction=True)
def test_a_late_answer_that_the_batch_was_taken_over_stops_the_next_data(
    campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    """The sweep takes the batch over between two updates: the update that names the next
    row finds no progress row, and that row's data, which would leave once the answer is
    read, never does."""
    subscribe(mailing_list, 20)
    sending.start(campaign)
    real_name = sending._ProgressLine.name
    calls = {"n": 0}

    def name_after_a_long_sleep(line, token: int, row_pk: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            line.settled()  # the row before is named for sure, as it would be after 5 min
            sending.sweep(timezone.now() + timedelta(minutes=10))
        real_name(line, token, row_pk)

    monkeypatch.setattr(sending._ProgressLine, "name", name_after_a_long_sleep)
    report = sending.send_due(campaign.pk)
    monkeypatch.setattr(sending._ProgressLine, "name", real_name)
    assert report.sent == 2 and "taken over" in report.errors[0]
    assert len(outbox.messages) == 2
    while sending.send_due(campaign.pk).sent:
        pass
    counts = per_recipient(outbox)
    assert max(counts.values()) == 1 and len(counts) == 20
    assert states(campaign) == {"sent": 19, "unknown": 1}
