"""A form embedded in a plain HTML page on another site is sent from a real browser and
becomes a lead and a member with the consent recorded; without its script too."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from liant.core.models import Organisation, Workspace
from liant.leads import capture
from liant.leads.models import Form, Lead, Purpose
from liant.leads.snippet import snippet
from liant.members.models import Consent, Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = "J'accepte d'être recontacté par Maison Lumière."


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def brand_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The brand's own website: a plain static server on another origin than Liant."""
    server = HTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path
    server.shutdown()
    server.server_close()


@pytest.fixture
def form(live_server, settings, brand_site, monkeypatch) -> Form:
    settings.SITE_URL = live_server.url
    # A person takes seconds; the test waits just over this shorter minimum instead.
    monkeypatch.setattr(capture, "MIN_SECONDS", 1)
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=org, name="Maison Lumière", slug="maison-lumiere"
    )
    return Form.objects.create(
        workspace=workspace,
        name="Contact",
        purpose=Purpose.CONTACT,
        fields=["email", "name", "company"],
        consent_text_fr=CONSENT,
        allowed_origins=brand_site[0],
    )


def brand_page(form: Form, with_script: bool) -> str:
    html = snippet(form, "fr")
    if not with_script:
        html = "\n".join(line for line in html.splitlines() if "<script" not in line)
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}</body></html>"


def fill(page: Any) -> None:
    page.fill("input[name=email]", "Claire@Cafe.example")
    page.fill("input[name=name]", "Claire Martin")
    page.fill("input[name=company]", "Café Claire")
    page.check("input[name=consent]")


def assert_captured(form: Form) -> Lead:
    member = Member.objects.get(workspace=form.workspace, email="claire@cafe.example")
    assert Consent.objects.get(member=member).text == CONSENT
    lead = Lead.objects.get(workspace=form.workspace)
    assert lead.member == member and lead.company == "Café Claire"
    return lead


def test_the_embedded_form_is_sent_in_one_step_with_its_script(page, form, brand_site):
    site, root = brand_site
    (root / "contact.html").write_text(brand_page(form, with_script=True), encoding="utf-8")
    page.goto(f"{site}/contact.html?utm_source=blog&utm_campaign=automne")
    page.wait_for_function("document.querySelector('input[name=ts]').value !== ''")
    fill(page)
    page.wait_for_timeout(1200)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/forms/{form.token}/thanks/")
    lead = assert_captured(form)
    assert (lead.utm_source, lead.utm_campaign) == ("blog", "automne")
    assert lead.submission is not None and lead.submission.origin == site


def test_without_javascript_the_person_confirms_once_on_the_forms_page(page, form, brand_site):
    site, root = brand_site
    (root / "contact.html").write_text(brand_page(form, with_script=False), encoding="utf-8")
    page.goto(f"{site}/contact.html")
    fill(page)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/forms/{form.token}/")
    assert not Lead.objects.exists()
    assert page.locator("input[name=company]").input_value() == "Café Claire"
    page.check("input[name=consent]")
    page.wait_for_timeout(1200)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/forms/{form.token}/thanks/")
    assert_captured(form)
