"""Staff pages: opening the space, its words, its categories, its accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.channels.models import Channel
from liant.members.models import Identity
from liant.space.models import Category, Post, Space, SpaceAccount, Topic

pytestmark = pytest.mark.django_db


def staff(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/space/{rest}"


SETTINGS = {
    "space-enabled": "on",
    "space-title": "Le Coin",
    "space-welcome_fr": "Bienvenue",
    "space-welcome_en": "Welcome",
    "space-posts_per_minute": "3",
}


def test_opening_the_space_creates_its_channel_and_its_public_pages(owner_client, workspace, owner):
    assert Client().get(f"/space/{workspace.slug}/").status_code == 404
    assert owner_client.get(staff(workspace)).status_code == 200
    response = owner_client.post(staff(workspace), SETTINGS)
    assert response.status_code == 302
    space = Space.objects.get(workspace=workspace)
    channel = Channel.objects.get(workspace=workspace, kind="space")
    assert space.channel == channel and channel.created_by == owner
    page = Client().get(f"/space/{workspace.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and "Bienvenue" in page.content.decode()
    english = Client().get(f"/space/{workspace.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Welcome" in english.content.decode()
    # Closing it again hides the pages; the channel and what was said stay.
    owner_client.post(staff(workspace), {**SETTINGS, "space-enabled": ""})
    assert Client().get(f"/space/{workspace.slug}/").status_code == 404
    assert Channel.objects.filter(kind="space").count() == 1


def test_categories_are_created_renamed_reordered_and_deleted_when_empty(
    member_client, workspace, space, alice
):
    for name in ("Recettes", "Cafés", "Ateliers"):
        member_client.post(staff(workspace, "categories/new/"), {"new-name": name})
    names = lambda: list(Category.objects.filter(space=space).values_list("name", flat=True))  # noqa: E731
    assert names() == ["Recettes", "Cafés", "Ateliers"]
    ateliers = Category.objects.get(name="Ateliers")
    member_client.post(staff(workspace, f"categories/{ateliers.pk}/move/"), {"direction": "up"})
    assert names() == ["Recettes", "Ateliers", "Cafés"]
    member_client.post(
        staff(workspace, f"categories/{ateliers.pk}/"),
        {"name": "Ateliers & événements", "description": "Sur place"},
    )
    assert names() == ["Recettes", "Ateliers & événements", "Cafés"]
    cafes = Category.objects.get(name="Cafés")
    topic = Topic.objects.create(category=cafes, author=alice, title="Un sujet")
    Post.objects.create(topic=topic, author=alice, body="x")
    member_client.post(staff(workspace, f"categories/{cafes.pk}/delete/"))
    assert Category.objects.filter(pk=cafes.pk).exists()
    member_client.post(staff(workspace, f"categories/{ateliers.pk}/delete/"))
    assert names() == ["Recettes", "Cafés"]


def test_the_accounts_page_lists_who_joined_but_not_the_brand(owner_client, workspace, alice):
    page = owner_client.get(staff(workspace, "accounts/"))
    assert page.status_code == 200
    assert list(page.context["rows"]) == [alice]
    member_id = Identity.objects.get(network="space", key=alice.remote_id).member_id
    assert f"/w/{workspace.slug}/members/{member_id}/" in page.content.decode()
    assert SpaceAccount.objects.filter(staff=True).exists()


def test_an_outsider_gets_404_on_every_staff_page(
    outsider_client, workspace, space, recipes, alice
):
    topic = Topic.objects.create(category=recipes, author=alice, title="Un sujet")
    for path in (
        "announcements/new/",
        f"topics/{topic.pk}/flag/",
        "",
        "accounts/",
        "categories/new/",
        f"categories/{recipes.pk}/",
        f"categories/{recipes.pk}/move/",
        f"categories/{recipes.pk}/delete/",
    ):
        for method in ("get", "post"):
            response = getattr(outsider_client, method)(staff(workspace, path))
            assert response.status_code == 404, (method, path)
    assert Category.objects.filter(pk=recipes.pk).exists()


def test_a_space_account_is_nobody_on_staff_pages(alice_client, workspace, space):
    response = alice_client.get(staff(workspace))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_another_workspace_category_is_not_found(
    owner_client, workspace, outsider, other_workspace
):
    from liant.space.posting import space_of

    foreign = Category.objects.create(space=space_of(other_workspace), name="Ailleurs")
    assert owner_client.get(staff(workspace, f"categories/{foreign.pk}/")).status_code == 404
    owner_client.post(staff(workspace, f"categories/{foreign.pk}/delete/"))
    assert Category.objects.filter(pk=foreign.pk).exists()


def test_an_announcement_is_posted_as_the_brand_and_topics_are_pinned(
    owner_client, workspace, space, recipes
):
    response = owner_client.post(
        staff(workspace, "announcements/new/"),
        {
            "announce-category": recipes.pk,
            "announce-title": "Fermeture le 15 août",
            "announce-body": "La brûlerie sera **fermée**.",
            "announce-pinned": "on",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert (topic.pinned, topic.announcement, topic.author.staff) == (True, True, True)
    home = Client().get(f"/space/{workspace.slug}/").content.decode()
    assert "Fermeture le 15 août" in home
    owner_client.post(staff(workspace, f"topics/{topic.pk}/flag/"), {"flag": "pinned"})
    topic.refresh_from_db()
    assert not topic.pinned and topic.announcement
    assert owner_client.get(staff(workspace)).status_code == 200


def test_the_space_kpis_count_members_words_and_arrivals(workspace, space, recipes, alice):
    from datetime import timedelta

    from django.utils import timezone

    from liant.analytics.registry import REGISTRY, discover
    from liant.space.posting import announce, reply, start_topic

    post = start_topic(alice, recipes, "Un sujet", "Bonjour")
    reply(alice, post.topic, "Encore moi")
    announce(space, recipes, "Annonce", "De la marque", pinned=False)
    discover()
    now = timezone.now()
    start, end = now - timedelta(days=1), now + timedelta(minutes=1)
    assert REGISTRY["space.messages"].compute(workspace, start, end).value == 2
    assert REGISTRY["space.joined"].compute(workspace, start, end).value == 1
