import httpx
import pytest
from django.db import connection

from liant.channels import connect_discord
from liant.channels.models import Channel
from liant.connectors.discord.connector import PERMISSIONS_INTEGER
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core.models import AuditEvent

from .conftest import ANN, COMP, GUILD, TOKEN, FakeDiscord, error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def replayed(monkeypatch, discord: FakeDiscord):
    monkeypatch.setattr(
        connect_discord,
        "client",
        lambda: HttpClient(
            MemoryRecorder(), transport=httpx.MockTransport(discord.handle), check_urls=False
        ),
    )
    monkeypatch.setattr(connect_discord.tasks, "fetch_channel", lambda pk: None)


def url(workspace) -> str:
    return f"/w/{workspace.slug}/channels/connect/discord/"


def start(client, workspace, token=TOKEN, guild=GUILD):
    return client.post(url(workspace), {"step": "token", "bot_token": token, "guild_id": guild})


def choose(client, workspace, channels=(COMP, ANN), publish=ANN):
    return client.post(
        url(workspace), {"step": "channels", "channels": list(channels), "publish_channel": publish}
    )


def test_the_page_says_the_permissions_the_bot_needs(owner_client, workspace):
    page = owner_client.get(url(workspace))
    assert str(PERMISSIONS_INTEGER).encode() in page.content
    assert b"MODERATE_MEMBERS" in page.content and b"scope=bot" in page.content


def test_two_steps_create_the_channel_with_the_token_encrypted(owner_client, workspace):
    response = start(owner_client, workspace)
    assert response.status_code == 302 and response["Location"].endswith("?step=channels")
    page = owner_client.get(response["Location"])
    assert b"#le-comptoir" in page.content and b"#annonces" in page.content
    assert "Dégustations" not in page.content.decode()  # a voice channel is not offered
    assert TOKEN.encode() not in page.content
    session = owner_client.session[connect_discord.SESSION_KEY]
    assert TOKEN not in str(session)  # encrypted while it waits
    response = choose(owner_client, workspace)
    assert response.status_code == 302
    channel = Channel.objects.get(kind="discord")
    assert channel.settings["channels"] == [COMP, ANN]
    assert channel.settings["announcement_channels"] == [ANN]
    assert channel.settings["publish_channel"] == ANN
    assert channel.settings["application_id"] == "1180000000000000098"
    assert channel.name == "Maison Lumière" and channel.credentials == {"bot_token": TOKEN}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert "fake-signature" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="channel.connected").exists()
    assert connect_discord.SESSION_KEY not in owner_client.session


def test_connecting_again_updates_the_same_channel(owner_client, workspace):
    for _ in range(2):
        start(owner_client, workspace)
        choose(owner_client, workspace, channels=[COMP])
    assert Channel.objects.filter(kind="discord").count() == 1
    assert Channel.objects.get(kind="discord").settings["channels"] == [COMP, ANN]


def test_a_bot_not_in_the_server_gets_the_install_link(owner_client, workspace):
    response = start(owner_client, workspace, guild="1180000000000000777")
    assert b"not in this server yet" in response.content
    assert (
        b"client_id=1180000000000000098&amp;scope=bot&amp;permissions="
        + str(PERMISSIONS_INTEGER).encode()
        + b"&amp;guild_id=1180000000000000777"
    ) in response.content
    assert not Channel.objects.exists()


def test_a_wrong_token_is_said(owner_client, workspace):
    response = start(owner_client, workspace, token="nope")
    assert b"Discord refused" in response.content and b"401: Unauthorized" in response.content
    assert connect_discord.SESSION_KEY not in owner_client.session


def test_a_server_id_that_is_not_one_is_refused_by_the_form(owner_client, workspace, discord):
    response = start(owner_client, workspace, guild="maison")
    assert b"15 to 21 digits" in response.content and discord.requests == []


def test_a_forbidden_channel_list_is_said_in_discords_words(owner_client, workspace, discord):
    discord.script(f"GET /guilds/{GUILD}/channels", error(403, "error_missing_access.json"))
    response = start(owner_client, workspace)
    assert b"Missing Access (50001)" in response.content


def test_the_channel_list_links_to_the_page(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/channels/")
    assert url(workspace).encode() in page.content


def test_an_outsider_gets_nothing_from_either_step(outsider_client, workspace, discord):
    assert outsider_client.get(url(workspace)).status_code == 404
    assert start(outsider_client, workspace).status_code == 404
    assert choose(outsider_client, workspace).status_code == 404
    assert discord.requests == [] and not Channel.objects.exists()


def test_a_second_step_without_the_first_asks_to_start_again(owner_client, workspace):
    response = choose(owner_client, workspace)
    assert response.status_code == 302 and not Channel.objects.exists()
    assert b"start again" in owner_client.get(response["Location"]).content
