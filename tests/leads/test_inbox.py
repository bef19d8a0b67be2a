"""A contact form's submission becomes an inbox conversation, routed like any message, and
the answer leaves once by e-mail through the workspace's e-mail channel (aiosmtpd peer)."""

from __future__ import annotations

import email
import email.policy

import pytest

from liant.channels import fetching
from liant.channels.models import Channel, Event
from liant.inbox import grouping, replies, routing
from liant.inbox.models import Conversation, Department, Message, RoutingRule
from liant.leads.models import Purpose
from tests.connectors.email import conftest as email_fixtures
from tests.inbox.conftest import ws_url
from tests.inbox.test_email import email_channel
from tests.leads.conftest import post_data

dovecot = email_fixtures.dovecot
mailbox = email_fixtures.mailbox
smtp_server = email_fixtures.smtp_server
outbox = email_fixtures.outbox

pytestmark = pytest.mark.django_db


def url(form) -> str:
    return f"/forms/{form.token}/"


@pytest.fixture
def contact(contact_form):
    contact_form.purpose = Purpose.CONTACT
    contact_form.save()
    return contact_form


def test_a_contact_submission_becomes_a_routed_conversation(
    client, contact, workspace, member, django_capture_on_commit_callbacks
):
    department = Department.objects.create(workspace=workspace, name="Ventes")
    RoutingRule.objects.create(
        workspace=workspace,
        name="Torréfaction",
        keywords="torrefacteur",
        department=department,
        assign_to=member,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(contact), post_data(), HTTP_ORIGIN="https://www.maison-lumiere.example")
    channel = Channel.objects.get(workspace=workspace, kind="forms")
    event = Event.objects.get(channel=channel)
    assert event.kind == "direct_message" and event.author_remote_id == "claire@cafe.example"
    assert "Nombre de machines: 3" in event.text
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.contact_name == "Claire Martin"
    assert conversation.subject == "Contact"
    assert conversation.department == department and conversation.assignee == member

    # One member: the capture's, found again by the channel's events (no "forms" double).
    from liant.members.attach import attach_workspace
    from liant.members.models import Activity, Member

    attach_workspace(workspace.pk)
    [person] = Member.objects.filter(workspace=workspace)
    assert Activity.objects.filter(member=person, event=event).exists()

    # The same person writing again joins the same conversation; the channel is not doubled.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(contact), post_data(message="Et vos tarifs ?"))
    assert Channel.objects.filter(workspace=workspace, kind="forms").count() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=conversation, direction="in").count() == 2


def test_a_lead_form_opens_no_conversation(client, contact_form, workspace):
    client.post(url(contact_form), post_data())
    assert not Channel.objects.filter(kind="forms").exists()
    assert not Conversation.objects.exists()


def test_the_catch_up_fetch_stores_a_missed_submission_once(
    client, contact, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    from liant.leads import inbox

    channel = inbox.forms_channel(workspace)
    monkeypatch.setattr(inbox, "store_events", lambda *a, **k: 1 / 0)  # the live path fails
    assert client.post(url(contact), post_data()).status_code == 302  # the person is thanked
    assert not Event.objects.filter(channel=channel).exists()  # lost? no: the fetch has it
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert fetching.fetch_channel(channel.pk).stored == 1
        assert fetching.fetch_channel(channel.pk).stored == 0
    assert Conversation.objects.filter(channel=channel).count() == 1


def test_the_answer_goes_by_email_once(
    client, owner_client, contact, workspace, mailbox, outbox, django_capture_on_commit_callbacks
):
    email_channel(workspace, mailbox, outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(contact), post_data())
    conversation = Conversation.objects.get(channel__kind="forms")
    text = "Bonjour Claire, nous vous appelons demain."
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ws_url(workspace, f"{conversation.pk}/reply/"), {"text": text})
    reply = Message.objects.get(direction="out")
    assert reply.state == "sent"
    [envelope] = outbox.messages
    assert envelope.rcpt_tos == ["claire@cafe.example"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["Subject"] == "Re: Contact"
    assert text in received.get_content()
    # Sending again (a retried task) sends nothing: the reply was claimed once.
    assert replies.send_reply(reply.pk) == "sent"
    assert len(outbox.messages) == 1


def test_without_an_email_channel_the_answer_fails_visibly(
    client, owner_client, contact, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(contact), post_data())
    conversation = Conversation.objects.get(channel__kind="forms")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ws_url(workspace, f"{conversation.pk}/reply/"), {"text": "Bonjour"})
    reply = Message.objects.get(direction="out")
    assert reply.state == "failed"
    assert "e-mail channel" in reply.last_error


def test_another_workspace_gets_nothing(
    client, contact, other_workspace, outsider_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(contact), post_data())
    conversation = Conversation.objects.get(channel__kind="forms")
    assert not Channel.objects.filter(workspace=other_workspace).exists()
    assert outsider_client.get(ws_url(contact.workspace, f"{conversation.pk}/")).status_code == 404
    grouping.group_workspace(other_workspace.pk)
    routing.route_new(grouping.group_workspace(other_workspace.pk))
    assert not Conversation.objects.filter(workspace=other_workspace).exists()
