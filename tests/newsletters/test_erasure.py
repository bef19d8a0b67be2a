"""GDPR: a member's subscriptions and the newsletters sent to them are in their export, and
their erasure leaves no row naming them while the campaign keeps its figures."""

from __future__ import annotations

import pytest

from liant.members import gdpr
from liant.newsletters import sending, stats
from liant.newsletters.models import Send, Subscriber, SubscriberState
from tests.newsletters.conftest import subscribe

pytestmark = pytest.mark.django_db


def test_export_and_erasure(campaign, mailing_list, sending_settings, outbox):
    subscribe(mailing_list, 3)
    Subscriber.objects.filter(email="p1@people.example").update(requested_ip="203.0.113.7")
    sending.start(campaign)
    sending.send_due(campaign.pk)
    member = Subscriber.objects.get(email="p1@people.example").member
    sections = {s.key: s for s in gdpr.collect(member)}
    assert sections["newsletter_subscriptions"].rows[0]["email"] == "p1@people.example"
    assert sections["newsletter_subscriptions"].rows[0]["ip"] == "203.0.113.7"
    assert sections["newsletters_sent"].rows[0]["campaign__name"] == "November"
    assert len(sections["newsletters_sent"].rows) == 1  # nobody else's

    before = stats.of(campaign)
    gdpr.erase(member)
    assert not Subscriber.objects.filter(email="p1@people.example").exists()
    assert not Send.objects.filter(email="p1@people.example").exists()
    subscriber = Subscriber.objects.get(member=member)
    assert subscriber.state == SubscriberState.UNSUBSCRIBED and subscriber.requested_ip is None
    assert stats.of(campaign) == before  # the figures stay
    assert Send.objects.filter(email="p0@people.example").exists()  # others untouched
