"""The connect page: address + key + username, then the categories to watch."""

from __future__ import annotations

import pytest
from django.db import connection

from liant.channels import connect_discourse, tasks
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder
from liant.core.models import AuditEvent
from tests.connectors.discourse.conftest import API_KEY, FakeForum

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    channel_ids: list[int] = []
    monkeypatch.setattr(tasks, "fetch_channel", channel_ids.append)
    return channel_ids


@pytest.fixture
def forum(monkeypatch, enqueued) -> FakeForum:
    fake = FakeForum()
    monkeypatch.setattr(
        connect_discourse,
        "client",
        lambda: HttpClient(
            MemoryRecorder(), transport=fake.transport(), sleep=lambda s: None, check_urls=False
        ),
    )
    return fake


def url(workspace) -> str:
    return f"/w/{workspace.slug}/channels/connect/discourse/"


def step_one(client, workspace, key=API_KEY, forum_url="https://forum.example/"):
    return client.post(
        url(workspace),
        {
            "name": "Forum Maison Lumière",
            "forum_url": forum_url,
            "api_username": "@maisonlumiere",
            "api_key": key,
        },
    )


def test_the_key_is_checked_then_categories_are_chosen_and_the_channel_created(
    owner_client, workspace, forum, enqueued
):
    first = step_one(owner_client, workspace)
    page = first.content.decode()
    assert first.status_code == 200
    assert "as @maisonlumiere" in page and "Ateliers › Dégustations" in page
    assert not Channel.objects.exists()
    assert API_KEY not in str(owner_client.session[connect_discourse.SESSION_KEY])

    second = owner_client.post(
        url(workspace), {"step": "categories", "categories": ["5", "7"], "default_category": ""}
    )

    channel = Channel.objects.get(kind="discourse")
    assert second.status_code == 302
    assert second["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.workspace == workspace and channel.name == "Forum Maison Lumière"
    assert channel.settings == {
        "forum_url": "https://forum.example",
        "api_username": "maisonlumiere",
        "user_id": 2,
        "limits": {
            "max_post_length": 20000,
            "max_topic_title_length": 120,
            "min_post_length": 20,
            "min_first_post_length": 20,
            "min_topic_title_length": 15,
            "min_personal_message_post_length": 10,
            "min_personal_message_title_length": 2,
        },
        "categories": [5, 7, 9],  # Ateliers brings its subcategory Dégustations
        "default_category": 5,
    }
    assert channel.credentials == {"api_key": API_KEY}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        assert API_KEY not in cursor.fetchone()[0]
    assert enqueued == [channel.pk]
    assert AuditEvent.objects.filter(action="channel.connected").exists()
    assert connect_discourse.SESSION_KEY not in owner_client.session
    detail = owner_client.get(second["Location"]).content.decode()
    assert "Forum Maison Lumière" in detail and "Markdown" in detail  # its limitations


def test_the_channels_page_links_to_the_connect_page(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert url(workspace) in page


def test_connecting_the_same_forum_again_updates_its_channel(owner_client, workspace, forum):
    for key in (API_KEY, "a-new-key-after-the-first-was-revoked"):
        forum.api_key = key
        step_one(owner_client, workspace, key=key)
        owner_client.post(url(workspace), {"step": "categories", "categories": ["6"]})
    channel = Channel.objects.get(kind="discourse")
    assert channel.credentials == {"api_key": "a-new-key-after-the-first-was-revoked"}
    assert channel.settings["categories"] == [6]


def test_a_bad_key_is_said_and_nothing_is_kept(owner_client, workspace, forum):
    response = step_one(owner_client, workspace, key="not-the-key")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Discourse refused" in page and "The API username or key is invalid." in page
    assert connect_discourse.SESSION_KEY not in owner_client.session
    assert not Channel.objects.exists()


def test_an_address_that_is_not_https_is_refused_before_any_call(owner_client, workspace, forum):
    response = step_one(owner_client, workspace, forum_url="http://forum.example")
    assert "Give the https address of a Discourse forum." in response.content.decode()
    assert forum.requests == []


def test_the_second_step_without_the_first_starts_again(owner_client, workspace, forum):
    response = owner_client.post(url(workspace), {"step": "categories", "categories": ["5"]})
    assert response.status_code == 200
    assert not Channel.objects.exists()


def test_an_outsider_gets_nothing(outsider_client, workspace, forum):
    assert outsider_client.get(url(workspace)).status_code == 404
    assert outsider_client.post(url(workspace), {"step": "categories"}).status_code == 404
