"""The demo step: an open space with three categories, a pinned announcement and a dozen
discussions stored as events, the same after two runs."""

from __future__ import annotations

from django.test import Client

from liant.channels.models import Event
from liant.core.models import Organisation, Workspace
from liant.demo.loader import STEPS, DemoContext, import_module_steps
from liant.members.models import Identity
from liant.space.demo import TOPICS, community_space
from liant.space.models import Category, Notification, Post, Reaction, SpaceAccount, Topic
from tests.conftest import make_user


def snapshot() -> dict:
    return {
        "categories": list(Category.objects.values_list("name", "position")),
        "topics": Topic.objects.count(),
        "posts": Post.objects.count(),
        "events": Event.objects.filter(channel__kind="space").count(),
        "identities": Identity.objects.filter(network="space").count(),
        "reactions": Reaction.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_the_demo_step_is_registered_and_idempotent(db):
    import_module_steps()
    assert any(name == "liant.space.demo.community_space" for _, name, _ in STEPS)
    organisation = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=organisation, name="Maison Lumière", slug="maison-lumiere"
    )
    camille = make_user("camille@maison-lumiere.example", workspace)
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {"camille": camille})
    community_space(context)
    first = snapshot()
    community_space(context)
    assert snapshot() == first
    assert [name for name, _ in first["categories"]] == [
        "Recettes & méthodes",
        "Nos cafés",
        "Ateliers & événements",
    ]
    assert first["topics"] == len(TOPICS) + 1 >= 12
    # Every member post and reaction is an event; the brand's posts are not.
    assert first["events"] == Post.objects.filter(author__staff=False).count() + first["reactions"]
    assert first["reactions"] >= 6 and first["notifications"] >= 5
    assert Notification.objects.filter(kind="mention").exists()
    lea = SpaceAccount.objects.get(display_name="Léa M.")
    profile = Client().get(f"/space/maison-lumiere/u/{lea.pk}/").content.decode()
    assert "Barista amatrice" in profile
    pinned = Topic.objects.get(pinned=True, announcement=True)
    home = Client().get("/space/maison-lumiere/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert pinned.title in home
    assert "Recettes &amp; méthodes" in home
    category = Client().get(f"/space/maison-lumiere/c/{pinned.category_id}/")
    assert category.context["topics"][0] == pinned
