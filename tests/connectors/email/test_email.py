"""The e-mail connector against a real IMAP server (Dovecot) and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy

import pytest

from liant.connectors.base import Author, ConnectorError, Draft, ErrorKind, EventKind
from liant.connectors.email.connector import EmailConnector
from liant.connectors.http import HttpClient, MemoryRecorder

FIRST = b"""From: =?utf-8?q?Jos=C3=A9_Martin?= <jose@client.example>
To: support@maison-lumiere.example
Subject: =?utf-8?q?Ma_commande_n=C2=B0_1042_n=27est_pas_arriv=C3=A9e?=
Date: Sat, 21 Nov 2026 09:15:00 +0100
Message-ID: <cmd-1042@client.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Bonjour, ma commande de caf\xc3\xa9 \xc3\xa9thiopien n'est toujours pas arriv\xc3\xa9e.
"""

HTML = b"""From: Ann Lee <ann@shop.example>
To: support@maison-lumiere.example
Subject: Wholesale prices
Date: Sat, 21 Nov 2026 10:00:00 +0000
Message-ID: <ws-1@shop.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Hello, what are your wholesale prices?
--b1
Content-Type: text/html; charset=utf-8

<p>Hello, what are your <b>wholesale</b> prices?<script>alert(1)</script></p>
--b1--
"""


def follow_up(n: int) -> bytes:
    return f"""From: jose@client.example
To: support@maison-lumiere.example
Subject: Re: Ma commande
Date: Sat, 21 Nov 2026 11:0{n}:00 +0100
Message-ID: <cmd-1042-{n}@client.example>
In-Reply-To: <cmd-1042@client.example>
References: <cmd-1042@client.example>

Toujours rien ({n}).
""".encode()


BAD_CHARSET = b"""From: x@spam.example
To: support@maison-lumiere.example
Subject: odd
Date: not a date at all
Message-ID: <odd@spam.example>
Content-Type: text/plain; charset=x-made-up

