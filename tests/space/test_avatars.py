"""Members' pictures: an upload is re-drawn from its pixels (square, 256 px, WebP, no
metadata), anything else is refused with a reason, only the account changes its own, and an
erasure deletes the file."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from liant.members import gdpr
from liant.space import accounts, avatars
from liant.space.models import Post, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def photo(width: int = 400, height: int = 200, fmt: str = "JPEG", orientation: int = 0) -> bytes:
    """A real image: left half red, right half blue, with camera metadata in JPEG."""
    image = Image.new("RGB", (width, height), "red")
    image.paste(Image.new("RGB", (width // 2, height), "blue"), (width // 2, 0))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        exif[0x0131] = "Secret software"
        if orientation:
            exif[ORIENTATION] = orientation
        image.save(out, "JPEG", exif=exif.tobytes(), comment=b"my home address")
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(client: Client, space, data: bytes, name: str = "me.jpg", **extra):
    values = {
        "display_name": "Alice",
        "bio": "",
        "language": "en",
        "email_notifications": "daily",
        "picture": SimpleUploadedFile(name, data, content_type="image/png"),
        **extra,
    }
    return client.post(url(space, "me/"), values)


def in_english(account: SpaceAccount) -> None:
    """The page answers in the account's language: these tests read the English messages."""
    SpaceAccount.objects.filter(pk=account.pk).update(language="en")


def stored(account: SpaceAccount) -> Image.Image:
    account.refresh_from_db()
    assert account.avatar
    with default_storage.open(account.avatar.name, "rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_a_jpeg_photo_is_redrawn_square_without_metadata(space, alice_client, alice):
    original = photo(orientation=0)
    assert b"CameraMaker" in original and b"my home address" in original
    response = upload(alice_client, space, original)
    assert response.status_code == 302
    image = stored(alice)
    assert (image.format, image.size) == ("WEBP", (256, 256))
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    with default_storage.open(alice.avatar.name, "rb") as handle:
        data = handle.read()
    assert b"CameraMaker" not in data and b"my home address" not in data
    assert b"Secret software" not in data
    # Centre-cropped: the left edge is red, the right edge blue.
    rgb = image.convert("RGB")
    red, blue = rgb.getpixel((5, 128)), rgb.getpixel((250, 128))
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60
    # Served to anyone from the space's address, with its version in the query.
    page = Client().get(url(space, f"u/{alice.pk}/")).content.decode()
    src = f"/space/{space.slug}/u/{alice.pk}/avatar/?v={avatars.version(alice)}"
    assert f'src="{src}"' in page and 'width="96" height="96"' in page
    assert 'loading="lazy"' in page and 'alt="' in page
    served = Client().get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served) == data


