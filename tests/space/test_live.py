"""Live updates of a topic page: htmx polls for the posts after the last id shown."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from liant.moderation.models import Action, Rule
from liant.space.models import Post, Topic
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(space, recipes, alice_client) -> Topic:
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Moka", "body": "Amer ?"})
    return Topic.objects.get()


def poller(page: str) -> str:
    found = re.search(r'hx-get="([^"]+)" hx-trigger="every 10s"', page)
    assert found, page
    return found.group(1)


def test_new_posts_come_after_the_last_id_with_a_new_poller(space, topic, alice_client):
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    first = Post.objects.get()
    assert poller(page).endswith(f"/after/{first.pk}/")
    assert Client().get(poller(page)).content.decode().count('class="post"') == 0
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Pas si **torréfié** clair."})
    update = Client().get(poller(page)).content.decode()
    reply = Post.objects.latest("pk")
    assert f'id="post-{reply.pk}"' in update and "<strong>torréfié</strong>" in update
    assert poller(update).endswith(f"/after/{reply.pk}/")  # the next asks from the newest
    assert 'class="post"' not in Client().get(poller(update)).content.decode()


def test_hidden_and_held_posts_stay_out_but_the_author_sees_theirs(
    space, topic, alice_client, workspace, django_capture_on_commit_callbacks
):
    Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )
    first = Post.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    with django_capture_on_commit_callbacks(execute=True):
        bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Quel connard ce barista"})
        bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Effacé plus tard"})
    Post.objects.filter(body="Effacé plus tard").update(hidden=True)
    path = url(space, f"t/{topic.pk}/after/{first.pk}/")
    for client in (Client(), alice_client):
        page = client.get(path).content.decode()
        assert "connard" not in page and "Effacé" not in page
    mine = bob.get(path).content.decode()
    assert "connard" in mine and "Effacé" not in mine
    assert poller(mine).endswith(f"/after/{Post.objects.latest('pk').pk}/")


def test_another_space_or_a_hidden_topic_gives_nothing(space, topic, other_workspace):
    from liant.space.posting import open_channel, space_of  # noqa: PLC0415

    other = space_of(other_workspace)
    other.enabled, other.title = True, "Rival"
    other.save()
    open_channel(other)
    assert Client().get(f"/space/{other_workspace.slug}/t/{topic.pk}/after/0/").status_code == 404
    Topic.objects.update(hidden=True)
    assert Client().get(url(space, f"t/{topic.pk}/after/0/")).status_code == 404


def test_only_the_last_page_polls(space, topic, alice):
    for n in range(55):
        Post.objects.create(topic=topic, author=alice, body=f"n{n}")
    first_page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert 'hx-trigger="every 10s"' not in first_page
    last_page = Client().get(url(space, f"t/{topic.pk}/?page=2")).content.decode()
    assert poller(last_page).endswith(f"/after/{Post.objects.latest('pk').pk}/")
