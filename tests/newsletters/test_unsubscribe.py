"""RFC 8058 one-click unsubscribe: a POST without session or CSRF token takes effect at once;
GET only shows a button (link scanners open every URL of a message)."""

from __future__ import annotations

import pytest
from django.test import Client

from liant.members.models import Consent
from liant.newsletters import rendering, sending
from liant.newsletters.models import Send, Subscriber, SubscriberState
from tests.newsletters.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(campaign, mailing_list) -> Send:
    subscribe(mailing_list, 2)
    sending.start(campaign)
    return Send.objects.get(email="p1@people.example")


def url(row: Send) -> str:
    return f"/newsletters/u/{rendering.unsubscribe_token(row.subscriber_id, row.pk)}/"


def test_get_shows_a_button_and_changes_nothing(row):
    response = Client().get(url(row))
    assert response.status_code == 200
    assert b"<form" in response.content and b"p1@people.example" in response.content
    assert b"p0@people.example" not in response.content  # nobody else's data
    assert Subscriber.objects.get(pk=row.subscriber_id).state == SubscriberState.SUBSCRIBED


def test_one_click_post_unsubscribes_without_login_or_csrf(row):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url(row),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber = Subscriber.objects.get(pk=row.subscriber_id)
    assert subscriber.state == SubscriberState.UNSUBSCRIBED
    consent = Consent.objects.get(member=subscriber.member)
    assert not consent.granted and consent.purpose == "newsletter"
    assert "one-click" in consent.source
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
    # Twice (a provider retries): still one withdrawal.
    client.post(url(row), {"List-Unsubscribe": "One-Click"})
    assert Consent.objects.filter(member=subscriber.member).count() == 1


def test_the_button_of_the_page_unsubscribes_too(row):
    response = Client(enforce_csrf_checks=True).post(url(row))
    assert response.status_code == 200 and b"unsubscribed" in response.content.lower()
    assert Subscriber.objects.get(pk=row.subscriber_id).state == SubscriberState.UNSUBSCRIBED


def test_a_forged_token_is_refused(row):
    assert Client().post(url(row)[:-4] + "AAA/").status_code == 404
    assert Client().get("/newsletters/u/1:2/").status_code == 404
