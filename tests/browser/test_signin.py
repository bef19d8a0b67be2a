"""A person signs in, switches to French and to another workspace, in a real browser."""

from __future__ import annotations

import pytest
from django.db import connection

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe solide"


@pytest.fixture
def camille():
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    first = Workspace.objects.create(organisation=org, name="Maison Lumière", slug="maison-lumiere")
    second = Workspace.objects.create(organisation=org, name="Lumière Pro", slug="lumiere-pro")
    user = User.objects.create_user(
        "camille@maison-lumiere.example", PASSWORD, name="Camille Laurent"
    )
    Membership.objects.create(workspace=first, user=user, role=Role.OWNER)
    Membership.objects.create(workspace=second, user=user, role=Role.COMMUNITY_MANAGER)
    user.last_workspace = first
    user.save()
    return user


def test_sign_in_switch_language_and_workspace(live_server, page, camille, artifacts):
    page.goto(f"{live_server.url}/w/maison-lumiere/")
    assert "/account/login/" in page.url  # signed out: sent to sign in

    page.fill("input[name=username]", "Camille@Maison-Lumiere.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/w/maison-lumiere/")
    assert page.locator("main h1").inner_text() == "Maison Lumière"
    assert page.locator("html").get_attribute("lang") == "en"

    page.click("form.language button[value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("form.language button[value=fr]").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    camille.refresh_from_db()
    assert camille.language == "fr"

    page.click("details.switcher summary")
    page.click("details.switcher a:has-text('Lumière Pro')")
    page.wait_for_url(f"{live_server.url}/w/lumiere-pro/")
    assert page.locator("main h1").inner_text() == "Lumière Pro"
    assert "Community manager" in page.locator("main .lead").inner_text()
    page.screenshot(path=str(artifacts / f"signin-{connection.vendor}.png"), full_page=True)


def test_a_wrong_password_is_said_in_the_page(live_server, page, camille):
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=username]", camille.email)
    page.fill("input[name=password]", "not the password")
    page.click("main button[type=submit]")
    assert "do not match an account" in page.locator("main").inner_text()
