import httpx
import pytest
from django.db import connection

from liant.channels import connect_bluesky
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def replayed(monkeypatch, pds):
    monkeypatch.setattr(
        connect_bluesky,
        "client",
        lambda: HttpClient(
            MemoryRecorder(), transport=httpx.MockTransport(pds.handle), check_urls=False
        ),
    )
    monkeypatch.setattr(connect_bluesky.tasks, "fetch_channel", lambda pk: None)


def post(client, workspace, password="abcd-efgh-ijkl-mnop"):
    return client.post(
        f"/w/{workspace.slug}/channels/connect/bluesky/",
        {
            "handle": "@maisonlumiere.bsky.social",
            "app_password": password,
            "service": "https://pds.example.org",
        },
    )


def test_connecting_keeps_the_tokens_encrypted_and_not_the_app_password(owner_client, workspace):
    assert post(owner_client, workspace).status_code == 302
    channel = Channel.objects.get(kind="bluesky")
    assert channel.settings["did"] == "did:plc:ml4brand7xq2lumiere3cafe"
    assert "accessJwt" in channel.credentials and "abcd-efgh-ijkl-mnop" not in str(
        channel.credentials
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert "eyJhbGci" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="channel.connected").exists()


def test_connecting_twice_updates_the_same_channel(owner_client, workspace):
    post(owner_client, workspace)
    post(owner_client, workspace)
    assert Channel.objects.filter(kind="bluesky").count() == 1


def test_a_wrong_app_password_is_said(owner_client, workspace):
    response = post(owner_client, workspace, "wrong")
    assert b"Bluesky refused" in response.content
    assert not Channel.objects.exists()


def test_an_outsider_gets_nothing(outsider_client, workspace):
    assert post(outsider_client, workspace).status_code == 404
