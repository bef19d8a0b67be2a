"""A/B test of the subject: a sample gets the variants, the winner (by clicks) goes to the
rest, chosen once even by two workers, and every address still gets exactly one message."""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from liant.newsletters import abtest, sending, tasks
from liant.newsletters.models import Campaign, Send, SendState
from tests.newsletters.conftest import per_recipient, subscribe

pytestmark = pytest.mark.django_db


def subject_of(envelope) -> str:
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    return str(message["Subject"])


@pytest.fixture
def ab_campaign(campaign: Campaign) -> Campaign:
    campaign.body_en = ""  # one language keeps the subjects easy to tell apart
    campaign.subject_variants = [{"fr": "Sujet B"}, {"fr": "Sujet C"}]
    campaign.ab_share = 30
    campaign.ab_wait = timedelta(hours=4)
    campaign.track = True
    campaign.save()
    return campaign


def click(campaign: Campaign, variant: int, people: int) -> None:
    pks = Send.objects.filter(campaign=campaign, variant=variant).values_list("pk", flat=True)
    Send.objects.filter(pk__in=list(pks[:people])).update(
        clicked_at=timezone.now(), opened_at=timezone.now()
    )


def drain(campaign_id: int) -> None:
    while sending.send_due(campaign_id).sent:
        pass


def test_sample_then_winner_each_address_exactly_once(
    ab_campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, 300)
    sending.start(ab_campaign)
    rows = Send.objects.filter(campaign=ab_campaign)
    assert rows.filter(variant__isnull=False).count() == 90  # 30 % of 300
    assert sorted(Counter(rows.values_list("variant", flat=True)).items(), key=str) == sorted(
        {0: 30, 1: 30, 2: 30, None: 210}.items(), key=str
    )
    assert rows.filter(state=SendState.HELD).count() == 210
    drain(ab_campaign.pk)
    assert len(outbox.messages) == 90  # only the sample before the decision
    assert Counter(subject_of(e) for e in outbox.messages) == {
        "Les nouveautés de novembre": 30,
        "Sujet B": 30,
        "Sujet C": 30,
    }
    ab_campaign.refresh_from_db()
    assert ab_campaign.state == "sending"  # the others are still waiting

    click(ab_campaign, 0, 3)
    click(ab_campaign, 2, 5)
    assert abtest.decide_due() == []  # the wait is not over
    later = timezone.now() + timedelta(hours=4, minutes=1)
    assert abtest.decide_due(later) == [ab_campaign.pk]
    assert abtest.decide_due(later) == []  # decided once
    drain(ab_campaign.pk)

    counts = per_recipient(outbox)
    assert len(counts) == 300 and set(counts.values()) == {1}
    rest = Counter(subject_of(e) for e in outbox.messages[90:])
    assert rest == {"Sujet C": 210}
    ab_campaign.refresh_from_db()
    assert ab_campaign.ab_winner == 2 and ab_campaign.state == "sent"


def test_two_workers_deciding_at_once_pick_one_winner(ab_campaign, mailing_list, sending_settings):
    """Worker 1 reads the figures (B ahead), then clicks arrive and worker 2 reads C ahead:
    whoever writes first wins the claim, the other writes nothing and releases nothing."""
    subscribe(mailing_list, 60)
    sending.start(ab_campaign)
    click(ab_campaign, 1, 2)
    first = Campaign.objects.get(pk=ab_campaign.pk)
    second = Campaign.objects.get(pk=ab_campaign.pk)
    assert abtest.best(first) == 1
    click(ab_campaign, 2, 5)
    assert abtest.decide(second) == 2
    assert abtest.decide(first) is None  # it would have said B: refused
    ab_campaign.refresh_from_db()
    assert ab_campaign.ab_winner == 2
    assert not Send.objects.filter(campaign=ab_campaign, state=SendState.HELD).exists()


def test_the_tick_decides_and_ties_go_to_the_first_subject(
    ab_campaign, mailing_list, sending_settings, outbox, monkeypatch
):
    subscribe(mailing_list, 40)
    sending.start(ab_campaign)
    Campaign.objects.filter(pk=ab_campaign.pk).update(
        started_at=timezone.now() - timedelta(hours=5)
    )
    monkeypatch.setattr(tasks, "run_campaign", lambda pk: sending.send_due(pk))
    tasks.newsletters_tick.call_local()
    ab_campaign.refresh_from_db()
    assert ab_campaign.ab_winner == 0
    drain(ab_campaign.pk)
    assert set(per_recipient(outbox).values()) == {1} and len(per_recipient(outbox)) == 40


def test_a_second_start_draws_no_second_sample(ab_campaign, mailing_list, sending_settings):
    subscribe(mailing_list, 100)
    sending.start(ab_campaign)
    before = dict(Send.objects.filter(campaign=ab_campaign).values_list("pk", "variant"))
    sending.start(ab_campaign)
    assert dict(Send.objects.filter(campaign=ab_campaign).values_list("pk", "variant")) == before


def test_the_report_shows_each_variant(
    ab_campaign, mailing_list, sending_settings, outbox, owner_client, workspace
):
    subscribe(mailing_list, 30)
    sending.start(ab_campaign)
    drain(ab_campaign.pk)
    click(ab_campaign, 1, 2)
    figures = abtest.figures(ab_campaign)
    assert [(f.label, f.recipients, f.sent, f.clicked) for f in figures] == [
        ("A", 3, 3, 0),
        ("B", 3, 3, 2),
        ("C", 3, 3, 0),
    ]
    abtest.decide(ab_campaign)
    page = owner_client.get(f"/w/{workspace.slug}/newsletters/campaigns/{ab_campaign.pk}/")
    html = page.content.decode()
    assert "Sujet B" in html and "Sujet C" in html and "Winner" in html


def test_the_form_stores_variants_and_needs_clicks(workspace, owner_client, mailing_list):
    base = f"/w/{workspace.slug}/newsletters/campaigns/new/"
    data = {
        "name": "Test",
        "mailing_list": mailing_list.pk,
        "sender_name": "Maison",
        "sender_address": "news@brand.example",
        "subject_fr": "Un",
        "body_fr": "Bonjour",
        "other_subjects_fr": "Deux\n\nTrois\n",
        "ab_share": 10,
        "ab_wait_hours": 2,
    }
    response = owner_client.post(base, data)
    assert response.status_code == 200 and not Campaign.objects.exists()
    response = owner_client.post(base, {**data, "track": "on"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.subject_variants == [{"fr": "Deux"}, {"fr": "Trois"}]
    assert campaign.ab_share == 10 and campaign.ab_wait == timedelta(hours=2)
