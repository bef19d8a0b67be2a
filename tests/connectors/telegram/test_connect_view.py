import httpx
import pytest
from django.db import connection

from liant.channels import connect_telegram
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core.models import AuditEvent

from .conftest import TOKEN, FakeBotApi, answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def replayed(monkeypatch, bot_api):
    monkeypatch.setattr(
        connect_telegram,
        "client",
        lambda: HttpClient(
            MemoryRecorder(), transport=httpx.MockTransport(bot_api.handle), check_urls=False
        ),
    )
    monkeypatch.setattr(connect_telegram.tasks, "fetch_channel", lambda pk: None)


def post(client, workspace, token=TOKEN, chat="@maisonlumiere"):
    return client.post(
        f"/w/{workspace.slug}/channels/connect/telegram/", {"bot_token": token, "chat": chat}
    )


def test_connecting_checks_the_bot_and_the_chat_and_keeps_the_token_encrypted(
    owner_client, workspace, bot_api
):
    assert post(owner_client, workspace).status_code == 302
    channel = Channel.objects.get(kind="telegram")
    assert channel.settings["chat_id"] == -1001987654321
    assert channel.settings["discussion_chat_id"] == -1001987654322
    assert channel.settings["bot_username"] == "maisonlumiere_bot"
    assert channel.name == "Maison Lumière — Torréfacteur"
    assert channel.credentials == {"bot_token": TOKEN}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert "AAHdqTcv" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="channel.connected").exists()
    asked = bot_api.sent("getChatMember")[0]
    assert asked == {"chat_id": -1001987654321, "user_id": 7012345678}


def test_connecting_twice_updates_the_same_channel(owner_client, workspace):
    post(owner_client, workspace)
    post(owner_client, workspace)
    assert Channel.objects.filter(kind="telegram").count() == 1


def test_a_wrong_token_is_said(owner_client, workspace):
    response = post(owner_client, workspace, token="123:wrong")
    assert b"Telegram refused" in response.content and b"Unauthorized" in response.content
    assert not Channel.objects.exists()


def test_an_unknown_chat_is_said_in_telegrams_words(owner_client, workspace, bot_api):
    bot_api.script("getChat", answer("error_chat_not_found.json"))
    response = post(owner_client, workspace, chat="@nowhere")
    assert b"chat not found" in response.content and not Channel.objects.exists()


def test_a_bot_that_is_not_admin_of_the_channel_is_refused(owner_client, workspace, bot_api):
    bot_api.routes["getChatMember"] = answer("getChatMember_member.json")
    response = post(owner_client, workspace)
    assert b"must be an administrator" in response.content
    assert not Channel.objects.exists()


def test_a_webhook_on_the_bot_is_said(owner_client, workspace, bot_api: FakeBotApi):
    bot_api.routes["getWebhookInfo"] = answer("getWebhookInfo_set.json")
    response = post(owner_client, workspace)
    assert b"https://bots.example.net/hook" in response.content
    assert not Channel.objects.exists()


def test_a_missing_moderation_right_connects_and_says_what_is_missing(
    owner_client, workspace, bot_api
):
    bot_api.routes["getChatMember"] = answer("getChatMember_administrator_cannot_delete.json")
    response = post(owner_client, workspace)
    assert response.status_code == 302
    page = owner_client.get(response["Location"])
    assert b"can_delete_messages" in page.content


def test_a_chat_that_is_not_an_address_is_refused_by_the_form(owner_client, workspace, bot_api):
    response = post(owner_client, workspace, chat="maison lumiere")
    assert b"numeric chat id" in response.content and bot_api.requests == []


def test_the_channel_list_links_to_the_page(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/channels/")
    assert f"/w/{workspace.slug}/channels/connect/telegram/".encode() in page.content


def test_an_outsider_gets_nothing(outsider_client, workspace, bot_api):
    assert outsider_client.get(f"/w/{workspace.slug}/channels/connect/telegram/").status_code == 404
    assert post(outsider_client, workspace).status_code == 404
    assert bot_api.requests == [] and not Channel.objects.exists()
