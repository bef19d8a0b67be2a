"""Consent first: double opt-in from the public form, imports with proof of consent, segments
of consenting members; an unsubscribed address is never subscribed again by an import."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.members.models import Consent, Identity, Member, Segment
from liant.newsletters import subscriptions
from liant.newsletters.models import Subscriber, SubscriberState

pytestmark = pytest.mark.django_db


def signup(client, mailing_list, address="lea@people.example", **extra):
    data = {"email": address, "name": "Léa", "agree": "on", **extra}
    return client.post(f"/newsletters/join/{mailing_list.token}/", data, REMOTE_ADDR="203.0.113.9")


def confirmation_link() -> str:
    match = re.search(r"https?://\S+/newsletters/confirm/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_the_form_shows_the_consent_wording(client, mailing_list):
    response = client.get(f"/newsletters/join/{mailing_list.token}/")
    assert response.status_code == 200
    assert mailing_list.consent_text in response.content.decode()


def test_double_opt_in_records_the_consent_with_its_proof(client, mailing_list):
    response = signup(client, mailing_list)
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.state == SubscriberState.PENDING
    assert not Consent.objects.exists()  # nothing agreed before the link is opened
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lea@people.example"]
    link = confirmation_link()
    # Opening the link (a mail scanner does) confirms nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and b"<form" in page.content
    assert Subscriber.objects.get().state == SubscriberState.PENDING
    client.post(link)
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.SUBSCRIBED
    consent = Consent.objects.get(member=subscriber.member)
    assert consent.purpose == "newsletter" and consent.granted
    assert consent.text == mailing_list.consent_text  # the exact wording shown
    assert consent.ip == "203.0.113.9"
    assert "La Gazette" in consent.source
    # The member is found by the address as the members module keys it.
    assert Identity.objects.get(member=subscriber.member, network="email").key == (
        "lea@people.example"
    )


def test_the_confirmation_link_expires(client, mailing_list, monkeypatch):
    signup(client, mailing_list)
    link = confirmation_link()
    monkeypatch.setattr(subscriptions, "CONFIRM_DAYS", -1)
    assert client.post(link).status_code == 410
    assert Subscriber.objects.get().state == SubscriberState.PENDING


def test_a_forged_confirmation_link_is_refused(client, mailing_list):
    signup(client, mailing_list)
    link = confirmation_link()
    assert client.get(link[:-3] + "xx/").status_code == 404


def test_the_honeypot_subscribes_nobody(client, mailing_list):
    signup(client, mailing_list, website="http://spam.example")
    assert not Subscriber.objects.exists() and not mail.outbox


def test_the_form_answers_the_same_for_a_known_address(client, mailing_list):
    first = signup(client, mailing_list)
    client.post(confirmation_link())
    again = signup(client, mailing_list)
    done = "newsletters/public_signup_done.html"
    assert [t.name for t in first.templates][0] == [t.name for t in again.templates][0] == done
    assert len(mail.outbox) == 1  # an active subscriber is not mailed again


CSV = """email,name,language,consent_date,consent_text
ana@people.example,Ana,fr,2026-03-01,J'accepte de recevoir la Gazette.
bob@people.example,Bob,en,,I agree.
carl@people.example,Carl,en,2026-03-01,
not-an-address,X,fr,2026-03-01,yes
dora@people.example,Dora,en,2026-04-02T10:00:00+02:00,I agree to receive the Gazette.
"""


def test_an_import_needs_a_proof_of_consent_per_row(mailing_list):
    report = subscriptions.import_csv(mailing_list, CSV, "gazette.csv")
    outcome = {r.line: r.outcome for r in report}
    assert outcome == {2: "added", 3: "refused", 4: "refused", 5: "refused", 6: "added"}
    assert "consent" in report[1].reason
    ana = Subscriber.objects.get(email="ana@people.example")
    assert ana.state == SubscriberState.SUBSCRIBED
    consent = Consent.objects.get(member=ana.member)
    assert consent.text == "J'accepte de recevoir la Gazette."
    assert consent.at.date().isoformat() == "2026-03-01"
    assert consent.source == "import: gazette.csv"
    assert not Subscriber.objects.filter(email="bob@people.example").exists()


def test_an_import_without_the_consent_columns_is_refused(mailing_list):
    report = subscriptions.import_csv(mailing_list, "email,name\na@b.example,A\n", "x.csv")
    assert [r.outcome for r in report] == ["refused"]
    assert "consent_date" in report[0].reason
    assert not Subscriber.objects.exists()


def test_an_unsubscribed_address_is_never_resubscribed_by_an_import(mailing_list):
    subscriptions.import_csv(mailing_list, CSV, "gazette.csv")
    ana = Subscriber.objects.get(email="ana@people.example")
    subscriptions.unsubscribe(ana, None, "test")
    report = subscriptions.import_csv(mailing_list, CSV, "gazette-again.csv")
    assert report[0].outcome == "refused"
    ana.refresh_from_db()
    assert ana.state == SubscriberState.UNSUBSCRIBED


def test_a_withdrawn_consent_wins_over_an_import_on_another_list(workspace, mailing_list):
    from liant.members.people import member_for_email
    from liant.newsletters.models import MailingList

    member, _identity = member_for_email(workspace, "ana@people.example")
    Consent.objects.create(member=member, purpose="newsletter", granted=False, text="no")
    other = MailingList.objects.create(workspace=workspace, name="Other")
    report = subscriptions.import_csv(other, CSV, "gazette.csv")
    assert report[0].outcome == "refused"


def test_a_segment_feeds_only_members_who_agreed(workspace, mailing_list):
    yes = Member.objects.create(workspace=workspace, name="Yes", email="yes@people.example")
    no = Member.objects.create(workspace=workspace, name="No", email="no@people.example")
    withdrew = Member.objects.create(workspace=workspace, name="W", email="w@people.example")
    Consent.objects.create(member=yes, purpose="newsletter", granted=True, text="ok")
    Consent.objects.create(
        member=withdrew,
        purpose="newsletter",
        granted=True,
        text="ok",
        at=timezone.now() - timedelta(days=3),
    )
    Consent.objects.create(member=withdrew, purpose="newsletter", granted=False, text="stop")
    mailing_list.segment = Segment.objects.create(workspace=workspace, name="All", filters={})
    mailing_list.save()
    assert subscriptions.sync_segment(mailing_list) == 1
    assert list(Subscriber.objects.values_list("member", flat=True)) == [yes.pk]
    # The one who agreed later unsubscribed: a second sync does not bring them back.
    subscriptions.unsubscribe(Subscriber.objects.get(), None, "test")
    Consent.objects.create(member=yes, purpose="newsletter", granted=True, text="ok")
    assert subscriptions.sync_segment(mailing_list) == 0
    assert Subscriber.objects.get().state == SubscriberState.UNSUBSCRIBED
    assert no.pk not in Subscriber.objects.values_list("member", flat=True)


def test_a_pending_request_forged_for_someone_who_left_does_not_open_the_door_to_imports(
    client, mailing_list
):
    subscriptions.import_csv(mailing_list, CSV, "gazette.csv")
    ana = Subscriber.objects.get(email="ana@people.example")
    subscriptions.unsubscribe(ana, None, "test")
    signup(client, mailing_list, address="ana@people.example")  # never confirmed
    assert Subscriber.objects.get(pk=ana.pk).state == SubscriberState.PENDING
    later = CSV.replace("2026-03-01", "2026-11-01")
    report = subscriptions.import_csv(mailing_list, later, "again.csv")
    assert report[0].outcome == "refused"


def test_the_form_cannot_flood_a_mailbox(client, mailing_list):
    for _n in range(3):
        signup(client, mailing_list, address="victim@people.example")
    assert len(mail.outbox) == 1  # one confirmation per address per 10 minutes
    for n in range(subscriptions.PER_IP_PER_HOUR + 3):
        signup(client, mailing_list, address=f"v{n}@people.example")
    assert len(mail.outbox) == subscriptions.PER_IP_PER_HOUR  # then nothing from this IP
