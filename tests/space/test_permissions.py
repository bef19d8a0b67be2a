"""Category permissions: public, members only, invited group — on every page and listing
that shows posts, and on the staff page that manages the group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liant.members import gdpr
from liant.space import accounts, notifications, permissions, posting
from liant.space.models import Access, Category, GroupMember, Post, SpaceAccount
from liant.space.posting import open_channel, space_of
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(space, alice) -> Client:
    client = Client()
    join(client, space, "bob@example.org", "Bob")
    return client


@pytest.fixture
def bob(bob_client, space) -> SpaceAccount:
    return SpaceAccount.objects.get(space=space, email="bob@example.org")


@pytest.fixture
def members_only(space) -> Category:
    return Category.objects.create(
        space=space, name="Coin des habitués", access=Access.MEMBERS, position=5
    )


@pytest.fixture
def club(space) -> Category:
    return Category.objects.create(space=space, name="Club des testeurs", access=Access.GROUP)


@pytest.fixture
def stranger_client(other_workspace) -> Client:
    """An account of another workspace's space, signed in there."""
    other = space_of(other_workspace)
    other.enabled, other.title = True, "Ailleurs"
    other.save()
    open_channel(other)
    client = Client()
    join(client, other, "alice@example.org", "Alice d'ailleurs")
    return client


def topic_in(category: Category, author: SpaceAccount, title: str, body: str) -> Post:
    return posting.start_topic(author, category, title, body)


def pages_of(space, post: Post) -> list[str]:
    topic = post.topic
    return [
        url(space, f"c/{topic.category_id}/"),
        url(space, f"c/{topic.category_id}/new/"),
        url(space, f"t/{topic.pk}/"),
        url(space, f"t/{topic.pk}/after/0/"),
    ]


def test_a_public_category_is_read_by_anyone_and_written_by_members(
    space, recipes, alice_client, alice
):
    post = topic_in(recipes, alice, "Moka", "Quelle mouture ?")
    anonymous = Client()
    assert anonymous.get(url(space, f"t/{post.topic_id}/")).status_code == 200
    assert "Recettes" in anonymous.get(url(space)).content.decode()
    answer = anonymous.get(url(space, f"c/{recipes.pk}/new/"))
    assert answer.status_code == 302 and answer["Location"].endswith("/signin/")
    assert alice_client.get(url(space, f"c/{recipes.pk}/new/")).status_code == 200


def test_members_only_sends_visitors_to_sign_in_and_leaks_nowhere(
    space, members_only, alice_client, alice, bob_client, bob, stranger_client, outsider_client
):
    post = topic_in(members_only, alice, "Secret de torréfaction", "Le **grain** zébré")
    posting.announce(space, members_only, "Annonce des habitués", "Pour vous", pinned=False)
    for client in (Client(), stranger_client):
        for address in pages_of(space, post):
            answer = client.get(address)
            assert answer.status_code == 302, address
            assert answer["Location"] == f"/space/{space.slug}/signin/"
        for address in (url(space, f"t/{post.topic_id}/reply/"), url(space, f"p/{post.pk}/react/")):
            assert client.post(address, {"body": "x", "kind": "like"}).status_code == 302
        home = client.get(url(space)).content.decode()
        assert "Coin des habitués" not in home and "Annonce des habitués" not in home
        found = client.get(url(space, "search/?q=zebre")).content.decode()
        assert "Secret de torréfaction" not in found
        profile = client.get(url(space, f"u/{alice.pk}/")).content.decode()
        assert "Secret de torréfaction" not in profile
    # Staff of another workspace get nothing either.
    assert outsider_client.get(url(space, f"t/{post.topic_id}/")).status_code == 302
    assert Post.objects.filter(topic=post.topic).count() == 1

    # Signed-in members of this space read and write.
    for client in (alice_client, bob_client):
        assert client.get(url(space, f"t/{post.topic_id}/")).status_code == 200
        assert "Coin des habitués" in client.get(url(space)).content.decode()
        assert "Secret" in client.get(url(space, "search/?q=zebre")).content.decode()
        assert "Secret" in client.get(url(space, f"u/{alice.pk}/")).content.decode()
    answer = bob_client.post(url(space, f"t/{post.topic_id}/reply/"), {"body": "Merci @Alice"})
    assert answer.status_code == 302
    assert Post.objects.filter(topic=post.topic, author=bob).count() == 1


