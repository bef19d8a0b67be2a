"""Reactions: one of each per account and post, toggled by POST, counted on the page, and an
event of kind "reaction" that members count in engagement."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from liant.channels.models import Event
from liant.members.models import Activity
from liant.space.models import Notification, Post, Reaction, SpaceAccount, Topic
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(space, recipes, alice_client) -> Topic:
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Moka", "body": "Amer ?"})
    return Topic.objects.get()


def react(client, space, post, kind="like"):
    return client.post(url(space, f"p/{post.pk}/react/"), {"kind": kind})


def test_a_reaction_is_counted_toggled_and_an_event_of_the_member(
    space, topic, alice, django_capture_on_commit_callbacks
):
    bob = Client()
    bob_account = join(bob, space, "bob@example.org", "Bob")
    post = Post.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert react(bob, space, post).status_code == 302
        react(bob, space, post, "idea")
    assert Reaction.objects.filter(post=post, account=bob_account).count() == 2
    event = Event.objects.get(
        kind="reaction", remote_id=f"reaction:{post.pk}:{bob_account.pk}:like"
    )
    assert (event.author_remote_id, event.parent_remote_id) == (
        bob_account.remote_id,
        post.remote_id,
    )
    assert Activity.objects.filter(event=event, kind="reaction").exists()
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "👍 1" in page and "💡 1" in page
    # Alice hears of it; taking it back takes back the unread notification, and reacting
    # again is the same event: the toggle cannot inflate engagement.
    assert Notification.objects.filter(account=alice, kind="reaction").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        react(bob, space, post)
        assert not Reaction.objects.filter(kind="like").exists()
        assert Notification.objects.filter(account=alice, kind="reaction").count() == 1
        react(bob, space, post)
    assert Event.objects.filter(kind="reaction").count() == 2
    assert Activity.objects.filter(kind="reaction").count() == 2


def test_who_may_not_react(space, topic, alice_client, alice, other_workspace):
    post = Post.objects.get()
    assert react(Client(), space, post).status_code == 302  # to the sign-in page
    react(alice_client, space, post)  # one's own post
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    react(bob, space, post, "<script>")  # not one of the set
    assert not Reaction.objects.exists()
    SpaceAccount.objects.filter(email="bob@example.org").update(banned_at=timezone.now())
    react(bob, space, post)  # banned
    assert not Reaction.objects.exists()
    SpaceAccount.objects.filter(email="bob@example.org").update(banned_at=None)
    # Another space's address does not know this post; a CSRF-less POST is refused.
    assert bob.post(f"/space/{other_workspace.slug}/p/{post.pk}/react/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = bob.cookies
    assert react(strict, space, post).status_code == 403
    assert bob.get(url(space, f"p/{post.pk}/react/")).status_code == 405
    # A hidden post cannot be reacted to.
    Post.objects.update(hidden=True)
    assert react(bob, space, post).status_code == 404
    assert not Reaction.objects.exists()
