"""Profiles: a public page per account, edited by the account itself; nothing of an erased
member, nothing across spaces, no markup from what people typed."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.members import gdpr
from liant.members.models import Identity, Level, Member
from liant.space import accounts
from liant.space.models import Post, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.space.conftest import url

pytestmark = pytest.mark.django_db

XSS_NAME = '<img src=x onerror="alert(1)">Zoé'
XSS_BIO = "<script>alert('bio')</script>\nLine two & <b>bold</b>"


def edit(client, space, **data):
    values = {"display_name": "Alice", "bio": "", "language": "fr", "email_notifications": "daily"}
    return client.post(url(space, "me/"), values | data)


def test_a_profile_shows_name_bio_level_and_recent_posts(space, recipes, alice_client, alice):
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Mouture fine", "body": "?"})
    response = edit(alice_client, space, bio="J'aime le moka.\nEt le filtre.")
    assert response.status_code == 302 and response.url == url(space, f"u/{alice.pk}/")
    member = Member.objects.get(identities__key=alice.remote_id)
    Member.objects.filter(pk=member.pk).update(level=Level.CONTRIBUTOR, helpful_replies=7)
    page = Client().get(url(space, f"u/{alice.pk}/")).content.decode()
    assert "J&#x27;aime le moka.<br>Et le filtre." in page
    assert "Contributor" in page or "Contributeur" in page
    assert "Helpful" in page or "Serviable" in page
    assert "Mouture fine" in page and f"@{alice.handle}" in page
    assert '<span class="avatar" aria-hidden="true">A</span>' in page
    # The badges show next to the name on topic pages too.
    topic = Topic.objects.get()
    assert "Contributor" in Client().get(url(space, f"t/{topic.pk}/")).content.decode()


def test_names_and_bios_are_escaped_in_the_page(space, recipes, alice_client, alice):
    assert edit(alice_client, space, display_name=XSS_NAME, bio=XSS_BIO).status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == XSS_NAME  # kept as typed: escaped when shown
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Titre", "body": "corps"})
    for path in (f"u/{alice.pk}/", f"t/{Topic.objects.get().pk}/", f"c/{recipes.pk}/"):
        page = Client().get(url(space, path)).content.decode()
        assert "<img src=x" not in page and "<script>alert('bio')" not in page
        assert "onerror=&quot;" in page or path != f"u/{alice.pk}/"
    assert "&lt;b&gt;bold&lt;/b&gt;" in Client().get(url(space, f"u/{alice.pk}/")).content.decode()


def test_only_the_account_edits_its_profile_and_a_muted_one_keeps_its_words(
    space, alice_client, alice
):
    assert Client().get(url(space, "me/")).status_code == 302  # a visitor is sent to sign in
    SpaceAccount.objects.filter(pk=alice.pk).update(muted_at="2026-01-01T00:00:00Z")
    response = edit(
        alice_client, space, display_name="Spam", bio="Buy now", email_notifications="never"
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.email_notifications) == ("Alice", "", "never")


def test_a_banned_account_shows_no_bio(space, alice_client, alice):
    edit(alice_client, space, bio="Visit my shop")
    SpaceAccount.objects.filter(pk=alice.pk).update(banned_at="2026-01-01T00:00:00Z")
    assert "Visit my shop" not in Client().get(url(space, f"u/{alice.pk}/")).content.decode()


def test_an_erased_member_has_no_profile(space, recipes, alice_client, alice):
    edit(alice_client, space, bio="Secret bio")
    gdpr.erase(accounts.link_member(alice))
    assert Client().get(url(space, f"u/{alice.pk}/")).status_code == 404
    # The session opened before the erasure is nobody now: it cannot write a name back.
    assert alice_client.get(url(space, "me/")).status_code == 302
    assert edit(alice_client, space, display_name="Alice again").status_code == 302
    alice.refresh_from_db()
    assert (alice.bio, alice.handle, alice.display_name) == ("", "", "—")


def test_another_space_answers_404_and_a_held_post_is_not_listed(
    space, recipes, alice_client, alice, other_workspace
):
    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    assert Client().get(f"/space/{other_workspace.slug}/u/{alice.pk}/").status_code == 404
    # Alice's session is nobody in the other space.
    assert alice_client.get(f"/space/{other_workspace.slug}/me/").status_code == 302
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Hidden one", "body": "x"})
    Post.objects.update(hidden=True)
    Topic.objects.update(hidden=True)
    assert "Hidden one" not in Client().get(url(space, f"u/{alice.pk}/")).content.decode()


def test_handles_are_unique_in_a_space(space):
    first = SpaceAccount.objects.create(space=space, email="a@example.org", display_name="Léa M.")
    second = SpaceAccount.objects.create(space=space, email="b@example.org", display_name="Lea-M")
    assert (first.handle, second.handle) == ("leam", "leam2")
    assert Identity.objects.count() == 0  # nothing created by reading
