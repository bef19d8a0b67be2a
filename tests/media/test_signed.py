"""Private workspaces: every address of a file given to a browser is signed and expires
(local storage: Liant's signed view). Public workspaces keep the plain addresses."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing

from liant.media import addresses, library, signed
from liant.media.models import MediaSettings
from tests.media.conftest import jpeg, png

pytestmark = pytest.mark.django_db


def url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/media/{rest}"


def private(workspace) -> None:
    MediaSettings.objects.update_or_create(workspace=workspace, defaults={"private": True})


def later(monkeypatch, seconds: float) -> None:
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + seconds)


def test_a_public_workspace_keeps_plain_addresses(owner_client, workspace):
    item = library.store_bytes(workspace, png(), "logo.png").item
    page = owner_client.get(url(workspace)).content.decode()
    assert url(workspace, f"{item.pk}/thumbnail/") in page and "/media/signed/" not in page
    assert owner_client.get(url(workspace, f"{item.pk}/file/")).status_code == 200


def test_a_private_workspace_gets_signed_addresses_that_work(owner_client, workspace):
    item = library.store_bytes(workspace, png(), "logo.png").item
    private(workspace)
    page = owner_client.get(url(workspace, f"{item.pk}/")).content.decode()
    assert re.findall(r'/w/brand/media/signed/file:[^/"]+/', page)
    assert url(workspace, f"{item.pk}/file/") not in page
    listing = owner_client.get(url(workspace)).content.decode()
    assert re.findall(r'/w/brand/media/signed/thumbnail:[^/"]+/', listing)
    assert url(workspace, f"{item.pk}/thumbnail/") not in listing
    address = addresses.address(workspace, "file", item)
    response = owner_client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == item.file.open("rb").read()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    # An old plain address sends the workspace's people to a fresh signed one.
    redirected = owner_client.get(url(workspace, f"{item.pk}/thumbnail/"))
    assert redirected.status_code == 302 and "/media/signed/" in redirected["Location"]


def test_an_expired_address_is_refused(owner_client, workspace, monkeypatch, settings):
    settings.LIANT_MEDIA_URL_SECONDS = 600
    item = library.store_bytes(workspace, png(), "logo.png").item
    private(workspace)
    address = addresses.address(workspace, "file", item)
    later(monkeypatch, 599)
    assert owner_client.get(address).status_code == 200
    later(monkeypatch, 601)
    assert owner_client.get(address).status_code == 403


def test_a_changed_token_is_refused(owner_client, workspace):
    first = library.store_bytes(workspace, png(), "a.png").item
    second = library.store_bytes(workspace, jpeg(), "b.jpg").item
    private(workspace)
    address = addresses.address(workspace, "file", first)
    token = address.rstrip("/").rsplit("/", 1)[-1]
    # The first file's signature on the second's reference: the signature covers the name.
    reference, stamp, signature = token.split(":")[0], token.split(":")[-2], token.split(":")[-1]
    assert reference == "file"
    forged = f"file:{second.pk}:{stamp}:{signature}"
    assert owner_client.get(url(workspace, f"signed/{forged}/")).status_code == 403
    # A kind changed, or one character of the signature.
    other_kind = token.replace("file:", "thumbnail:", 1)
    assert owner_client.get(url(workspace, f"signed/{other_kind}/")).status_code == 403
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert owner_client.get(url(workspace, f"signed/{flipped}/")).status_code == 403
    assert owner_client.get(url(workspace, "signed/not-a-token/")).status_code == 403


def test_another_workspace_cannot_reuse_a_signature(
    owner_client, outsider_client, workspace, other_workspace
):
    item = library.store_bytes(workspace, png(), "logo.png").item
    theirs = library.store_bytes(other_workspace, jpeg(), "rival.jpg").item
    private(workspace)
    private(other_workspace)
    token = addresses.address(workspace, "file", item).rstrip("/").rsplit("/", 1)[-1]
    # At the workspace's own address, the outsider is not a member: nothing.
    assert outsider_client.get(url(workspace, f"signed/{token}/")).status_code == 404
    # At their own workspace's address, the token was not made for it.
    assert outsider_client.get(url(other_workspace, f"signed/{token}/")).status_code == 403
    # Nor can their own token be carried to the other workspace, or onto its files.
    own = addresses.address(other_workspace, "file", theirs).rstrip("/").rsplit("/", 1)[-1]
    assert owner_client.get(url(workspace, f"signed/{own}/")).status_code == 403
    assert outsider_client.get(url(other_workspace, f"signed/{own}/")).status_code == 200


def test_a_shared_file_follows_its_owner_s_setting(workspace, organisation):
    from liant.core.models import Workspace

    sister = Workspace.objects.create(organisation=organisation, name="Sœur", slug="soeur")
    item = library.store_bytes(workspace, png(), "logo.png").item
    item.shared = True
    item.save()
    assert "/signed/" not in addresses.address(sister, "file", item)
    private(workspace)
    address = addresses.address(sister, "file", item)
    assert address.startswith(url(sister, "signed/"))
    token = address.rstrip("/").rsplit("/", 1)[-1]
    assert addresses.read_token(sister, token) == ("file", item.pk)
    with pytest.raises(signed.Refused):
        addresses.read_token(workspace, token)
