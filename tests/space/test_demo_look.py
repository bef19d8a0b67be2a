"""The demo's look and pins: a theme with a logo, a message to new members, a pinned topic and
an announcement with a last day — the same after two runs."""

from __future__ import annotations

from django.test import Client

from liant.core.models import Organisation, Workspace
from liant.space.demo import PINNED_TITLE, TIMED_ANNOUNCEMENT, community_space, space_look_and_pins
from liant.space.models import Post, Space, Topic
from tests.conftest import make_user


def test_the_demo_space_has_a_look_pins_and_a_timed_announcement_once(db):
    organisation = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=organisation, name="Maison Lumière", slug="maison-lumiere"
    )
    from liant.demo.loader import DemoContext

    camille = make_user("camille@maison-lumiere.example", workspace)
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {"camille": camille})
    community_space(context)
    space_look_and_pins(context)
    space = Space.objects.get(workspace=workspace)
    first = (space.logo.name, Topic.objects.count(), Post.objects.count())
    community_space(context)
    space_look_and_pins(context)
    space.refresh_from_db()
    assert (space.logo.name, Topic.objects.count(), Post.objects.count()) == first
    assert space.primary_color == "#1d3557" and space.logo_type == "image/png"
    assert space.member_welcome_fr and space.member_welcome_en
    assert Topic.objects.get(title=PINNED_TITLE).pinned
    timed = Topic.objects.get(title=TIMED_ANNOUNCEMENT[0])
    assert timed.announcement and timed.announcement_until is not None
    home = Client().get("/space/maison-lumiere/").content.decode()
    assert TIMED_ANNOUNCEMENT[0] in home and "--space-primary:#1d3557" in home
    assert Client().get("/space/maison-lumiere/logo/").status_code == 200
    category = Client().get(f"/space/maison-lumiere/c/{timed.category_id}/feed/")
    assert TIMED_ANNOUNCEMENT[0] in category.content.decode()
