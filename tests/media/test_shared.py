"""The organisation's library: a file one workspace shares is seen and used, read-only, by
the other workspaces of its organisation, and by no one outside it."""

from __future__ import annotations

import pytest

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.core.permissions import Role
from liant.media import library
from liant.publishing.forms import VariantForm
from tests.conftest import client_for, make_user
from tests.media.conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister(workspace) -> Workspace:
    return Workspace.objects.create(
        organisation=workspace.organisation, name="Sister brand", slug="sister"
    )


@pytest.fixture
def sister_client(sister):
    return client_for(make_user("cm@sister.example", sister, Role.OWNER))


@pytest.fixture
def logo(workspace):
    return library.store_bytes(workspace, png((80, 40)), "logo.png").item


def pages(workspace, item) -> list[str]:
    base = f"/w/{workspace.slug}/media/{item.pk}/"
    return [base, base + "file/", base + "thumbnail/"]


def test_a_file_is_the_workspaces_own_until_shared(
    logo, sister, sister_client, outsider, other_workspace
):
    for path in pages(sister, logo):
        assert sister_client.get(path).status_code == 404
    logo.shared = True
    logo.save()
    for path in pages(sister, logo):
        assert sister_client.get(path).status_code == 200, path
    outsider_client = client_for(outsider)
    for path in pages(other_workspace, logo):  # another organisation: never
        assert outsider_client.get(path).status_code == 404
    assert logo not in library.visible_items(other_workspace)


def test_the_shared_file_is_read_only_elsewhere(logo, sister, sister_client):
    logo.shared = True
    logo.save()
    page = sister_client.get(f"/w/{sister.slug}/media/{logo.pk}/").content.decode()
    assert "Shared by Brand" in page and "Delete this file" not in page
    assert 'name="alt_text_fr"' not in page
    changed = sister_client.post(f"/w/{sister.slug}/media/{logo.pk}/", {"name": "pris.png"})
    deleted = sister_client.post(f"/w/{sister.slug}/media/{logo.pk}/delete/")
    assert changed.status_code == 404 and deleted.status_code == 404
    logo.refresh_from_db()
    assert logo.name == "logo.png"


def test_the_library_lists_what_the_organisation_shares(logo, sister, sister_client, workspace):
    mine = library.store_bytes(sister, png(), "mine.png").item
    shared_page = f"/w/{sister.slug}/media/?scope=organisation"
    assert "logo.png" not in sister_client.get(shared_page).content.decode()
    logo.shared = True
    logo.save()
    body = sister_client.get(shared_page).content.decode()
    assert "logo.png" in body and "shared by Brand" in body and "mine.png" not in body
    assert 'name="images"' not in body  # no upload into another workspace's files
    own = sister_client.get(f"/w/{sister.slug}/media/").content.decode()
    assert "mine.png" in own and "logo.png" not in own
    assert mine.workspace == sister


def test_only_a_manager_shares(logo, workspace, owner_client, member_client):
    data = {"name": "logo.png", "focal_x": "0.5", "focal_y": "0.5", "shared": "on"}
    member_client.post(f"/w/{workspace.slug}/media/{logo.pk}/", data)
    logo.refresh_from_db()
    assert not logo.shared
    owner_client.post(f"/w/{workspace.slug}/media/{logo.pk}/", data)
    logo.refresh_from_db()
    assert logo.shared


def test_the_composer_offers_shared_files_to_the_organisation_only(logo, sister, other_workspace):
    logo.shared = True
    logo.save()
    ours = Channel.objects.create(workspace=sister, kind="mastodon", name="M", settings={})
    theirs = Channel.objects.create(
        workspace=other_workspace, kind="mastodon", name="M", settings={}
    )
    assert logo in VariantForm(channel=ours).fields["library_item"].queryset
    assert logo not in VariantForm(channel=theirs).fields["library_item"].queryset
    form = VariantForm({f"c{theirs.pk}-library_item": str(logo.pk)}, channel=theirs)
    assert not form.is_valid() and "library_item" in form.errors


def test_the_preview_shows_a_shared_file_to_the_organisation_only(
    logo, sister, sister_client, outsider, other_workspace
):
    logo.shared = True
    logo.save()
    ours = Channel.objects.create(workspace=sister, kind="mastodon", name="M", settings={})
    theirs = Channel.objects.create(
        workspace=other_workspace, kind="mastodon", name="M", settings={}
    )
    thumbnail = f"/media/{logo.pk}/thumbnail/"
    body = sister_client.post(
        f"/w/{sister.slug}/publishing/preview/{ours.pk}/", {f"c{ours.pk}-library_item": logo.pk}
    ).content.decode()
    assert f"/w/{sister.slug}{thumbnail}" in body
    body = (
        client_for(outsider)
        .post(
            f"/w/{other_workspace.slug}/publishing/preview/{theirs.pk}/",
            {f"c{theirs.pk}-library_item": logo.pk},
        )
        .content.decode()
    )
    assert thumbnail not in body
