"""A space that is open, with two categories, and a way to sign a member in through the real
magic link (the e-mail Django's locmem backend keeps)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from liant.moderation.models import Charter
from liant.space.models import Category, Space, SpaceAccount
from liant.space.posting import open_channel, space_of

LINK_RE = re.compile(r"https?://\S+/space/[\w-]+/signin/(\S+)/")


@pytest.fixture
def space(workspace) -> Space:
    found = space_of(workspace)
    found.enabled = True
    found.title = "Le Coin des Curieux"
    found.welcome_fr = "Bienvenue **à tous**"
    found.welcome_en = "Welcome **everyone**"
    found.save()
    open_channel(found)
    found.refresh_from_db()
    return found


@pytest.fixture
def recipes(space) -> Category:
    return Category.objects.create(space=space, name="Recettes & méthodes", position=0)


@pytest.fixture
def coffees(space) -> Category:
    return Category.objects.create(space=space, name="Nos cafés", position=1)


@pytest.fixture
def charter(workspace) -> Charter:
    return Charter.objects.create(
        workspace=workspace, version=2, body_fr="## 1. Respect\nSoyez aimables.", body_en=""
    )


def url(space: Space, rest: str = "") -> str:
    return f"/space/{space.slug}/{rest}"


def link_token(message) -> str:
    found = LINK_RE.search(message.body)
    assert found, message.body
    return found.group(1)


def join(client: Client, space: Space, email: str, name: str, **extra) -> SpaceAccount:
    """Join through the pages: the form, the e-mail, the link, the button."""
    before = len(mail.outbox)
    data = {"email": email, "display_name": name, "language": "fr", **extra}
    assert client.post(url(space, "join/"), data).status_code == 200
    assert len(mail.outbox) == before + 1
    token = link_token(mail.outbox[-1])
    assert client.post(url(space, f"signin/{token}/")).status_code == 302
    return SpaceAccount.objects.get(space=space, email=email.strip().lower())


@pytest.fixture
def alice_client(space) -> Client:
    client = Client()
    join(client, space, "alice@example.org", "Alice")
    return client


@pytest.fixture
def alice(alice_client, space) -> SpaceAccount:
    return SpaceAccount.objects.get(space=space, email="alice@example.org")
