"""A member's space account and posts are in their GDPR export, and go with an erasure."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.members import gdpr
from liant.space import accounts
from liant.space.models import Post, SpaceAccount, Topic
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


def test_export_and_erasure_cover_the_space(space, recipes, alice_client, alice):
    alice_client.post(
        url(space, f"c/{recipes.pk}/new/"), {"title": "Alice demande", "body": "Mon secret"}
    )
    topic = Topic.objects.get()
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob.post(url(space, f"t/{topic.pk}/reply/"), {"body": "Réponse de Bob"})
    member = accounts.link_member(alice)
    sections = {s.key: s for s in gdpr.collect(member)}
    assert sections["space_accounts"].rows[0]["email"] == "alice@example.org"
    assert sections["space_posts"].rows[0]["body"] == "Mon secret"
    gdpr.erase(member)
    alice.refresh_from_db()
    assert (alice.email, alice.display_name) == ("", "—")
    mine = Post.objects.get(author=alice)
    assert (mine.body, mine.body_html, mine.hidden) == ("", "", True)
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "Mon secret" not in page and "Alice" not in page and "Réponse de Bob" in page
    # The address is gone: asking for a link with it reaches nobody.
    assert not SpaceAccount.objects.filter(email="alice@example.org").exists()
