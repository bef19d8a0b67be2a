"""The library's pages: who may see and change what, uploads through the form, search, a
file's page, the files served only to the workspace, and the composer's library hook."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liant.channels.models import Channel
from liant.media import library
from liant.media.models import Folder, MediaItem, MediaSettings
from liant.publishing.models import Post, Variant, VariantMedia
from tests.media.conftest import SVG, jpeg, png

pytestmark = pytest.mark.django_db


def url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/media/{rest}"


def add(workspace, name="salle.jpg", data=None, **fields) -> MediaItem:
    item = library.store_upload(workspace, SimpleUploadedFile(name, data or jpeg())).item
    for key, value in fields.items():
        setattr(item, key, value)
    item.save()
    return item


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_several_files_are_uploaded_at_once_and_a_bad_one_alone_is_refused(owner_client, workspace):
    folder = Folder.objects.create(workspace=workspace, name="Boutique")
    response = owner_client.post(
        url(workspace, "upload/"),
        {
            "images": [
                SimpleUploadedFile("a.jpg", jpeg()),
                SimpleUploadedFile("b.png", png()),
                SimpleUploadedFile("evil.svg", SVG),
            ],
            "folder": folder.pk,
            "tags": "Café, boutique",
        },
    )
    assert response.status_code == 302
    items = MediaItem.objects.filter(workspace=workspace)
    assert sorted(i.name for i in items) == ["a.jpg", "b.png"]
    assert all(i.folder == folder and i.tag_list == ["café", "boutique"] for i in items)
    said = " ".join(texts(response))
    assert "evil.svg is an SVG drawing" in said and "2 images added" in said


def test_an_outsider_gets_404_and_a_reader_403_on_upload(
    outsider_client, analyst_client, workspace
):
    data = {"images": [SimpleUploadedFile("a.jpg", jpeg())]}
    assert outsider_client.post(url(workspace, "upload/"), data).status_code == 404
    data = {"images": [SimpleUploadedFile("a.jpg", jpeg())]}
    assert analyst_client.post(url(workspace, "upload/"), data).status_code == 403
    assert not MediaItem.objects.exists()
    assert analyst_client.get(url(workspace)).status_code == 200


def test_files_are_served_to_the_workspace_only(
    owner_client, analyst_client, outsider_client, workspace
):
    original = png()
    item = add(workspace, "logo.png", original)
    response = analyst_client.get(url(workspace, f"{item.pk}/file/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert owner_client.get(url(workspace, f"{item.pk}/thumbnail/")).status_code == 200
    for rest in (f"{item.pk}/file/", f"{item.pk}/thumbnail/", f"{item.pk}/"):
        assert outsider_client.get(url(workspace, rest)).status_code == 404


def test_search_finds_names_tags_and_descriptions(owner_client, workspace):
    add(workspace, "torrefaction.jpg", alt_text_fr="Le torréfacteur au travail")
    add(workspace, "vitrine.jpg", tags=",boutique,noel,")
    add(workspace, "latte.jpg", alt_text_en="A latte art heart")

    def found(query: str) -> list[str]:
        page = owner_client.get(url(workspace), {"q": query}).content.decode()
        return sorted(n for n in ("torrefaction", "vitrine", "latte") if f"{n}.jpg" in page)

    assert found("torréfacteur") == ["torrefaction"]
    assert found("noel") == ["vitrine"]
    assert found("heart") == ["latte"]
    assert found("vitrine") == ["vitrine"]
    page = owner_client.get(url(workspace), {"tag": "boutique"}).content.decode()
    assert "vitrine.jpg" in page and "latte.jpg" not in page


def test_a_file_page_sets_descriptions_tags_and_focal_point(
    owner_client, analyst_client, workspace
):
    item = add(workspace)
    data = {
        "name": "salle.jpg",
        "alt_text_fr": "La salle du matin",
        "alt_text_en": "The shop in the morning",
        "licence": "CC BY 4.0",
        "credit": "Camille",
        "focal_x": "0.25",
        "focal_y": "0.75",
        "tags_text": "salle, matin",
    }
    assert analyst_client.post(url(workspace, f"{item.pk}/"), data).status_code == 403
    assert owner_client.post(url(workspace, f"{item.pk}/"), data).status_code == 302
    item.refresh_from_db()
    assert (item.focal_x, item.focal_y, item.credit) == (0.25, 0.75, "Camille")
    assert item.alt_text("en") == "The shop in the morning" and item.tag_list == ["salle", "matin"]
    data["focal_x"] = "1.5"
    page = owner_client.post(url(workspace, f"{item.pk}/"), data)
    assert page.status_code == 200 and "focal_x" in page.content.decode()


def test_folders_are_made_and_listed(owner_client, workspace):
    response = owner_client.post(url(workspace, "folders/new/"), {"name": "Ateliers"})
    folder = Folder.objects.get(workspace=workspace)
    assert response["Location"].endswith(f"?folder={folder.pk}")
    assert "Ateliers" in owner_client.get(url(workspace)).content.decode()


def test_only_a_manager_changes_the_media_settings(owner_client, member_client, workspace):
    assert member_client.get(url(workspace, "settings/")).status_code == 403
    response = owner_client.post(
        url(workspace, "settings/"), {"alt_text_policy": "block", "keep_metadata": ""}
    )
    assert response.status_code == 302
    assert MediaSettings.of(workspace).alt_text_policy == "block"


# --- the composer's hook, usage and the alternative-text policy ---------------------------------


@pytest.fixture
def bluesky(workspace, owner):
    return Channel.objects.create(
        workspace=workspace, kind="bluesky", name="Bsky", created_by=owner
    )


def compose(client, workspace, channel, item, action="save", alt=""):
    return client.post(
        f"/w/{workspace.slug}/publishing/new/",
        {
            f"c{channel.pk}-include": "on",
            f"c{channel.pk}-text": "Nouvelle vitrine",
            f"c{channel.pk}-library_item": item.pk,
            f"c{channel.pk}-image_alt": alt,
            "scheduled_at": (timezone.now() + timezone.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "action": action,
        },
    )


def test_the_composer_attaches_a_library_item_and_the_item_shows_its_use(
    owner_client, workspace, bluesky
):
    item = add(workspace, alt_text_fr="La vitrine")
    response = compose(owner_client, workspace, bluesky, item)
    assert response.status_code == 302
    attached = VariantMedia.objects.get()
    assert attached.library_item == item and not attached.file
    post = attached.variant.post
    edit = owner_client.get(f"/w/{workspace.slug}/publishing/{post.pk}/edit/").content.decode()
    assert "from the library" in edit and "La vitrine" in edit
    page = owner_client.get(url(workspace, f"{item.pk}/")).content.decode()
    assert f"/publishing/{post.pk}/" in page
    delete = owner_client.post(url(workspace, f"{item.pk}/delete/"))
    assert delete.status_code == 302 and MediaItem.objects.filter(pk=item.pk).exists()


def test_an_item_of_another_workspace_cannot_be_chosen(
    owner_client, workspace, bluesky, other_workspace
):
    foreign = add(other_workspace)
    page = compose(owner_client, workspace, bluesky, foreign)
    assert page.status_code == 200 and not VariantMedia.objects.exists()


def test_missing_alt_text_warns_by_default(owner_client, workspace, bluesky):
    item = add(workspace)
    response = compose(owner_client, workspace, bluesky, item, action="schedule")
    assert response.status_code == 302
    assert Post.objects.get().state == "scheduled"
    assert any("no alternative text" in m for m in texts(response))


def test_missing_alt_text_blocks_when_the_workspace_says_so(owner_client, workspace, bluesky):
    MediaSettings.objects.create(workspace=workspace, alt_text_policy="block")
    item = add(workspace)
    response = compose(owner_client, workspace, bluesky, item, action="schedule")
    assert Post.objects.get().state == "draft"
    assert any("no alternative text" in m for m in texts(response))
    # A description typed in the composer, or the item's own, lets it through.
    Post.objects.all().delete()
    response = compose(owner_client, workspace, bluesky, item, action="schedule", alt="Vitrine")
    assert Post.objects.get().state == "scheduled"


def test_a_network_without_descriptions_is_not_held_back(workspace, owner):
    MediaSettings.objects.create(workspace=workspace, alt_text_policy="block")
    email = Channel.objects.create(
        workspace=workspace, kind="email", name="Lettre", created_by=owner
    )
    post = Post.objects.create(workspace=workspace)
    variant = Variant.objects.create(post=post, channel=email, text="x")
    VariantMedia.objects.create(
        variant=variant, library_item=add(workspace), content_type="image/jpeg"
    )
    assert library.alt_text_problems([variant], workspace) == (False, [])


def test_renditions_are_listed_and_served_to_the_workspace_only(
    owner_client, outsider_client, workspace
):
    from liant.connectors.bluesky.connector import BlueskyConnector

    item = add(workspace)
    made = library.rendition_for(item, BlueskyConnector.rules)
    page = owner_client.get(url(workspace, f"{item.pk}/")).content.decode()
    assert f"/media/renditions/{made.pk}/" in page
    response = owner_client.get(url(workspace, f"renditions/{made.pk}/"))
    assert response.status_code == 200 and response["Content-Type"] == made.content_type
    assert outsider_client.get(url(workspace, f"renditions/{made.pk}/")).status_code == 404
