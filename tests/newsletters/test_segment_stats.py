"""A campaign's figures by members segment and per link, counted from the stored rows, on
its page and as a CSV; nobody from another workspace sees them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from liant.members.models import Segment
from liant.newsletters import segment_stats, sending
from liant.newsletters.models import Send
from tests.newsletters.conftest import subscribe
from tests.newsletters.test_tracking import html_of, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_campaign(workspace, other_workspace, campaign, mailing_list, sending_settings, outbox):
    """Four people (p1, p3 French; p0, p2 English); p1 clicks twice, p3 once; p2 unsubscribed,
    p0 bounced."""
    campaign.track = True
    campaign.save()
    subscribe(mailing_list, 4)
    Segment.objects.create(workspace=workspace, name="Francophones", filters={"languages": ["fr"]})
    Segment.objects.create(workspace=workspace, name="English", filters={"languages": ["en"]})
    Segment.objects.create(workspace=other_workspace, name="Theirs", filters={})
    sending.start(campaign)
    sending.send_due(campaign.pk)
    client = Client()
    for envelope in outbox.messages:
        rcpt = envelope.rcpt_tos[0]
        link = re.search(r'href="([^"]+/newsletters/c/[^"]+)"', html_of(envelope)).group(1)
        for _ in range({"p1@people.example": 2, "p3@people.example": 1}.get(rcpt, 0)):
            assert client.get(local(link)).status_code == 302
    now = timezone.now()
    Send.objects.filter(email="p2@people.example").update(unsubscribed_at=now)
    Send.objects.filter(email="p0@people.example").update(bounced_at=now, bounce_status="5.1.1")
    return campaign


def test_figures_per_segment_and_link(sent_campaign):
    rows = {row.name: row for row in segment_stats.of(sent_campaign)}
    assert set(rows) == {"", "Francophones", "English"}  # not the other workspace's segment
    every, fr, en = rows[""], rows["Francophones"], rows["English"]
    assert (every.recipients, every.sent, every.opened, every.clicked) == (4, 4, 2, 2)
    assert (every.unsubscribed, every.bounced) == (1, 1)
    assert (fr.recipients, fr.sent, fr.clicked, fr.unsubscribed, fr.bounced) == (2, 2, 2, 0, 0)
    assert (en.recipients, en.sent, en.clicked, en.unsubscribed, en.bounced) == (2, 2, 0, 1, 1)
    assert fr.links == [("https://brand.example/cafe", 3, 2)]
    assert en.links == []
    assert every.links == fr.links


def test_the_page_and_the_csv(workspace, owner_client, outsider_client, sent_campaign):
    base = f"/w/{workspace.slug}/newsletters/campaigns/{sent_campaign.pk}"
    page = owner_client.get(f"{base}/").content.decode()
    assert "Francophones" in page and "Theirs" not in page
    response = owner_client.get(f"{base}/segments.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == segment_stats.HEADER
    assert ["Francophones", "", "2", "2", "2", "2", "0", "0", ""] in lines
    assert ["Francophones", "https://brand.example/cafe", "", "", "", "2", "", "", "3"] in lines
    assert ["English", "", "2", "2", "0", "0", "1", "1", ""] in lines
    assert outsider_client.get(f"{base}/segments.csv").status_code == 404
    assert outsider_client.get(f"{base}/").status_code == 404


def test_a_campaign_without_measure_leaves_opens_and_clicks_empty(
    workspace, campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 2)
    Segment.objects.create(workspace=workspace, name="=cmd", filters={})
    sending.start(campaign)
    sending.send_due(campaign.pk)
    lines = list(
        csv.reader(io.StringIO(segment_stats.as_csv(campaign, segment_stats.of(campaign))))
    )
    assert lines[1] == ["*", "", "2", "2", "", "", "0", "0", ""]
    assert lines[2][0] == "'=cmd"  # a formula stays text in a spreadsheet
    assert len(lines) == 3  # no link lines
