"""`make demo` opens on a landing page linking the workbench (with the demo logins) and the
demo's community space; without LIANT_DEMO, `/` stays the sign-in redirect it always was."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from liant.core.models import Organisation, Workspace
from liant.demo.loader import DEMO_PASSWORD, PERSONAS
from liant.space.posting import space_of
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_space(db):
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=org, name="Maison Lumière", slug="maison-lumiere"
    )
    space = space_of(workspace)
    space.enabled, space.title = True, "Le Comptoir Lumière"
    space.save()
    return space


def test_without_the_demo_visitors_are_sent_to_sign_in_and_see_no_password(demo_space):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/"
    page = Client().get(response["Location"]).content.decode()
    assert DEMO_PASSWORD not in page and "Comptoir" not in page


@override_settings(LIANT_DEMO=True)
def test_the_demo_opens_on_links_to_the_workbench_and_the_space(demo_space, other_workspace):
    rival = space_of(other_workspace)
    rival.enabled, rival.title = True, "Rival corner"
    rival.save()
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/account/login/"' in page and "The staff workbench" in page
    assert DEMO_PASSWORD in page and all(p.email in page for p in PERSONAS)
    assert 'href="/space/maison-lumiere/"' in page and "Le Comptoir Lumière" in page
    assert "Owner in Maison Lumière" in page
    # Another workspace's space is not the demo's to advertise.
    assert "Rival corner" not in page and "rival-brand" not in page
    assert Client().get("/space/maison-lumiere/").status_code == 200
    french = Client().get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in french and DEMO_PASSWORD in french


@override_settings(LIANT_DEMO=True)
def test_a_closed_demo_space_is_not_linked(demo_space):
    demo_space.enabled = False
    demo_space.save()
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/space/maison-lumiere/" not in page and "liant demo" in page


@override_settings(LIANT_DEMO=True)
def test_signed_in_people_still_go_to_their_own_workspace(demo_space, owner, workspace, outsider):
    home = client_for(owner).get("/")
    assert home.status_code == 302 and home["Location"] == f"/w/{workspace.slug}/"
    theirs = client_for(outsider).get("/")
    assert theirs.status_code == 302 and theirs["Location"] == "/w/rival-brand/"
