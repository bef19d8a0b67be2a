"""A real mailbox (Dovecot) and a real SMTP peer (aiosmtpd): a mail is read, grouped, routed,
answered with a saved reply in the thread of the member's mail client."""

from __future__ import annotations

import email
import email.policy

import pytest

from liant.channels import fetching
from liant.channels.models import Channel
from liant.inbox.models import Conversation, Department, Message, RoutingRule, SavedReply
from tests.connectors.email import conftest as email_fixtures
from tests.inbox.conftest import ws_url

# The real mailbox and SMTP peer of the e-mail connector's tests.
dovecot = email_fixtures.dovecot
mailbox = email_fixtures.mailbox
smtp_server = email_fixtures.smtp_server
outbox = email_fixtures.outbox

pytestmark = pytest.mark.django_db

COMPLAINT = (
    b"From: =?utf-8?q?Jos=C3=A9_Martin?= <jose@client.example>\r\n"
    b"To: support@maison-lumiere.example\r\n"
    b"Subject: =?utf-8?q?Commande_1042_jamais_arriv=C3=A9e?=\r\n"
    b"Date: Mon, 23 Nov 2026 09:12:00 +0100\r\n"
    b"Message-ID: <cmd-1042-inbox@client.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Bonjour,\r\nMa commande 1042 n'est jamais arriv\xc3\xa9e. Je suis tr\xc3\xa8s d\xc3\xa9\xc3\xa7u.\r\n"
)


def email_channel(workspace, mailbox, outbox) -> Channel:
    channel = Channel.objects.create(
        workspace=workspace,
        kind="email",
        name="Support e-mail",
        settings={
            "address": mailbox.address,
            "display_name": "Maison Lumière",
            "imap_host": "127.0.0.1",
            "imap_port": mailbox.port,
            "imap_security": "none",
            "mailbox": "INBOX",
            "smtp_host": "127.0.0.1",
            "smtp_port": outbox.port,
            "smtp_security": "none",
        },
    )
    channel.credentials = {
        "username": mailbox.address,
        "password": mailbox.password,
        "smtp_username": "support@maison-lumiere.example",
        "smtp_password": "s3cret-smtp",
    }
    channel.save()
    return channel


def test_a_mail_is_fetched_routed_answered_and_received_in_its_thread(
    owner_client, workspace, member, mailbox, outbox, django_capture_on_commit_callbacks
):
    channel = email_channel(workspace, mailbox, outbox)
    department = Department.objects.create(workspace=workspace, name="SAV")
    RoutingRule.objects.create(
        workspace=workspace,
        name="Commandes",
        keywords="commande",
        department=department,
        assign_to=member,
    )
    saved = SavedReply.objects.create(
        workspace=workspace,
        name="Commande en retard",
        text_fr="Bonjour {member_name}, nous retrouvons votre colis. {agent_name}, {channel}",
        text_en="Hello {member_name}, we are tracing your parcel. {agent_name}, {channel}",
    )
    mailbox.deliver(COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        assert fetching.fetch_channel(channel.pk).stored == 1
    conv = Conversation.objects.get()
    assert (conv.contact_name, conv.subject) == ("José Martin", "Commande 1042 jamais arrivée")
    assert conv.department == department and conv.assignee == member
    assert (conv.language, conv.sentiment) == ("fr", "negative")

    preview = owner_client.get(ws_url(workspace, f"{conv.pk}/saved-reply/"), {"saved": saved.pk})
    assert "Bonjour José Martin, nous retrouvons votre colis. Owner, Support e-mail" in (
        preview.content.decode()
    )
    text = "Bonjour José Martin, nous retrouvons votre colis. Owner, Support e-mail"
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ws_url(workspace, f"{conv.pk}/reply/"), {"text": text})
    reply = Message.objects.get(direction="out")
    assert reply.state == "sent"
    assert reply.remote_id == f"<{reply.idempotency_key}@maison-lumiere.example>"
    [envelope] = outbox.messages
    assert envelope.rcpt_tos == ["jose@client.example"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["In-Reply-To"] == "<cmd-1042-inbox@client.example>"
    assert received["Subject"] == "Re: Commande 1042 jamais arrivée"
    assert text in received.get_content()


def test_a_departments_emailed_answer_comes_back_as_a_note(
    workspace, member, mailbox, outbox, django_capture_on_commit_callbacks, mailoutbox
):
    from liant.inbox.models import Note, Notification, Status
    from liant.members.models import Member

    channel = email_channel(workspace, mailbox, outbox)
    department = Department.objects.create(
        workspace=workspace, name="SAV", email="sav@brand.example"
    )
    RoutingRule.objects.create(
        workspace=workspace,
        name="SAV",
        keywords="commande",
        department=department,
        assign_to=member,
    )
    mailbox.deliver(COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(channel.pk)
    conv = Conversation.objects.get()
    Conversation.objects.filter(pk=conv.pk).update(status=Status.PENDING)
    told = next(m for m in mailoutbox if m.to == ["sav@brand.example"])
    [reply_to] = told.reply_to
    local, domain = mailbox.address.split("@")
    assert reply_to.startswith(f"{local}+d{conv.pk}.{department.pk}.")
    assert reply_to.endswith(f"@{domain}")
    answer = (
        "From: Paul SAV <sav@brand.example>\r\n"
        f"To: {reply_to}\r\n"
        "Subject: Re: [SAV] commande\r\n"
        "Date: Mon, 23 Nov 2026 11:00:00 +0100\r\n"
        "Message-ID: <answer-1@brand.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Colis retrouvé, il part demain en express.\r\n\r\n"
        "Le lun. 23 nov. 2026 à 10:00, Liant <support@maison-lumiere.example> a écrit :\r\n"
        "> Une conversation a été routée vers SAV.\r\n"
    ).encode()
    forged = answer.replace(reply_to.encode(), reply_to[:-20].encode() + b"0" * 16 + b"@x")
    mailbox.deliver(answer)
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(channel.pk)
    note = Note.objects.get(conversation=conv)
    assert note.text == "Colis retrouvé, il part demain en express."
    assert (note.department, note.from_address) == (department, "sav@brand.example")
    assert Conversation.objects.count() == 1  # the colleague did not open a conversation
    assert not Member.objects.filter(email="sav@brand.example").exists()
    assert Notification.objects.filter(user=member, note=note).exists()
    conv.refresh_from_db()
    assert conv.status == Status.OPEN
    # Fetching again adds nothing; an answer with an altered signature is an ordinary mail.
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(channel.pk)
    assert Note.objects.count() == 1
    mailbox.deliver(forged.replace(b"answer-1@", b"answer-2@"))
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(channel.pk)
    assert Note.objects.count() == 1 and Conversation.objects.count() == 2
