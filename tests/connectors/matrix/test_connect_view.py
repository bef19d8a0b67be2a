import pytest
from django.db import connection

from liant.channels.models import Channel, Event
from liant.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_connecting_with_a_password_keeps_only_the_token(owner_client, workspace, room, synapse):
    room.member_says("Bonjour la communauté")
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/matrix/",
        {
            "name": "Matrix",
            "homeserver": synapse.url,
            "user": room.brand["user_id"],
            "password": "brand-password",
            "rooms": room.room_id,
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get(kind="matrix")
    assert set(channel.credentials) == {"access_token", "user_id", "device_id"}
    assert channel.settings["user_id"] == room.brand["user_id"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert channel.credentials["access_token"] not in stored and "brand-password" not in stored
    assert Event.objects.filter(channel=channel, text="Bonjour la communauté").exists()
    assert AuditEvent.objects.filter(action="channel.connected").exists()


def test_a_wrong_password_is_said(owner_client, workspace, room, synapse):
    response = owner_client.post(
        f"/w/{workspace.slug}/channels/connect/matrix/",
        {
            "name": "Matrix",
            "homeserver": synapse.url,
            "user": room.brand["user_id"],
            "password": "nope",
        },
    )
    assert b"The homeserver refused" in response.content
    assert not Channel.objects.exists()


def test_an_outsider_gets_nothing(outsider_client, workspace):
    assert outsider_client.get(f"/w/{workspace.slug}/channels/connect/matrix/").status_code == 404