def test_the_exif_orientation_is_applied_before_cropping(space, alice_client, alice):
    # Stored landscape (left red, right blue) but "rotate 90° clockwise" (orientation 6):
    # upright it is portrait, red on top, blue at the bottom.
    assert upload(alice_client, space, photo(orientation=6)).status_code == 302
    rgb = stored(alice).convert("RGB")
    top, bottom = rgb.getpixel((128, 5)), rgb.getpixel((128, 250))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_a_png_with_transparency_is_accepted(space, alice_client, alice):
    image = Image.new("RGBA", (300, 500), (0, 128, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert upload(alice_client, space, out.getvalue(), name="logo.png").status_code == 302
    result = stored(alice)
    assert result.size == (256, 256) and result.mode == "RGBA"


def test_a_text_file_named_png_is_refused_and_nothing_changes(space, alice_client, alice):
    in_english(alice)
    response = upload(
        alice_client, space, b"just some text, not an image\n" * 20, name="me.png", bio="Moka"
    )
    assert response.status_code == 200
    assert "me.png is not a JPEG, PNG, GIF or WebP image." in response.content.decode()
    alice.refresh_from_db()
    assert not alice.avatar and alice.bio == ""  # nothing stored half


def test_a_file_above_two_megabytes_is_refused(space, alice_client, alice):
    in_english(alice)
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > avatars.MAX_BYTES
    response = upload(alice_client, space, out.getvalue(), name="big.png")
    assert response.status_code == 200
    assert "big.png is too large" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.avatar


def bomb() -> bytes:
    """A tiny PNG whose header says 30,000 × 30,000 pixels (900 megapixels once opened)."""
    out = io.BytesIO()
    Image.new("L", (10, 10)).save(out, "PNG")
    data = bytearray(out.getvalue())
    start = data.index(b"IHDR")
    data[start + 4 : start + 12] = struct.pack(">II", 30_000, 30_000)
    crc = zlib.crc32(bytes(data[start : start + 17])) & 0xFFFFFFFF
    data[start + 17 : start + 21] = struct.pack(">I", crc)
    return bytes(data)


def test_a_decompression_bomb_is_refused(space, alice_client, alice):
    in_english(alice)
    data = bomb()
    assert len(data) < 1000
    response = upload(alice_client, space, data, name="bomb.png")
    assert response.status_code == 200
    assert "bomb.png would take more than" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.avatar


def test_the_member_removes_the_picture_and_initials_come_back(space, alice_client, alice):
    form = alice_client.get(url(space, "me/")).content.decode()
    assert 'enctype="multipart/form-data"' in form and "csrfmiddlewaretoken" in form
    assert 'type="file" name="picture"' in form and 'name="remove_picture"' not in form
    # The form works without JavaScript and refuses a post without the CSRF token.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = alice_client.cookies
    assert upload(strict, space, photo()).status_code == 403
    assert upload(alice_client, space, photo()).status_code == 302
    assert 'name="remove_picture"' in alice_client.get(url(space, "me/")).content.decode()
    alice.refresh_from_db()
    name = alice.avatar.name
    assert default_storage.exists(name)
    # A new picture replaces the file of the old one.
    assert upload(alice_client, space, photo(fmt="PNG"), name="b.png").status_code == 302
    alice.refresh_from_db()
    assert alice.avatar.name != name and not default_storage.exists(name)
    name = alice.avatar.name
    response = alice_client.post(
        url(space, "me/"),
        {
            "display_name": "Alice",
            "bio": "",
            "language": "fr",
            "email_notifications": "daily",
            "remove_picture": "on",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.avatar and not default_storage.exists(name)
    page = Client().get(url(space, f"u/{alice.pk}/")).content.decode()
    assert '<span class="avatar" aria-hidden="true">A</span>' in page
    assert Client().get(url(space, f"u/{alice.pk}/avatar/")).status_code == 404


def test_the_picture_shows_next_to_the_name_on_topics_and_replies(
    space, recipes, alice_client, alice
):
    assert upload(alice_client, space, photo()).status_code == 302
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Moka", "body": "Avis ?"})
    topic = Topic.objects.get()
    src = f"/space/{space.slug}/u/{alice.pk}/avatar/"
    for path in (f"t/{topic.pk}/", f"c/{recipes.pk}/"):
        page = Client().get(url(space, path)).content.decode()
        assert f'src="{src}?v=' in page and 'loading="lazy"' in page, path
    assert 'width="32" height="32"' in Client().get(url(space, f"t/{topic.pk}/")).content.decode()


def test_only_the_account_changes_its_picture(space, alice_client, alice):
    assert upload(alice_client, space, photo()).status_code == 302
    alice.refresh_from_db()
    mine = alice.avatar.name
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob_account = SpaceAccount.objects.get(email="bob@example.org")
    # Bob's form changes Bob: there is no way to name another account.
    assert upload(bob, space, photo(fmt="PNG"), name="b.png", display_name="Bob").status_code == 302
    alice.refresh_from_db()
    bob_account.refresh_from_db()
    assert alice.avatar.name == mine and bob_account.avatar and bob_account.avatar.name != mine
    # A visitor is sent to sign in, and nothing is stored.
    assert upload(Client(), space, photo()).status_code == 302
    assert SpaceAccount.objects.exclude(avatar="").count() == 2
    # A muted account cannot change its picture.
    SpaceAccount.objects.filter(pk=alice.pk).update(muted_at="2026-01-01T00:00:00Z")
    upload(alice_client, space, photo(fmt="PNG"), name="c.png")
    alice.refresh_from_db()
    assert alice.avatar.name == mine


def test_another_workspace_gets_nothing(space, alice_client, alice, other_workspace):
    assert upload(alice_client, space, photo()).status_code == 302
    other = space_of(other_workspace)
    other.enabled, other.title = True, "Ailleurs"
    other.save()
    open_channel(other)
    # Alice's id under the other space's address: not found.
    assert Client().get(f"/space/{other.slug}/u/{alice.pk}/avatar/").status_code == 404
    # Signed in to the other space, a visitor here: the form sends to sign in.
    stranger = Client()
    join(stranger, other, "eve@example.org", "Eve")
    assert upload(stranger, space, photo(fmt="PNG"), name="e.png").status_code == 302
    alice.refresh_from_db()
    assert SpaceAccount.objects.exclude(avatar="").get() == alice
    # A closed space serves no picture.
    space.enabled = False
    space.save()
    assert Client().get(url(space, f"u/{alice.pk}/avatar/")).status_code == 404


def test_a_banned_account_shows_no_picture(space, alice_client, alice):
    assert upload(alice_client, space, photo()).status_code == 302
    SpaceAccount.objects.filter(pk=alice.pk).update(banned_at="2026-01-01T00:00:00Z")
    assert Client().get(url(space, f"u/{alice.pk}/avatar/")).status_code == 404
    page = Client().get(url(space, f"u/{alice.pk}/")).content.decode()
    assert "/avatar/" not in page


def test_erasure_deletes_the_picture_file(space, recipes, alice_client, alice):
    assert upload(alice_client, space, photo()).status_code == 302
    alice.refresh_from_db()
    name = alice.avatar.name
    assert default_storage.exists(name)
    Post.objects.create(
        topic=Topic.objects.create(category=recipes, author=alice, title="T"),
        author=alice,
        body="x",
    )
    member = accounts.link_member(alice)
    sections = {s.key: s for s in gdpr.collect(member)}
    assert sections["space_accounts"].rows[0]["avatar"] == name
    result = gdpr.erase(member)
    assert result["space_pictures"] == 1
    alice.refresh_from_db()
    assert not alice.avatar and not default_storage.exists(name)
    assert Client().get(url(space, f"u/{alice.pk}/avatar/")).status_code == 404