caf\xe9
"""


def connector(mailbox, outbox=None, *, password=None, smtp_password="s3cret-smtp", recorder=None):
    settings = {
        "address": mailbox.address,
        "display_name": "Maison Lumière",
        "imap_host": "127.0.0.1",
        "imap_port": mailbox.port,
        "imap_security": "none",
        "smtp_host": "127.0.0.1",
        "smtp_port": outbox.port if outbox else 1,
        "smtp_security": "none",
    }
    credentials = {
        "username": mailbox.address,
        "password": password or mailbox.password,
        "smtp_username": "support@maison-lumiere.example",
        "smtp_password": smtp_password,
    }
    return EmailConnector(settings, credentials, HttpClient(recorder or MemoryRecorder()))


def test_it_reads_new_mail_once_and_then_only_what_is_new(mailbox):
    mailbox.deliver(FIRST)
    mailbox.deliver(HTML)
    c = connector(mailbox)
    first = c.fetch({})
    assert [e.remote_id for e in first.events] == [
        "<cmd-1042@client.example>",
        "<ws-1@shop.example>",
    ]
    again = c.fetch(first.cursor)
    assert again.events == []
    mailbox.deliver(follow_up(1))
    third = c.fetch(again.cursor)
    assert [e.remote_id for e in third.events] == ["<cmd-1042-1@client.example>"]
    assert third.cursor["last_uid"] == 3


def test_french_headers_and_bodies_are_decoded(mailbox):
    mailbox.deliver(FIRST)
    [event] = connector(mailbox).fetch({}).events
    assert event.kind is EventKind.DIRECT_MESSAGE
    assert event.author.name == "José Martin" and event.author.remote_id == "jose@client.example"
    assert event.raw["subject"] == "Ma commande n° 1042 n'est pas arrivée"
    assert "café éthiopien" in event.text
    assert event.occurred_at.isoformat() == "2026-11-21T09:15:00+01:00"


def test_the_html_part_is_kept_for_sanitizing_and_the_text_part_for_reading(mailbox):
    mailbox.deliver(HTML)
    [event] = connector(mailbox).fetch({}).events
    assert event.text == "Hello, what are your wholesale prices?"
    assert "<b>wholesale</b>" in event.html


def test_replies_are_threaded_by_message_id(mailbox):
    mailbox.deliver(FIRST)
    mailbox.deliver(follow_up(1))
    first, reply = connector(mailbox).fetch({}).events
    assert reply.parent_remote_id == first.remote_id
    assert reply.thread_remote_id == first.remote_id == first.thread_remote_id


def test_a_broken_message_is_still_read_and_the_others_too(mailbox):
    mailbox.deliver(BAD_CHARSET)
    mailbox.deliver(FIRST)
    result = connector(mailbox).fetch({})
    assert [e.remote_id for e in result.events] == [
        "<odd@spam.example>",
        "<cmd-1042@client.example>",
    ]
    assert "caf" in result.events[0].text  # undecodable byte replaced, not an error


def test_a_message_that_cannot_be_parsed_is_reported_and_the_rest_kept(mailbox, monkeypatch):
    from liant.connectors.email import connector as module

    real = module.message_event

    def fragile(raw, uid, validity):
        if b"wholesale" in raw:
            raise ValueError("unreadable MIME structure")
        return real(raw, uid, validity)

    monkeypatch.setattr(module, "message_event", fragile)
    mailbox.deliver(HTML)
    mailbox.deliver(FIRST)
    result = connector(mailbox).fetch({})
    assert [e.remote_id for e in result.events] == ["<cmd-1042@client.example>"]
    assert [e.message for e in result.errors] == [
        "message UID 1: ValueError: unreadable MIME structure"
    ]
    assert result.cursor["last_uid"] == 2  # not read again and again


def test_a_wrong_password_is_an_expired_sign_in(mailbox):
    with pytest.raises(ConnectorError) as error:
        connector(mailbox, password="wrong").fetch({})
    assert error.value.kind is ErrorKind.AUTH_EXPIRED


def test_a_server_that_does_not_answer_is_transient(mailbox):
    mailbox.port = 1  # nothing listens there
    with pytest.raises(ConnectorError) as error:
        connector(mailbox).fetch({})
    assert error.value.kind is ErrorKind.TRANSIENT


def test_a_reply_goes_out_in_the_same_thread(mailbox, outbox):
    mailbox.deliver(FIRST)
    c = connector(mailbox, outbox)
    [parent] = c.fetch({}).events
    sent = c.reply(
        parent,
        Draft(text="Bonjour José, votre colis part aujourd'hui.", idempotency_key="reply-77"),
    )
    [envelope] = outbox.messages
    assert envelope.rcpt_tos == ["jose@client.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["In-Reply-To"] == "<cmd-1042@client.example>"
    assert message["References"] == "<cmd-1042@client.example>"
    assert message["Subject"] == "Re: Ma commande n° 1042 n'est pas arrivée"
    assert message["From"] == f"Maison Lumière <{mailbox.address}>"
    assert message["Message-ID"] == sent.remote_id == "<reply-77@maison-lumiere.example>"
    assert "votre colis part aujourd'hui" in message.get_content()


def test_a_sent_reply_read_back_from_the_mailbox_joins_the_thread(mailbox, outbox):
    mailbox.deliver(FIRST)
    c = connector(mailbox, outbox)
    first = c.fetch({})
    c.reply(first.events[0], Draft(text="Réponse"))
    mailbox.deliver(outbox.messages[0].content)  # the copy a mail server would file
    [echo] = c.fetch(first.cursor).events
    assert echo.parent_remote_id == "<cmd-1042@client.example>"


def test_a_direct_message_is_sent_to_the_address(mailbox, outbox):
    connector(mailbox, outbox).send_direct(
        Author(remote_id="ines@agence.example"), Draft(text="Bonjour", link="Votre devis")
    )
    [envelope] = outbox.messages
    assert envelope.rcpt_tos == ["ines@agence.example"]


def test_a_refused_smtp_login_is_an_expired_sign_in(mailbox, outbox):
    with pytest.raises(ConnectorError) as error:
        connector(mailbox, outbox, smtp_password="nope").send_direct(
            Author(remote_id="a@b.example"), Draft(text="x")
        )
    assert error.value.kind is ErrorKind.AUTH_EXPIRED
    assert outbox.messages == []


def test_a_refused_recipient_is_permanent_and_named(mailbox, outbox):
    outbox.refuse.add("gone@client.example")
    with pytest.raises(ConnectorError) as error:
        connector(mailbox, outbox).send_direct(
            Author(remote_id="gone@client.example"), Draft(text="x")
        )
    assert error.value.kind is ErrorKind.PERMANENT
    assert "gone@client.example" in error.value.message


def test_exchanges_are_recorded_without_the_password(mailbox, outbox):
    recorder = MemoryRecorder()
    mailbox.deliver(FIRST)
    c = connector(mailbox, outbox, recorder=recorder)
    c.send_direct(Author(remote_id="a@b.example"), Draft(text="x"))
    c.fetch({})
    methods = [x.method for x in recorder.exchanges]
    assert "IMAP" in methods and "SMTP" in methods
    assert all("s3cret" not in (x.url + x.excerpt + x.error) for x in recorder.exchanges)


def test_check_connection_proves_both_servers(mailbox, outbox):
    assert connector(mailbox, outbox).check_connection() == mailbox.address
