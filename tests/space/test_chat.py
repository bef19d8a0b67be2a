"""A "chat" category: one room opened by the brand, short messages as replies in it (so the
same moderation and events), the newest at the bottom with the polling of any topic."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.channels.models import Event
from liant.space.models import Category, Post, Topic
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(space) -> Category:
    return Category.objects.create(
        space=space, name="Le comptoir", description="On papote.", kind=Category.Kind.CHAT
    )


def test_the_room_is_made_once_and_takes_short_messages(
    space, chat, alice_client, django_capture_on_commit_callbacks
):
    answer = Client().get(url(space, f"c/{chat.pk}/"))
    room = Topic.objects.get(category=chat)
    assert answer.status_code == 302 and answer["Location"] == f"{room.get_absolute_url()}#reply"
    Client().get(url(space, f"c/{chat.pk}/"))
    assert Topic.objects.filter(category=chat).count() == 1 and room.author.staff
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url(space, f"t/{room.pk}/reply/"), {"body": "Salut !"})
    assert Event.objects.filter(kind="comment", text__contains="Salut").exists()
    long = alice_client.post(url(space, f"t/{room.pk}/reply/"), {"body": "x" * 501})
    assert long.status_code == 400 and Post.objects.filter(topic=room).count() == 2
    # No topics of its own: the new-topic page leads back to the room.
    alice_client.post(url(space, f"c/{chat.pk}/new/"), {"title": "Un sujet", "body": "Non"})
    assert Topic.objects.filter(category=chat).count() == 1
    page = alice_client.get(url(space, f"t/{room.pk}/")).content.decode()
    assert page.index("On papote.") < page.index("Salut !") < page.index('hx-trigger="every 10s"')


def test_the_room_opens_on_its_last_page(space, chat, alice):
    Client().get(url(space, f"c/{chat.pk}/"))
    room = Topic.objects.get(category=chat)
    for n in range(60):
        Post.objects.create(topic=room, author=alice, body=f"m{n}")
    answer = Client().get(url(space, f"c/{chat.pk}/"))
    assert answer["Location"].endswith("?page=2#reply")


def test_staff_make_a_chat_category_and_a_plain_one_stays_a_forum(member_client, workspace, space):
    from tests.space.test_views import staff  # noqa: PLC0415

    member_client.post(
        staff(workspace, "categories/new/"), {"new-name": "Comptoir", "new-kind": "chat"}
    )
    member_client.post(staff(workspace, "categories/new/"), {"new-name": "Recettes"})
    kinds = dict(Category.objects.filter(space=space).values_list("name", "kind"))
    assert kinds == {"Comptoir": "chat", "Recettes": "forum"}
