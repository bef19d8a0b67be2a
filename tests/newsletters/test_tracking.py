"""Opens and clicks: off by default (no pixel, links untouched); when switched on, counted
per recipient and per link, and the click counter redirects only to the campaign's links."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from django.test import Client

from liant.newsletters import sending, stats
from liant.newsletters.models import Click, Send
from tests.newsletters.conftest import subscribe

pytestmark = pytest.mark.django_db


def html_of(envelope) -> str:
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    return message.get_body(("html",)).get_content()


def local(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_off_by_default_no_pixel_and_links_untouched(
    campaign, mailing_list, sending_settings, outbox
):
    assert campaign.track is False
    subscribe(mailing_list, 1)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    html = html_of(outbox.messages[0])
    assert "/newsletters/o/" not in html and "/newsletters/c/" not in html
    assert 'href="https://brand.example/' in html


def test_opens_and_clicks_when_switched_on(campaign, mailing_list, sending_settings, outbox):
    campaign.track = True
    campaign.save()
    subscribe(mailing_list, 2)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    by_rcpt = {e.rcpt_tos[0]: html_of(e) for e in outbox.messages}
    html = by_rcpt["p1@people.example"]  # French version
    row = Send.objects.get(email="p1@people.example")
    pixel = re.search(r'src="([^"]+/newsletters/o/[^"]+)"', html).group(1)
    assert row.token in pixel
    link = re.search(r'href="([^"]+/newsletters/c/[^"]+)"', html).group(1)
    assert row.token in link
    assert "brand.example/cafe" not in html  # rewritten
    assert "/newsletters/u/" in html  # the unsubscribe link is never rewritten

    client = Client()
    assert client.get(local(pixel))["Content-Type"] == "image/gif"
    response = client.get(local(link))
    assert response.status_code == 302 and response["Location"] == "https://brand.example/cafe"
    client.get(local(link))
    figures = stats.of(campaign)
    assert (figures.opened, figures.clicked) == (1, 1)
    assert stats.clicks_per_link(campaign) == [("https://brand.example/cafe", 2, 1)]
    # Only the campaign's own links: another index is a 404, not a redirect.
    assert client.get(local(link).replace("/0/", "/7/")).status_code == 404
    assert Click.objects.count() == 2


def test_the_counter_answers_nothing_for_an_untracked_campaign(
    campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 1)
    sending.start(campaign)
    sending.send_due(campaign.pk)
    row = Send.objects.get()
    assert Client().get(f"/newsletters/c/{row.token}/0/").status_code == 404
    Client().get(f"/newsletters/o/{row.token}/")
    row.refresh_from_db()
    assert row.opened_at is None
