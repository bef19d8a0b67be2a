import pytest
from django.db import connection

from liant.channels.models import Channel, Event
from liant.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def form(mailbox, outbox, **changes):
    data = {
        "name": "Support",
        "address": mailbox.address,
        "display_name": "Maison Lumière",
        "username": mailbox.address,
        "password": mailbox.password,
        "imap_host": "127.0.0.1",
        "imap_port": mailbox.port,
        "imap_security": "none",
        "mailbox": "INBOX",
        "smtp_host": "127.0.0.1",
        "smtp_port": outbox.port,
        "smtp_security": "none",
        "smtp_username": "support@maison-lumiere.example",
        "smtp_password": "s3cret-smtp",
    }
    return data | changes


def test_connecting_a_mailbox_stores_it_encrypted_and_reads_it(
    owner_client, workspace, mailbox, outbox
):
    from tests.connectors.email.test_email import FIRST

    mailbox.deliver(FIRST)
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/email/", form(mailbox, outbox)
    )
    channel = Channel.objects.get(kind="email")
    assert response.status_code == 302
    assert channel.credentials["password"] == mailbox.password
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert mailbox.password not in cursor.fetchone()[0]
    assert Event.objects.filter(channel=channel, remote_id="<cmd-1042@client.example>").exists()
    assert AuditEvent.objects.filter(action="channel.connected", workspace=workspace).exists()


def test_the_test_button_saves_nothing(owner_client, workspace, mailbox, outbox):
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/email/", form(mailbox, outbox, test="1")
    )
    assert response.status_code == 200
    assert b"Both servers answered" in response.content
    assert not Channel.objects.exists()


def test_a_wrong_password_is_said_and_nothing_is_saved(owner_client, workspace, mailbox, outbox):
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/email/", form(mailbox, outbox, password="bad")
    )
    assert b"The connection test failed" in response.content
    assert not Channel.objects.exists()


def test_an_outsider_cannot_connect_a_mailbox_to_the_workspace(
    outsider_client, workspace, mailbox, outbox
):
    response = outsider_client.post(
        f"/w/{workspace.slug}/channels/connect/email/", form(mailbox, outbox)
    )
    assert response.status_code == 404
    assert not Channel.objects.exists()


def test_a_mailbox_without_tls_is_refused_unless_it_is_a_local_test_server(
    owner_client, workspace, mailbox, outbox
):
    data = form(mailbox, outbox, imap_host="imap.example.org")
    response = owner_client.post(f"/w/{workspace.slug}/channels/connect/email/", data)
    assert "without it the password travels in clear" in response.content.decode()
    assert not Channel.objects.exists()
