"""Mentions, follows and reactions in an invited group's category notify only the people who
may read it: no row for anyone else, so nothing listed or mailed, and joining the group later
brings no old news."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.space import editing, notifications, permissions, posting, reactions
from liant.space.models import Access, Category, Notification, SpaceAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(space) -> Category:
    return Category.objects.create(space=space, name="Club des testeurs", access=Access.GROUP)


def member(space, email: str, name: str) -> SpaceAccount:
    return SpaceAccount.objects.create(
        space=space,
        email=email,
        display_name=name,
        confirmed_at=timezone.now(),
        email_notifications="immediate",
    )


def told(account: SpaceAccount) -> int:
    return Notification.objects.filter(account=account).count()


def test_a_mention_of_someone_outside_the_group_creates_nothing(space, club, alice):
    permissions.add_to_group(club, alice.email)
    bob = member(space, "bob@example.org", "Bob Martin")
    carol = member(space, "carol@example.org", "Carol")
    permissions.add_to_group(club, carol.email)
    post = posting.start_topic(alice, club, "Prototype", "Avis, @Bob Martin et @carol ?")
    assert 'class="mention"' in post.body_html  # the name is linked; his profile is public
    assert told(bob) == 0 and told(carol) == 1

    # Added later: the topic is his to read, the old mention is not news, nothing is mailed.
    permissions.add_to_group(club, "BOB@example.org")
    mail.outbox.clear()
    notifications.send_digests(timezone.now() + timedelta(days=2))
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert notifications.unread_count(bob) == 0 and told(bob) == 0
    # From now on he is told like anyone in the group.
    posting.reply(alice, post.topic, "Et maintenant, @bobmartin ?")
    assert told(bob) == 1


def test_followers_removed_from_the_group_hear_nothing(space, club, alice):
    space.posts_per_minute = 0  # no per-minute limit: this test posts quickly
    space.save()
    bob = member(space, "bob@example.org", "Bob")
    for account in (alice, bob):
        permissions.add_to_group(club, account.email)
    notifications.follow(bob, category=club)
    opening = posting.start_topic(alice, club, "Premier", "Bonjour")
    posting.reply(bob, opening.topic, "Présent")  # bob follows the topic by replying
    assert told(bob) == 1  # the new topic, while he was in
    Notification.objects.all().delete()

    permissions.remove_from_group(club, bob.email)
    second = posting.start_topic(alice, club, "Second", "Nouveau sujet")
    reply = posting.reply(alice, opening.topic, "Une réponse, @bob")
    assert editing.edit(alice, reply, "Une réponse, @Bob, modifiée")
    reactions.toggle(alice, bob_post := opening.topic.posts.get(author=bob), "like")
    assert told(bob) == 0

    permissions.add_to_group(club, bob.email)
    mail.outbox.clear()
    assert notifications.send_digests(timezone.now() + timedelta(days=2)) == 0
    assert mail.outbox == [] and notifications.unread_count(bob) == 0
    assert second.topic.category_id == club.pk and bob_post.author_id == bob.pk


def test_members_only_and_public_categories_notify_every_member(space, recipes, alice):
    members = Category.objects.create(space=space, name="Habitués", access=Access.MEMBERS)
    bob = member(space, "bob@example.org", "Bob")
    posting.start_topic(alice, members, "Entre nous", "Salut @bob")
    posting.start_topic(alice, recipes, "Pour tous", "Salut @bob")
    assert told(bob) == 2
    assert permissions.readers(SpaceAccount.objects.all(), members).count() == 3  # brand too


def test_readers_of_a_group_are_its_addresses_and_the_brand_of_this_space(
    space, club, alice, other_workspace
):
    from liant.space.posting import brand_account, open_channel, space_of  # noqa: PLC0415

    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    stranger = member(other, alice.email, "Alice ailleurs")
    permissions.add_to_group(club, alice.email)
    found = set(permissions.readers(SpaceAccount.objects.all(), club))
    assert found == {alice, brand_account(space)}
    assert stranger not in found


def test_a_row_made_before_joining_the_group_stays_unseen_and_unmailed(space, club, alice):
    """Rows left by earlier versions (made while the account was outside the group) or from
    an earlier membership: adding the address now does not bring them back."""
    bob = member(space, "bob@example.org", "Bob")
    permissions.add_to_group(club, alice.email)
    post = posting.start_topic(alice, club, "Ancien", "Avant ton arrivée, @bob")
    Notification.objects.create(
        account=bob, kind="mention", post=post, actor=alice, created_at=post.created_at
    )
    permissions.add_to_group(club, bob.email)
    mail.outbox.clear()
    assert notifications.unread_count(bob) == 0
    assert notifications.send_digests(timezone.now() + timedelta(days=2)) == 0
    assert mail.outbox == []

    # What comes while he is in is his, in the list and by mail.
    posting.reply(alice, post.topic, "Bienvenue @bob")
    assert notifications.unread_count(bob) == 1
    assert notifications.send_digests(timezone.now() + timedelta(days=2)) == 1
    assert [m.to for m in mail.outbox] == [[bob.email]] and "Ancien" in mail.outbox[0].body
