"""Mentions of display names of several words ("@Marie Dupont"), next to handles and
one-word names."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from liant.space.models import Notification, Post, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


def member(space, email: str, name: str, **extra) -> SpaceAccount:
    return SpaceAccount.objects.create(
        space=space, email=email, display_name=name, confirmed_at=timezone.now(), **extra
    )


def say(client: Client, space, category, body: str) -> Post:
    response = client.post(url(space, f"c/{category.pk}/new/"), {"title": "Salut", "body": body})
    assert response.status_code == 302, response.content.decode()[:500]
    return Post.objects.latest("pk")


def link(space, account: SpaceAccount, text: str) -> str:
    return f'<a href="/space/{space.slug}/u/{account.pk}/" class="mention">@{text}</a>'


def test_a_display_name_of_several_words_is_a_mention(space, recipes, alice_client, alice):
    marie = member(space, "marie@example.org", "Marie Dupont")
    post = say(alice_client, space, recipes, "Merci @marie dupont. Et toi, @Marie Dupont ?")
    assert post.body_html.count(link(space, marie, "marie dupont") + ".") == 1
    assert link(space, marie, "Marie Dupont") + " ?" in post.body_html
    assert list(Notification.objects.values_list("account", "kind")) == [(marie.pk, "mention")]


def test_the_longest_name_wins_and_handles_still_work(space, recipes, alice_client, alice):
    marie = member(space, "m1@example.org", "Marie")
    dupont = member(space, "m2@example.org", "Marie Dupont Martin")
    léa = member(space, "lea@example.org", "Léa M.")
    body = (
        f"@Marie Dupont Martin est là, @Marie aussi, avec @{dupont.handle} et @Léa M. ;"
        " @Marie Curie non."
    )
    post = say(alice_client, space, recipes, body)
    html = post.body_html
    assert link(space, dupont, "Marie Dupont Martin") + " est là" in html
    assert link(space, marie, "Marie") + " aussi" in html
    assert link(space, dupont, dupont.handle) in html
    assert link(space, léa, "Léa M.") + " ;" in html
    assert link(space, marie, "Marie") + " Curie non." in html  # one-word name, rest is text
    assert set(Notification.objects.values_list("account", flat=True)) == {
        marie.pk,
        dupont.pk,
        léa.pk,
    }


def test_a_shared_display_name_links_nobody(space, recipes, alice_client):
    first = member(space, "a@example.org", "Jean Martin")
    member(space, "b@example.org", "Jean Martin")
    post = say(alice_client, space, recipes, f"@Jean Martin ou @{first.handle} ?")
    assert post.body_html.count('class="mention"') == 1
    assert link(space, first, first.handle) in post.body_html
    assert list(Notification.objects.values_list("account", flat=True)) == [first.pk]


def test_banned_erased_unconfirmed_and_other_spaces_are_not_mentioned(
    space, recipes, alice_client, other_workspace
):
    member(space, "ban@example.org", "Paul Banni", banned_at=timezone.now())
    erased = member(space, "gone@example.org", "Anne Partie")
    SpaceAccount.objects.filter(pk=erased.pk).update(email="")
    SpaceAccount.objects.create(space=space, email="new@example.org", display_name="Nina Neuve")
    other = space_of(other_workspace)
    other.enabled = True
    other.save()
    open_channel(other)
    member(other, "far@example.org", "Marc Ailleurs")
    post = say(alice_client, space, recipes, "@Paul Banni @Anne Partie @Nina Neuve @Marc Ailleurs")
    assert 'class="mention"' not in post.body_html
    assert not Notification.objects.exists()


def test_a_name_in_code_or_a_link_is_not_a_mention_and_markup_stays_out(
    space, recipes, alice_client
):
    member(space, "marie@example.org", "Marie Dupont")
    member(space, "x@example.org", "Zoé Onerror")
    body = (
        "`@Marie Dupont` [@Zoé Onerror](https://e.org/) <pre>@Marie Dupont</pre>"
        ' @Zoé Onerror"><img src=x onerror=alert(1)> <a href="javascript:x()">@Marie Dupont</a>'
    )
    post = say(alice_client, space, recipes, body)
    topic = Topic.objects.get()
    page = Client().get(url(space, f"t/{topic.pk}/")).content.decode()
    assert "<img" not in page and "javascript:" not in page
    assert post.body_html.count('class="mention"') == 1  # Zoé, outside the link
    assert "<code>@Marie Dupont</code>" in post.body_html
    assert list(Notification.objects.values_list("account__display_name", flat=True)) == [
        "Zoé Onerror"
    ]


def test_a_name_only_quoted_in_code_notifies_nobody(space, recipes, alice_client):
    member(space, "marie@example.org", "Marie Dupont")
    say(alice_client, space, recipes, "Écrivez `@Marie Dupont` pour la mentionner.")
    assert not Notification.objects.exists()


def test_the_settings_page_says_how_to_be_mentioned(space):
    from tests.space.conftest import join  # noqa: PLC0415

    marie_client, tom_client = Client(), Client()
    marie = join(marie_client, space, "marie@example.org", "Marie Dupont")
    tom = join(tom_client, space, "tom@example.org", "Tom & Jerry")
    page = marie_client.get(url(space, "me/")).content.decode()
    assert f"@{marie.handle}" in page and "@Marie Dupont" in page
    page = tom_client.get(url(space, "me/")).content.decode()
    assert f"@{tom.handle}" in page and "@Tom" not in page
