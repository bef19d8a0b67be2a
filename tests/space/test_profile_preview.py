"""A profile's link preview shows the member's picture (absolute address, the one the avatar
view serves), else the space's logo; never the picture of a banned member."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from liant.space import avatars
from liant.space.models import SpaceAccount
from tests.space.conftest import url
from tests.space.test_avatars import photo, upload

pytestmark = pytest.mark.django_db


def og_image(page: str) -> str:
    found = re.search(r'<meta property="og:image" content="([^"]*)"', page)
    return found.group(1) if found else ""


def test_a_profile_previews_the_members_picture_else_the_logo(space, alice_client, alice):
    profile = url(space, f"u/{alice.pk}/")
    assert og_image(Client().get(profile).content.decode()) == ""  # no picture, no logo
    space.logo.save("logo.png", ContentFile(photo(fmt="PNG")), save=True)
    logo = og_image(Client().get(profile).content.decode())
    assert logo.startswith(f"{settings.SITE_URL}/space/{space.slug}/logo/?v=")

    assert upload(alice_client, space, photo()).status_code == 302
    alice.refresh_from_db()
    image = og_image(Client().get(profile).content.decode())
    path = f"/space/{space.slug}/u/{alice.pk}/avatar/?v={avatars.version(alice)}"
    assert image == settings.SITE_URL + path
    served = Client().get(path)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    # Other pages keep the logo.
    assert og_image(Client().get(url(space)).content.decode()) == logo

    SpaceAccount.objects.filter(pk=alice.pk).update(banned_at=timezone.now())
    assert og_image(Client().get(profile).content.decode()) == logo
    assert Client().get(path).status_code == 404


def test_another_workspaces_address_previews_nothing(space, alice_client, alice, other_workspace):
    assert upload(alice_client, space, photo()).status_code == 302
    assert Client().get(f"/space/{other_workspace.slug}/u/{alice.pk}/").status_code == 404
    assert Client().get(f"/space/{other_workspace.slug}/u/{alice.pk}/avatar/").status_code == 404
