"""Theming: a logo checked like the media library's images, two colours kept readable, given
to every public page as CSS custom properties — and nothing typed reaches the CSS as typed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from liant.space.models import Space
from liant.space.posting import open_channel, space_of
from liant.space.theme import (
    contrast,
    darker_until_readable,
    ink_for,
    normalise,
    readable_on_light,
    theme_of,
)
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


def staff(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/space/{rest}"


def png(size=(64, 32), colour=(29, 53, 87)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def post_theme(client, workspace, **fields):
    data = {f"theme-{k}": v for k, v in fields.items() if k != "upload"}
    if "upload" in fields:
        data["theme-upload"] = fields["upload"]
    return client.post(staff(workspace, "theme/"), data)


def test_contrast_follows_wcag():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic just-failing grey
    assert ink_for("#ffff00") == "#000000" and ink_for("#1d3557") == "#ffffff"
    # Whatever the background, the chosen ink reaches AA.
    for colour in ("#ffff00", "#777777", "#808080", "#00ff00", "#ff0000", "#0000ff", "#1d3557"):
        assert contrast(colour, ink_for(colour)) >= 4.5
    assert not readable_on_light("#ffcc00")
    darker = darker_until_readable("#ffcc00")
    assert readable_on_light(darker) and darker != "#ffcc00"
    assert normalise("#ABC") == "#aabbcc" and normalise("8A4B14") == "#8a4b14"
    assert normalise("red") == "" and normalise("#12345g") == ""


def test_colours_are_saved_normalised_and_given_to_every_public_page(
    member_client, workspace, space, recipes
):
    response = post_theme(member_client, workspace, primary_color="#FFFF00", accent_color="1D3557")
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.primary_color, space.accent_color) == ("#ffff00", "#1d3557")
    for rest in ("", f"c/{recipes.pk}/", "join/", "signin/", "search/?q=x", "animation/"):
        page = Client().get(url(space, rest)).content.decode()
        # A light band gets black text; the dark accent white text on buttons.
        assert "--space-primary:#ffff00;--space-primary-ink:#000000" in page, rest
        assert "--accent:#1d3557;--accent-ink:#ffffff" in page, rest


def test_an_unreadable_accent_is_refused_with_a_darker_suggestion(member_client, workspace, space):
    response = post_theme(member_client, workspace, primary_color="", accent_color="#ffcc00")
    space.refresh_from_db()
    assert space.accent_color == ""
    follow = member_client.get(response.url).content.decode()
    assert "#ffcc00 is too light" in follow and darker_until_readable("#ffcc00") in follow
    post_theme(member_client, workspace, primary_color="", accent_color="not a colour")
    space.refresh_from_db()
    assert space.accent_color == ""


def test_nothing_but_a_clean_hex_value_reaches_the_css(space, recipes):
    # Written around the form (an import, the admin, a bug): the page still refuses it. The
    # column holds 7 characters, enough to close the rule and start another one.
    Space.objects.filter(pk=space.pk).update(primary_color="#0;}*{x", accent_color="red;b:1")
    page = Client().get(url(space)).content.decode()
    assert "#0;}*{x" not in page and "red;b:1" not in page
    assert (
        "--space-primary"
        not in page.split("</style>")[0].split("<style>")[1].split(".space-bar")[0]
    )
    # A stored but no longer readable accent is dropped rather than shown.
    Space.objects.filter(pk=space.pk).update(primary_color="", accent_color="#ffff00")
    space.refresh_from_db()
    assert theme_of(space).accent == ""


def test_a_logo_is_checked_cleaned_and_served_publicly(member_client, workspace, space):
    upload = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert post_theme(member_client, workspace, upload=upload).status_code == 302
    space.refresh_from_db()
    assert space.logo and space.logo_type == "image/png"
    home = Client().get(url(space)).content.decode()
    assert 'class="space-logo"' in home and f"/space/{space.slug}/logo/?v=" in home
    served = Client().get(url(space, "logo/"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'"
    assert Image.open(io.BytesIO(served.content)).size == (64, 32)
    # Removing it.
    post_theme(member_client, workspace, remove_logo="on")
    space.refresh_from_db()
    assert not space.logo
    assert Client().get(url(space, "logo/")).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG",
        ),
        ("logo.png", b"not an image at all", "is not a JPEG, PNG, GIF or WebP"),
        ("logo.png", png()[:60], "damaged"),
    ],
)
def test_a_logo_that_is_no_clean_image_is_refused(
    member_client, workspace, space, name, data, words
):
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = post_theme(member_client, workspace, upload=upload)
    space.refresh_from_db()
    assert not space.logo
    assert words in member_client.get(response.url).content.decode()


def test_a_logo_too_large_is_refused(member_client, workspace, space, settings):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 2_100_000, content_type="image/png")
    response = post_theme(member_client, workspace, upload=big)
    space.refresh_from_db()
    assert not space.logo and "too large" in member_client.get(response.url).content.decode()


def test_outsiders_and_other_spaces_get_nothing(
    outsider_client, member_client, workspace, other_workspace, space, outsider
):
    # Another workspace's owner cannot change this space's look.
    response = post_theme(outsider_client, workspace, primary_color="#000000", accent_color="")
    assert response.status_code in (403, 404)
    space.refresh_from_db()
    assert space.primary_color == ""
    # Their own space has its own look; this one's logo and colours never show there.
    post_theme(
        member_client,
        workspace,
        primary_color="#1d3557",
        upload=SimpleUploadedFile("l.png", png(), content_type="image/png"),
    )
    rival = space_of(other_workspace)
    rival.enabled, rival.title = True, "Rival"
    rival.save()
    open_channel(rival)
    page = Client().get(f"/space/{other_workspace.slug}/").content.decode()
    assert "--space-primary:#1d3557" not in page, [x for x in page.splitlines() if "1d3557" in x]
    assert 'class="space-logo"' not in page
    assert Client().get(f"/space/{other_workspace.slug}/logo/").status_code == 404
    # A closed space's logo is not served.
    Space.objects.filter(pk=space.pk).update(enabled=False)
    assert Client().get(url(space, "logo/")).status_code == 404
