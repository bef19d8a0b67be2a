"""Mentions, follows, notifications and the e-mail digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liant.moderation.models import Action, Item, ItemState, Rule
from liant.space import notifications
from liant.space.models import Notification, Post, SpaceAccount, Subscription, Topic
from liant.space.posting import open_channel, space_of
from liant.space.tasks import space_digests
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


def later(minutes: int = 5):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def bob_client(space, alice) -> Client:
    client = Client()
    join(client, space, "bob@example.org", "Bob")
    return client


@pytest.fixture
def bob(bob_client, space) -> SpaceAccount:
    return SpaceAccount.objects.get(space=space, email="bob@example.org")


def test_a_mention_is_a_link_and_a_notification(
    space, recipes, alice_client, alice, bob_client, bob
):
    body = "Merci @Bob et @nobody ! `@bob` [@bob](https://example.org) bob@example.org"
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Merci", "body": body})
    post = Post.objects.get()
    link = f'<a href="/space/{space.slug}/u/{bob.pk}/" class="mention">@Bob</a>'
    assert post.body_html.count('class="mention"') == 1 and link in post.body_html
    assert "<code>@bob</code>" in post.body_html and "@nobody" in post.body_html
    assert Notification.objects.filter(account=bob, kind="mention", actor=alice).count() == 1
    # Bob's header counts it; opening the list marks it read (the space speaks French).
    assert "Notifications (1 nouvelle)" in bob_client.get(url(space)).content.decode()
    page = bob_client.get(url(space, "notifications/")).content.decode()
    assert "Alice vous a mentionné·e dans « Merci »" in page
    assert "Notifications (1 nouvelle)" not in bob_client.get(url(space)).content.decode()


def test_a_mention_cannot_inject_markup(space, recipes, alice_client, bob):
    SpaceAccount.objects.filter(pk=bob.pk).update(display_name='<b onmouseover="x()">B</b>')
    body = (
        '@bob <a href="javascript:alert(1)">@bob</a> <script>alert("@bob")</script> @bob"><img>'
        ' <a href="https://e.org/>@bob <img src=x onerror=alert(2)>" title="x>@bob<img>">t</a>'
        ' [x](https://e.org/?q=>@bob "t>@bob<img src=x onerror=alert(3)>")'
    )
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "XSS", "body": body})
    topic = Topic.objects.get()
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "<script>alert" not in page and "javascript:" not in page and "<img" not in page
    assert 'onmouseover="x()"' not in page
    assert page.count('class="mention"') == 2


def test_followers_hear_of_replies_and_new_topics(
    space, recipes, alice_client, alice, bob_client, bob
):
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Filtre", "body": "Avis ?"})
    topic = Topic.objects.get()
    assert Subscription.objects.filter(account=alice, topic=topic).exists()  # by posting
    bob_client.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Le V60, @alice."})
    # Alice is mentioned: one notification, the mention, not a second for the reply.
    assert list(Notification.objects.filter(account=alice).values_list("kind", flat=True)) == [
        "mention"
    ]
    alice_client.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Merci"})
    assert Notification.objects.get(account=bob).kind == "reply"
    # Bob stops following the topic, follows the category, and hears of new topics.
    bob_client.post(url(space, f"t/{topic.pk}/follow/"))
    assert not Subscription.objects.filter(account=bob, topic=topic).exists()
    bob_client.post(url(space, f"c/{recipes.pk}/follow/"))
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Moka", "body": "Et le moka ?"})
    assert Notification.objects.filter(account=bob, kind="topic").count() == 1


def test_a_held_reply_notifies_nobody_until_approved(
    space, recipes, alice_client, alice, bob_client, workspace, django_capture_on_commit_callbacks
):
    Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Filtre", "body": "Avis ?"})
    topic = Topic.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(url(space, f"t/{topic.pk}/reply/"), {"body": "@alice quel connard"})
    assert Notification.objects.filter(account=alice).exists()  # stored, not shown
    assert "new)" not in alice_client.get(url(space)).content.decode()
    assert "connard" not in alice_client.get(url(space, "notifications/")).content.decode()
    assert notifications.send_digests(later(60 * 25)) == 0
    Item.objects.update(state=ItemState.DONE)  # approved
    assert notifications.unread_count(alice) == 1


def test_the_digest_is_sent_once_with_an_unsubscribe_link(
    space, recipes, alice_client, alice, bob_client, bob
):
    SpaceAccount.objects.filter(pk=alice.pk).update(email_notifications="immediate")
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Filtre", "body": "Avis ?"})
    topic = Topic.objects.get()
    bob_client.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Le V60."})
    before = len(mail.outbox)
    assert notifications.send_digests(timezone.now()) == 0  # within the grace: rules first
    assert notifications.send_digests(later()) == 1
    assert notifications.send_digests(later()) == 0  # claimed: never twice
    assert space_digests.call_local() == 0  # the worker's minute task: nothing left
    message = mail.outbox[before]
    assert message.to == ["alice@example.org"] and "Bob a répondu dans « Filtre »" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in message.body
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200
    assert Client(enforce_csrf_checks=True).post("/" + path).status_code == 200  # one click
    alice.refresh_from_db()
    assert alice.email_notifications == "never"
    assert Client().get(url(space, "unsubscribe/forged/")).status_code == 400


def test_a_daily_digest_waits_a_day_and_two_runs_claim_once(space, recipes, alice, bob):
    topic = Topic.objects.create(category=recipes, author=alice, title="T")
    post = Post.objects.create(topic=topic, author=bob, body="x")
    Notification.objects.create(account=alice, kind="reply", post=post, actor=bob)
    SpaceAccount.objects.filter(pk=alice.pk).update(last_digest_at=timezone.now())
    assert notifications.send_digests(later()) == 0
    day_after = later(60 * 24 + 5)
    accounts = list(notifications.due_accounts(day_after))
    assert accounts == [SpaceAccount.objects.get(pk=alice.pk)]
    # Two workers holding the same stale account row: the second claims nothing.
    first = notifications.send_digest(accounts[0], day_after)
    second = notifications.send_digest(accounts[0], day_after)
    assert (first, second) == (1, 0)


def test_a_failed_send_gives_the_claim_back(space, recipes, alice, bob, monkeypatch):
    SpaceAccount.objects.filter(pk=alice.pk).update(email_notifications="immediate")
    topic = Topic.objects.create(category=recipes, author=alice, title="T")
    post = Post.objects.create(topic=topic, author=bob, body="x")
    Notification.objects.create(account=alice, kind="reply", post=post, actor=bob)

    def broken(self, *args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert notifications.send_digests(later()) == 0
    assert Notification.objects.get().mailed_at is None
    monkeypatch.undo()
    assert notifications.send_digests(later()) == 1


def test_notifications_are_per_account_and_per_space(space, alice_client, other_workspace):
    assert Client().get(url(space, "notifications/")).status_code == 302
    assert alice_client.get(f"/space/{other_workspace.slug}/notifications/").status_code == 404


def test_mentions_follows_and_unsubscribe_links_stay_in_their_space(
    space, recipes, alice_client, alice, other_workspace
):
    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    stranger = SpaceAccount.objects.create(
        space=other, email="s@example.org", display_name="Stranger", confirmed_at=timezone.now()
    )
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Salut", "body": "@stranger ?"})
    assert 'class="mention"' not in Post.objects.get().body_html
    assert not Notification.objects.filter(account=stranger).exists()
    topic = Topic.objects.get()
    slug = other_workspace.slug
    assert alice_client.post(f"/space/{slug}/t/{topic.pk}/follow/").status_code == 404
    assert alice_client.post(f"/space/{slug}/c/{recipes.pk}/follow/").status_code == 404
    token = notifications.unsubscribe_token(alice)
    assert Client().post(f"/space/{slug}/unsubscribe/{token}/").status_code == 400
    alice.refresh_from_db()
    assert alice.email_notifications == "daily"
