"""Search finds posts by every word typed (accents and case folded), paginated, and never
what others may not see."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.moderation.models import Item, ItemState, Reason
from liant.space.models import Post, Topic
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


def search(space, q, page=1, client=None):
    return (client or Client()).get(url(space, "search/"), {"q": q, "page": page})


def test_words_are_found_in_posts_and_titles(space, recipes, alice_client, alice):
    alice_client.post(
        url(space, f"c/{recipes.pk}/new/"), {"title": "Café du Brésil", "body": "Très chocolaté"}
    )
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Autre", "body": "Rien à voir"})
    page = search(space, "CAFE chocolate").content.decode()
    assert "Café du Brésil" in page and "Autre" not in page
    assert "Très chocolaté" in search(space, "bresil").content.decode()  # by the title
    assert "Nothing found" in search(space, "introuvable").content.decode()
    assert search(space, "").status_code == 200


def test_hidden_held_and_other_spaces_posts_never_appear(
    space, recipes, alice_client, alice, other_workspace
):
    for title in ("Secret caché", "Secret retenu", "Secret visible"):
        alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": title, "body": "secret"})
    hidden = Post.objects.get(topic__title="Secret caché")
    hidden.hidden = True
    hidden.save()
    Topic.objects.filter(title="Secret caché").update(hidden=True)
    held = Post.objects.get(topic__title="Secret retenu")
    from liant.space.public_views import stored_event

    event = stored_event(space, held)
    Item.objects.create(
        workspace=space.workspace,
        event=event,
        channel_id=space.channel_id,
        reason=Reason.HELD,
        state=ItemState.QUEUED,
        text="secret",
    )
    page = search(space, "secret").content.decode()
    assert "Secret visible" in page and "caché" not in page and "retenu" not in page
    assert search(space, "secret", client=alice_client).content.decode().count("Secret retenu") == 0
    assert (
        Client().get(f"/space/{other_workspace.slug}/search/", {"q": "secret"}).status_code == 404
    )


def test_results_are_paginated_and_the_query_is_escaped(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Grand sujet")
    Post.objects.bulk_create(
        [
            Post(
                topic=topic,
                author=alice,
                body=f"mouture {i}",
                body_html=f"<p>mouture {i}</p>",
                search_text=f"mouture {i}",
            )
            for i in range(25)
        ]
    )
    first = search(space, "mouture")
    assert first.context["listing"].paginator.count == 25 and len(first.context["listing"]) == 20
    assert len(search(space, "mouture", page=2).context["listing"]) == 5
    page = search(space, "<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in page
