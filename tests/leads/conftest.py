"""Leads fixtures: a contact form, and a stamp the time-to-submit check accepts."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from liant.leads import capture
from liant.leads.models import Form, Purpose
from tests.browser.conftest import browser, page  # noqa: F401 - the browser test's fixtures


def old_stamp(seconds: int = 30) -> str:
    """A page served `seconds` ago, signed as the server signs it."""
    served = str(int(timezone.now().timestamp()) - seconds)
    return signing.TimestampSigner(salt=capture.STAMP_SALT).sign(served)


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def contact_form(workspace) -> Form:
    return Form.objects.create(
        workspace=workspace,
        name="Contact",
        purpose=Purpose.LEAD,
        fields=["email", "name", "company", "message"],
        custom_labels=["Nombre de machines"],
        consent_text_fr="J'accepte d'être recontacté par Maison Lumière.",
        consent_text_en="I agree to be contacted by Maison Lumière.",
        allowed_origins="https://www.maison-lumiere.example",
        campaign="salon-2026",
    )


def post_data(**extra: str) -> dict[str, str]:
    data = {
        "email": "Claire@Cafe.example",
        "name": "Claire Martin",
        "company": "Café Claire",
        "message": "Bonjour, nous cherchons un torréfacteur.",
        "custom_1": "3",
        "consent": "yes",
        "website": "",
        "ts": old_stamp(),
        "lang": "fr",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "automne",
    }
    data.update(extra)
    return data
