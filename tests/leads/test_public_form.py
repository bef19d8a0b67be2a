"""The public form: what it creates, and the robots it keeps out without a CSRF token."""

from __future__ import annotations

import pytest
from django.core import signing
from django.utils import timezone

from liant.leads import capture
from liant.leads.models import Lead, Purpose, Submission
from liant.members.models import Consent, Member
from tests.leads.conftest import post_data

pytestmark = pytest.mark.django_db

EMBEDDER = "https://www.maison-lumiere.example"


def url(form) -> str:
    return f"/forms/{form.token}/"


def test_the_form_has_its_own_page_with_the_consent_text_and_landing_utm(client, contact_form):
    page = client.get(url(contact_form) + "?utm_source=insta&lang=fr")
    body = page.content.decode()
    assert page.status_code == 200
    assert "J&#x27;accepte d&#x27;être recontacté" in body
    assert 'name="utm_source" value="insta"' in body
    assert 'name="website"' in body and 'name="ts"' in body
    assert "Nombre de machines" in body


def test_a_submission_creates_a_member_a_consent_a_submission_and_a_lead(client, contact_form):
    response = client.post(url(contact_form), post_data(), HTTP_ORIGIN=EMBEDDER)
    assert response.status_code == 302
    assert response["Location"] == f"/forms/{contact_form.token}/thanks/"
    member = Member.objects.get(workspace=contact_form.workspace, email="claire@cafe.example")
    assert member.name == "Claire Martin"
    consent = Consent.objects.get(member=member)
    assert consent.purpose == Consent.Purpose.CONTACT and consent.granted
    assert consent.text == "J'accepte d'être recontacté par Maison Lumière."
    assert consent.ip == "127.0.0.1"
    submission = Submission.objects.get(form=contact_form)
    assert submission.data["custom_1"] == "3" and submission.origin == EMBEDDER
    lead = Lead.objects.get(workspace=contact_form.workspace)
    assert lead.member == member and lead.stage == "new"
    assert lead.company == "Café Claire" and lead.campaign == "salon-2026"
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == (
        "newsletter",
        "email",
        "automne",
    )


def test_the_english_consent_text_is_recorded_for_an_english_visitor(client, contact_form):
    client.post(url(contact_form), post_data(lang="en"))
    assert Consent.objects.get().text == "I agree to be contacted by Maison Lumière."


def test_a_second_submission_finds_the_same_member(client, contact_form):
    client.post(url(contact_form), post_data())
    client.post(url(contact_form), post_data(email="claire@cafe.example"))
    assert Member.objects.filter(workspace=contact_form.workspace).count() == 1
    assert Lead.objects.count() == 2


def test_an_event_registration_creates_no_lead(client, contact_form):
    contact_form.purpose = Purpose.EVENT
    contact_form.save()
    client.post(url(contact_form), post_data())
    assert Submission.objects.count() == 1 and not Lead.objects.exists()


def test_the_honeypot_filled_is_thanked_but_nothing_is_stored(client, contact_form):
    response = client.post(url(contact_form), post_data(website="http://spam.example"))
    assert response.status_code == 302  # a robot learns nothing
    assert not Submission.objects.exists() and not Member.objects.exists()


def test_a_submit_faster_than_a_person_is_refused(client, contact_form):
    fresh = capture.stamp()  # served just now
    response = client.post(url(contact_form), post_data(ts=fresh))
    assert response.status_code == 400
    assert not Lead.objects.exists()
    # The person sees their values again and can send once more.
    assert "Café Claire" in response.content.decode()


def test_a_forged_or_missing_stamp_is_refused(client, contact_form):
    forged = str(int(timezone.now().timestamp()) - 60) + ":abc:def"
    assert client.post(url(contact_form), post_data(ts=forged)).status_code == 400
    assert client.post(url(contact_form), post_data(ts="")).status_code == 400
    assert not Lead.objects.exists()


def test_a_stamp_older_than_a_day_is_refused(client, contact_form, monkeypatch):
    old = signing.TimestampSigner(salt=capture.STAMP_SALT).sign("1")
    monkeypatch.setattr(capture, "MAX_AGE_SECONDS", -1)
    assert client.post(url(contact_form), post_data(ts=old)).status_code == 400


def test_a_foreign_origin_is_refused(client, contact_form):
    response = client.post(url(contact_form), post_data(), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    response = client.post(url(contact_form), post_data(), HTTP_REFERER="https://evil.example/page")
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_the_forms_own_page_is_an_allowed_origin(client, contact_form):
    response = client.post(url(contact_form), post_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302 and Lead.objects.count() == 1


def test_without_an_allowed_list_any_site_may_embed(client, contact_form):
    contact_form.allowed_origins = ""
    contact_form.save()
    response = client.post(url(contact_form), post_data(), HTTP_ORIGIN="https://other.example")
    assert response.status_code == 302


def test_too_many_posts_from_one_address_are_refused(client, contact_form):
    for _n in range(capture.PER_IP_PER_HOUR):
        assert client.post(url(contact_form), post_data()).status_code == 302
    response = client.post(url(contact_form), post_data())
    assert response.status_code == 429
    assert Lead.objects.count() == capture.PER_IP_PER_HOUR
    # Another address is not punished for the first one.
    other = client.post(url(contact_form), post_data(), REMOTE_ADDR="198.51.100.4")
    assert other.status_code == 302


def test_consent_must_be_ticked_and_the_address_valid(client, contact_form):
    data = post_data(email="not-an-address")
    del data["consent"]
    response = client.post(url(contact_form), data)
    assert response.status_code == 400
    assert not Member.objects.exists()


def test_the_configured_address_after_sending_is_used(client, contact_form):
    contact_form.redirect_url = "https://www.maison-lumiere.example/merci"
    contact_form.save()
    response = client.post(url(contact_form), post_data())
    assert response["Location"] == "https://www.maison-lumiere.example/merci"


def test_a_non_http_address_after_sending_is_never_followed(client, contact_form):
    contact_form.redirect_url = "javascript:alert(1)"
    contact_form.save()
    response = client.post(url(contact_form), post_data())
    assert response["Location"] == f"/forms/{contact_form.token}/thanks/"


def test_the_embed_script_carries_a_fresh_signed_stamp(client, contact_form):
    response = client.get(f"/forms/{contact_form.token}/embed.js")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "utm_campaign" in response.content.decode()


def test_an_unknown_token_is_a_404(client):
    assert client.get("/forms/nope/").status_code == 404
    assert client.post("/forms/nope/", post_data()).status_code == 404


def test_the_lead_page_shows_what_was_sent_under_the_forms_labels(
    client, owner_client, contact_form
):
    client.post(url(contact_form), post_data())
    lead = Lead.objects.get()
    page = owner_client.get(f"/w/{contact_form.workspace.slug}/leads/{lead.pk}/").content.decode()
    assert "Nombre de machines" in page and "custom_1" not in page
