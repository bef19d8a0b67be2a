"""Each recipient's copy, built from parts encoded once: the same bytes a reader decodes as
if the whole body were encoded per copy, lines within RFC 2045's limit, and unsubscribe
tokens identical to Django's signing.dumps."""

from __future__ import annotations

import binascii
import email
import email.policy

import pytest
from django.core import signing

from liant.newsletters import rendering
from liant.newsletters.rendering import PLACEHOLDER, TRACKING_TOKEN, _EncodedPart

LINK = "https://liant.example/newsletters/u/WzEyLDM0XQ:1tAbCd:" + "x" * 90 + "/"
BODIES = [
    f"Bonjour {PLACEHOLDER} fin",
    f"{PLACEHOLDER}",
    "Café " * 40 + PLACEHOLDER + " après " + "é" * 30 + "\n" + PLACEHOLDER + "\n",
    "x" * 74 + PLACEHOLDER + "y" * 200,
    "x" * 73 + "é" + PLACEHOLDER + "é" * 80,
    "trailing space  \n" + PLACEHOLDER + "  \n.dot at line start\n",
    f'<a href="https://brand.example/?t={TRACKING_TOKEN}">x</a>{"<p>y</p>" * 30}'
    f'<a href="{PLACEHOLDER}">stop</a>',
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("link", [LINK, ""])
def test_a_copy_decodes_to_the_body_with_its_own_values(body, link):
    part = _EncodedPart("html", body, tracked=TRACKING_TOKEN in body)
    values = {PLACEHOLDER: link or PLACEHOLDER, TRACKING_TOKEN: "tok123"}
    encoded = part.encode(values)
    expected = body.replace(PLACEHOLDER, link or PLACEHOLDER)
    if TRACKING_TOKEN in body:
        expected = expected.replace(TRACKING_TOKEN, "tok123")
    assert binascii.a2b_qp(encoded.replace(b"\r\n", b"\n")).decode() == expected
    assert max(len(line) for line in encoded.split(b"\r\n")) <= 76
    assert b"\n" not in encoded.replace(b"\r\n", b"")


def test_a_value_that_is_not_plain_ascii_takes_the_slow_path():
    part = _EncodedPart("plain", f"a {PLACEHOLDER} b", tracked=False)
    encoded = part.encode({PLACEHOLDER: "https://exemple.fr/désinscription=1"})
    decoded = binascii.a2b_qp(encoded.replace(b"\r\n", b"\n")).decode()
    assert decoded == "a https://exemple.fr/désinscription=1 b"


def test_the_fast_token_is_the_one_django_makes_and_reads(settings):
    signer = rendering.unsubscribe_signer()
    for subscriber, send in [(1, 0), (12, 345), (987654321, 123456789)]:
        token = signer.token(subscriber, send)
        assert token == signing.dumps(
            [subscriber, send], salt=rendering.UNSUBSCRIBE_SALT, compress=True
        )
        assert rendering.read_unsubscribe_token(token) == (subscriber, send or None)
    settings.SECRET_KEY = "another-key-" + "k" * 40
    assert rendering.unsubscribe_signer().token(1, 2) == signing.dumps(
        [1, 2], salt=rendering.UNSUBSCRIBE_SALT, compress=True
    )


@pytest.mark.django_db
def test_a_whole_copy_parses_back(campaign):
    rendered = rendering.render(campaign, "fr", PLACEHOLDER)
    template = rendering.MessageTemplate(campaign, rendered, "brand.example")
    raw = template.render("p1@people.example", "tok", LINK)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert LINK in html and LINK in text and PLACEHOLDER not in html + text
    assert "café de saison" in html
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
