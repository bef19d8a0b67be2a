"""The moderation pages link to the space's pinning page, for those who may pin, when the
workspace has a space."""

from __future__ import annotations

import pytest

from liant.core.permissions import Role
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def test_moderators_find_the_pinning_page_from_the_moderation_pages(space, workspace):
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    link = f'href="/w/{workspace.slug}/space/topics/"'
    for page in ("", "rules/", "log/"):
        assert link in moderator.get(f"/w/{workspace.slug}/moderation/{page}").content.decode()
    assert moderator.get(f"/w/{workspace.slug}/space/topics/").status_code == 200


def test_no_link_without_a_space(workspace, owner, owner_client):
    response = owner_client.get(f"/w/{workspace.slug}/moderation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/w/{workspace.slug}/moderation/rules/"' in page
    assert "/space/topics/" not in page


def test_another_workspace_gets_nothing(space, workspace, outsider):
    outsider_client = client_for(outsider)
    assert outsider_client.get(f"/w/{workspace.slug}/moderation/").status_code == 404
    assert outsider_client.get(f"/w/{workspace.slug}/space/topics/").status_code == 404
