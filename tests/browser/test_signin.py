"""A person signs in, switches to French and to another workspace, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe solide"


@pytest.fixture
def camille() -> User:
    """Someone who works in two workspaces; she has never signed in (no last workspace)."""
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    main = Workspace.objects.create(organisation=org, name="Maison Lumière", slug="maison-lumiere")
    pro = Workspace.objects.create(organisation=org, name="Lumière Pro", slug="lumiere-pro")
    user = User.objects.create_user(
        "camille@maison-lumiere.example", PASSWORD, name="Camille Laurent"
    )
    Membership.objects.create(workspace=main, user=user, role=Role.OWNER)
    Membership.objects.create(workspace=pro, user=user, role=Role.COMMUNITY_MANAGER)
    return user


def sign_in(page: Any, email: str, password: str) -> None:
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def test_signed_out_the_dashboard_sends_to_sign_in_and_back(live_server, page, camille):
    page.goto(f"{live_server.url}/w/maison-lumiere/")
    assert page.url.startswith(f"{live_server.url}/account/login/?next=")
    assert page.locator("input[name=password]").is_visible()

    sign_in(page, camille.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/w/maison-lumiere/")
    assert page.locator("main h1").inner_text() == "Maison Lumière"


def test_sign_in_switch_to_french_then_to_the_other_workspace(
    live_server, page, camille, artifacts: Path
):
    first, second = camille.workspaces()  # the order the switcher and the landing use
    page.goto(f"{live_server.url}/account/login/")
    # The e-mail is matched whatever its case.
    sign_in(page, "Camille@Maison-Lumiere.example", PASSWORD)
    page.wait_for_url(f"{live_server.url}/w/{first.slug}/")
    assert page.locator("main h1").inner_text() == first.name
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("form.language button[value=en]").get_attribute("aria-pressed") == "true"

    with page.expect_navigation():  # a plain POST form (no JavaScript) back to this page
        page.click("form.language button[value=fr]")
    assert page.url == f"{live_server.url}/w/{first.slug}/"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("form.language button[value=fr]").get_attribute("aria-pressed") == "true"
    assert page.locator("form.language button[value=en]").get_attribute("aria-pressed") is None
    camille.refresh_from_db()
    assert camille.language == "fr"  # remembered for her next session, on any device

    switcher = page.locator("header details.switcher")
    switcher.locator("summary").click()
    assert switcher.get_attribute("open") is not None
    # Each entry reads "<workspace> <organisation>"; the organisation is Maison Lumière for both.
    switcher.locator(f"a[href='/w/{second.slug}/']").click()
    page.wait_for_url(f"{live_server.url}/w/{second.slug}/")
    assert page.locator("main h1").inner_text() == second.name
    assert second.name in switcher.locator("summary").inner_text()
    assert page.locator("html").get_attribute("lang") == "fr"  # the language follows her

    path = artifacts / f"signin-{connection.vendor}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0


def test_a_wrong_password_is_said_in_the_page(live_server, page, camille):
    page.goto(f"{live_server.url}/account/login/")
    sign_in(page, camille.email, "not the password")
    assert page.url.startswith(f"{live_server.url}/account/login/")
    assert "do not match an account" in page.locator("main").inner_text()
