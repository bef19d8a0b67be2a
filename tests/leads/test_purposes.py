"""A leads form whose purpose is a newsletter sign-up, a contest entry or an event
registration joins the list (through its double opt-in), the contest or the event; the staff
form offers only the workspace's own lists, contests and events."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.animation.models import Contest, Entry, Meetup, Rsvp
from liant.leads.models import Form, Lead, Purpose, Submission
from liant.members.models import Consent
from liant.newsletters.models import MailingList, Subscriber, SubscriberState
from tests.leads.conftest import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailing_list(workspace) -> MailingList:
    return MailingList.objects.create(workspace=workspace, name="La Gazette")


@pytest.fixture
def signup_form(workspace, mailing_list) -> Form:
    return Form.objects.create(
        workspace=workspace,
        name="Gazette sidebar",
        purpose=Purpose.NEWSLETTER,
        mailing_list=mailing_list,
        fields=["email", "name"],
        consent_text_fr="J'accepte de recevoir La Gazette par e-mail.",
        consent_text_en="I agree to receive La Gazette by e-mail.",
    )


def confirmation_link() -> str:
    match = re.search(r"https?://\S+/newsletters/confirm/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_newsletter_sign_up_goes_through_the_double_opt_in(client, signup_form):
    response = client.post(f"/forms/{signup_form.token}/", post_data(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "confirm" in thanks
    subscriber = Subscriber.objects.get()
    assert subscriber.state == SubscriberState.PENDING and subscriber.email == "claire@cafe.example"
    assert not Consent.objects.exists()  # nothing agreed before the link is confirmed
    assert Submission.objects.filter(form=signup_form).count() == 1
    assert not Lead.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["claire@cafe.example"]

    client.post(confirmation_link())
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.SUBSCRIBED
    consent = Consent.objects.get(member=subscriber.member)
    assert consent.purpose == "newsletter" and consent.granted
    assert consent.text == "J'accepte de recevoir La Gazette par e-mail."  # the words shown
    assert consent.source == "form: Gazette sidebar"
    assert consent.ip == "203.0.113.7"
    assert subscriber.requested_at is not None and consent.at >= subscriber.requested_at


def test_a_sign_up_form_without_a_list_takes_nobody(client, signup_form):
    signup_form.mailing_list = None
    signup_form.save()
    response = client.post(f"/forms/{signup_form.token}/", post_data())
    assert response.status_code == 409
    assert not Submission.objects.exists() and not mail.outbox


def test_a_contest_entry(client, workspace, contact_form):
    contest = Contest.objects.create(workspace=workspace, title="Un an de café", rules="Règlement")
    contact_form.purpose, contact_form.contest = Purpose.CONTEST, contest
    contact_form.save()
    assert client.post(f"/forms/{contact_form.token}/", post_data()).status_code == 302
    entry = Entry.objects.get(contest=contest)
    assert entry.member.email == "claire@cafe.example" and entry.source == Entry.Source.FORM
    consent = Consent.objects.get(member=entry.member)
    assert consent.purpose == Consent.Purpose.CONTEST_RULES and consent.granted
    assert not Lead.objects.exists()
    # Closed: the person is told, nothing is stored.
    Contest.objects.filter(pk=contest.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/forms/{contact_form.token}/", post_data(email="b@cafe.example"))
    assert response.status_code == 409 and Entry.objects.count() == 1


def test_an_event_registration_answers_the_meetup(client, workspace, contact_form):
    meetup = Meetup.objects.create(
        workspace=workspace, title="Dégustation", starts_at=timezone.now() + timedelta(days=3)
    )
    contact_form.purpose, contact_form.meetup = Purpose.EVENT, meetup
    contact_form.save()
    client.post(f"/forms/{contact_form.token}/", post_data())
    rsvp = Rsvp.objects.get(meetup=meetup)
    assert rsvp.email == "claire@cafe.example" and rsvp.status == Rsvp.Status.GOING
    assert not Lead.objects.exists()


def test_the_staff_form_offers_only_the_workspace_s_lists(
    workspace, other_workspace, owner_client, outsider_client, mailing_list
):
    theirs = MailingList.objects.create(workspace=other_workspace, name="Theirs")
    page = owner_client.get(f"/w/{workspace.slug}/leads/forms/new/")
    body = page.content.decode()
    assert page.status_code == 200 and "La Gazette" in body and "Theirs" not in body
    data = {
        "name": "Sign-up",
        "purpose": "newsletter",
        "mailing_list": theirs.pk,
        "consent_text_fr": "Oui",
        "fields_asked": ["name"],
    }
    owner_client.post(f"/w/{workspace.slug}/leads/forms/new/", data)
    assert not Form.objects.filter(name="Sign-up").exists()
    data["mailing_list"] = mailing_list.pk
    del data["consent_text_fr"]
    owner_client.post(f"/w/{workspace.slug}/leads/forms/new/", data)
    assert not Form.objects.filter(name="Sign-up").exists()  # no consent text, no sign-up
    data["consent_text_fr"] = "Oui"
    owner_client.post(f"/w/{workspace.slug}/leads/forms/new/", data)
    assert Form.objects.get(name="Sign-up").mailing_list == mailing_list
    assert outsider_client.get(f"/w/{workspace.slug}/leads/forms/new/").status_code == 404