def test_an_invited_group_is_only_for_the_people_added(
    space, club, alice_client, alice, bob_client, bob, stranger_client
):
    permissions.add_to_group(club, " Alice@Example.org ")
    post = topic_in(club, alice, "Prototype de moulin", "Retours sur le @Bob moulin")
    # Bob is mentioned, but he is not in the group: no page, no listing, no notification.
    assert Notification_count(bob) == 0  # not even a row (it would show once he is added)
    for address in pages_of(space, post):
        assert bob_client.get(address).status_code == 404, address
    for address in (
        url(space, f"t/{post.topic_id}/reply/"),
        url(space, f"p/{post.pk}/react/"),
        url(space, f"p/{post.pk}/report/"),
        url(space, f"t/{post.topic_id}/follow/"),
        url(space, f"c/{club.pk}/follow/"),
    ):
        assert bob_client.post(address, {"body": "x", "kind": "like"}).status_code == 404
    assert "Club des testeurs" not in bob_client.get(url(space)).content.decode()
    assert "Prototype" not in bob_client.get(url(space, "search/?q=moulin")).content.decode()
    assert "Prototype" not in bob_client.get(url(space, f"u/{alice.pk}/")).content.decode()
    assert notifications.unread_count(bob) == 0
    assert "Prototype" not in bob_client.get(url(space, "notifications/")).content.decode()
    assert notifications.send_digests(timezone.now() + timedelta(days=2)) == 0
    # A visitor, or a signed-in account of another space, is asked to sign in.
    for client in (Client(), stranger_client):
        assert client.get(url(space, f"t/{post.topic_id}/")).status_code == 302

    # Alice (added by address, any case) reads and writes.
    assert alice_client.get(url(space, f"t/{post.topic_id}/")).status_code == 200
    assert "Club des testeurs" in alice_client.get(url(space)).content.decode()
    assert (
        alice_client.post(url(space, f"t/{post.topic_id}/reply/"), {"body": "Suite"}).status_code
        == 302
    )

    # Bob added: the topic is his to read, but the mention made before is no news to him.
    permissions.add_to_group(club, "bob@example.org")
    assert bob_client.get(url(space, f"t/{post.topic_id}/")).status_code == 200
    assert notifications.unread_count(bob) == 0
    permissions.remove_from_group(club, "BOB@example.org")
    assert bob_client.get(url(space, f"t/{post.topic_id}/")).status_code == 404
    assert notifications.unread_count(bob) == 0


def Notification_count(account: SpaceAccount) -> int:  # noqa: N802
    from liant.space.models import Notification  # noqa: PLC0415

    return Notification.objects.filter(account=account).count()


def test_someone_invited_before_joining_is_in_once_confirmed(space, club, alice):
    permissions.add_to_group(club, "carol@example.org")
    post = topic_in(club, alice, "Essai", "Texte")
    carol_client = Client()
    join(carol_client, space, "carol@example.org", "Carol")
    assert carol_client.get(url(space, f"t/{post.topic_id}/")).status_code == 200


def test_the_group_is_managed_from_the_staff_category_page(
    member_client, outsider_client, workspace, space, club
):
    staff = f"/w/{workspace.slug}/space/categories/{club.pk}/"
    page = member_client.get(staff).content.decode()
    assert "Invited group" in page or "Groupe" in page
    answer = member_client.post(staff + "group/add/", {"email": "Dana@Example.org"})
    assert answer.status_code == 302
    assert list(GroupMember.objects.values_list("email", flat=True)) == ["dana@example.org"]
    assert mail.outbox[-1].to == ["dana@example.org"]
    assert f"/space/{space.slug}/c/{club.pk}/" in mail.outbox[-1].body
    assert "dana@example.org" in member_client.get(staff).content.decode()
    # Another workspace's staff can neither see nor change it.
    assert outsider_client.get(staff).status_code in (403, 404)
    assert outsider_client.post(staff + "group/add/", {"email": "eve@example.org"}).status_code in (
        403,
        404,
    )
    assert outsider_client.post(
        staff + "group/remove/", {"email": "dana@example.org"}
    ).status_code in (
        403,
        404,
    )
    assert GroupMember.objects.count() == 1
    member_client.post(staff + "group/remove/", {"email": "dana@example.org"})
    assert GroupMember.objects.count() == 0
    # The access is chosen on the same page.
    member_client.post(staff, {"name": "Club", "access": "members", "kind": "forum"})
    club.refresh_from_db()
    assert club.access == Access.MEMBERS


def test_erasure_removes_the_address_from_groups(space, club, alice):
    permissions.add_to_group(club, alice.email)
    permissions.add_to_group(club, "someone@example.org")
    gdpr.erase(accounts.link_member(alice))
    assert list(GroupMember.objects.values_list("email", flat=True)) == ["someone@example.org"]


def test_readable_filter_matches_can_read(space, recipes, members_only, club, alice, bob):
    permissions.add_to_group(club, alice.email)
    for account in (None, alice, bob):
        listed = set(permissions.categories(space, account))
        assert listed == {
            c for c in (recipes, members_only, club) if permissions.can_read(c, account)
        }
    assert set(permissions.categories(space, None)) == {recipes}
    assert set(permissions.categories(space, bob)) == {recipes, members_only}
    assert set(permissions.categories(space, alice)) == {recipes, members_only, club}
