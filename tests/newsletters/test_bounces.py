"""Bounces: RFC 3464 DSNs matched to their send row by the VERP token; 5.x.x suppresses,
three 4.x.x suppress; read from a real IMAP mailbox (Dovecot)."""

from __future__ import annotations

import pytest

from liant.newsletters import bounces, sending
from liant.newsletters.models import Send, Subscriber, SubscriberState
from tests.newsletters.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(campaign, mailing_list, sending_settings, outbox) -> list[Send]:
    subscribe(mailing_list, 3)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    return list(Send.objects.filter(campaign=campaign))


def dsn_for(row: Send, status: str) -> bytes:
    return bounces.dsn(
        row.email, status, row.token, f"bounces+{row.token}@news.brand.example", "people.example"
    )


def test_a_dsn_is_parsed_with_the_email_package(sent):
    notices = bounces.parse(dsn_for(sent[0], "5.1.1"))
    assert len(notices) == 1
    notice = notices[0]
    assert (notice.kind, notice.token, notice.recipient, notice.status, notice.action) == (
        "bounce",
        sent[0].token,
        sent[0].email,
        "5.1.1",
        "failed",
    )


def test_a_hard_bounce_suppresses_the_address(workspace, sent):
    assert bounces.process(workspace.pk, dsn_for(sent[0], "5.1.1")) == ["hard"]
    assert Subscriber.objects.get(pk=sent[0].subscriber_id).state == SubscriberState.BOUNCED
    row = Send.objects.get(pk=sent[0].pk)
    assert row.bounced_at and row.bounce_status == "5.1.1"


def test_three_soft_bounces_suppress_the_address(workspace, sent):
    results = [bounces.process(workspace.pk, dsn_for(sent[1], "4.2.2"))[0] for _ in range(3)]
    assert results == ["soft", "soft", "soft-suppressed"]
    subscriber = Subscriber.objects.get(pk=sent[1].subscriber_id)
    assert subscriber.soft_bounces == 3 and subscriber.state == SubscriberState.BOUNCED


def test_a_dsn_matched_only_by_the_quoted_message_id(workspace, sent):
    raw = bounces.dsn(sent[2].email, "5.1.1", sent[2].token, "bounces@news.brand.example", "x")
    assert bounces.process(workspace.pk, raw) == ["hard"]


def test_a_dsn_naming_another_address_than_its_row_suppresses_nothing(workspace, sent):
    raw = bounces.dsn("victim@people.example", "5.1.1", sent[0].token, "b@x.example", "x")
    assert bounces.process(workspace.pk, raw) == ["mismatch"]
    assert not Subscriber.objects.filter(state=SubscriberState.BOUNCED).exists()


def test_a_token_of_another_workspace_matches_nothing(other_workspace, sent):
    assert bounces.process(other_workspace.pk, dsn_for(sent[0], "5.1.1")) == ["unmatched"]


def test_a_mailto_unsubscribe_reaches_the_row(workspace, sent):
    raw = (
        f"From: p0@people.example\r\nTo: bounces+u-{sent[0].token}@news.brand.example\r\n"
        "Subject: unsubscribe\r\n\r\n"
    ).encode()
    assert bounces.process(workspace.pk, raw) == ["unsubscribed"]
    assert Subscriber.objects.get(pk=sent[0].subscriber_id).state == SubscriberState.UNSUBSCRIBED


def test_the_bounce_mailbox_is_read_over_imap(workspace, sent, sending_settings, mailbox):
    mailbox.deliver(dsn_for(sent[0], "5.1.1"))
    mailbox.deliver(b"From: someone@x.example\r\nSubject: hello\r\n\r\nnot a bounce\r\n")
    sending_settings.imap_host = "127.0.0.1"
    sending_settings.imap_port = mailbox.port
    sending_settings.imap_security = "none"
    sending_settings.imap_username = mailbox.address
    sending_settings.imap_password = mailbox.password
    sending_settings.save()
    assert bounces.read_mailbox(workspace.pk) == 2
    assert Subscriber.objects.get(pk=sent[0].subscriber_id).state == SubscriberState.BOUNCED
    assert bounces.read_mailbox(workspace.pk) == 0  # the UID cursor moved on


def test_a_complaint_feedback_report_suppresses_the_address(workspace, sent):
    row = sent[1]
    raw = (
        "From: fbl@provider.example\r\nTo: bounces@news.brand.example\r\n"
        "Subject: complaint\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
        "--b\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nVersion: 1\r\n\r\n"
        f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{row.token}.nl1@x>\r\n\r\n"
        "--b--\r\n"
    ).encode()
    assert bounces.process(workspace.pk, raw) == ["complained"]
    assert Subscriber.objects.get(pk=row.subscriber_id).state == SubscriberState.COMPLAINED
    assert Send.objects.get(pk=row.pk).unsubscribed_at is not None


def test_a_hard_bounce_suppresses_the_address_on_every_list(workspace, sent):
    from liant.newsletters.models import MailingList

    other = MailingList.objects.create(workspace=workspace, name="Other")
    subscriber = Subscriber.objects.get(pk=sent[0].subscriber_id)
    Subscriber.objects.create(
        workspace=workspace, mailing_list=other, member=subscriber.member,
        email=subscriber.email, state=SubscriberState.SUBSCRIBED,
    )  # fmt: skip
    bounces.process(workspace.pk, dsn_for(sent[0], "5.1.1"))
    states = set(Subscriber.objects.filter(email=subscriber.email).values_list("state", flat=True))
    assert states == {SubscriberState.BOUNCED}
