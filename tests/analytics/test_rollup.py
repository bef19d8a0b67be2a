"""Daily roll-ups: written once per workspace, KPI and day however often they run, and a
period rebuilt from its days equals the period computed at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command

from liant.analytics import rollup, tasks
from liant.analytics.models import KpiValue
from liant.analytics.registry import REGISTRY, all_kpis, combine, value_of
from liant.leads.models import Lead
from liant.listening.models import Query
from liant.members.models import Activity, Level
from liant.newsletters.models import Campaign, MailingList, Send, SendState, Subscriber
from liant.publishing.models import VariantMetrics
from liant.strategy.models import Rhythm
from tests.analytics.conftest import DAY, at, period_value
from tests.analytics.test_kpis import (
    conversation,
    item,
    mention,
    person,
    publish,
)

pytestmark = pytest.mark.django_db
FIRST = DAY - timedelta(days=2)
DAYS = rollup.days_between(FIRST, DAY + timedelta(days=1))


@pytest.fixture
def history(workspace, channel):
    """A little of everything on three days, some of it near midnight."""
    Rhythm.objects.create(channel=channel, posts_per_week=7)
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")
    rival = Query.objects.create(workspace=workspace, name="Rival", kind="competitor", text="y")
    mailing_list = MailingList.objects.create(workspace=workspace, name="Gazette")
    campaign = Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name="Gazette",
        sender_name="Maison",
        sender_address="news@brand.example",
        track=True,
    )
    for offset, (hour, minute) in enumerate([(0, 5), (12, 0), (23, 55)]):
        day = FIRST + timedelta(days=offset)
        publish(workspace, channel, at(hour, minute, day), engagement=offset * 7)
        conversation(
            workspace,
            channel,
            at(hour, minute, day),
            first_response_at=at(hour, minute, day) + timedelta(minutes=5 + 20 * offset),
            first_response_due=at(hour, minute, day) + timedelta(minutes=30),
        )
        mention(
            workspace, brand, at(hour, minute, day), ["positive", "negative", "neutral"][offset]
        )
        item(
            workspace,
            channel,
            at(hour, minute, day),
            decided=at(hour, minute, day) + timedelta(minutes=offset),
        )
        member = person(workspace, first_seen_at=at(hour, minute, day), level=Level.AMBASSADOR)
        Activity.objects.create(
            workspace=workspace, member=member, kind="comment", occurred_at=at(hour, minute, day)
        )
        when = at(hour, minute, day)
        # The KPIs added for newsletters, leads, resolution, reach and share of voice.
        conversation(
            workspace,
            channel,
            when - timedelta(minutes=7 * offset),
            status="closed",
            closed_at=when + timedelta(minutes=3),
        )
        VariantMetrics.objects.filter(variant__published_at=when).update(
            values={"reach": 10 + offset, "views": 100 * offset}
        )
        mention(workspace, rival, when + timedelta(minutes=offset), "neutral")
        for n in range(offset + 1):
            sent = Send.objects.create(
                campaign=campaign,
                email=f"p{offset}-{n}@people.example",
                language="fr",
                state=SendState.SENT,
                sent_at=when,
                opened_at=when if n == 0 else None,
                clicked_at=when if n == 2 else None,
                bounced_at=when if n == 1 else None,
                bounce_status="5.1.1" if n == 1 else "",
            )
        Subscriber.objects.create(
            workspace=workspace,
            mailing_list=campaign.mailing_list,
            member=member,
            email=sent.email,
            state="unsubscribed",
            unsubscribed_at=when,
        )
        Lead.objects.create(
            workspace=workspace,
            created_at=when,
            stage=["won", "lost", "won"][offset],
            stage_changed_at=when,
            value=Decimal(100 * offset + 5),
            currency=["EUR", "EUR", "USD"][offset],
        )


def test_running_a_day_twice_keeps_one_row_per_kpi(workspace, history):
    rollup.store(workspace, DAYS)
    rollup.store(workspace, DAYS)
    assert KpiValue.objects.filter(workspace=workspace).count() == len(REGISTRY) * len(DAYS)


def test_a_stored_row_is_rewritten_when_the_day_changes_later(workspace, channel, history):
    rollup.store(workspace, [DAY])
    publish(workspace, channel, at(15), engagement=1)  # metrics arrive late
    rollup.store(workspace, [DAY])
    row = KpiValue.objects.get(workspace=workspace, key="publishing.posts", day=DAY)
    assert row.value == 2


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_a_period_rebuilt_from_stored_days_equals_the_period_computed_at_once(
    workspace, history, key
):
    kpi = REGISTRY[key]
    rollup.store(workspace, DAYS)
    measures = rollup.daily_measures(workspace, [kpi], FIRST, DAY + timedelta(days=1))[key]
    from_days = value_of(kpi, combine(kpi, measures))
    at_once = value_of(kpi, period_value(workspace, key, FIRST, DAY))
    assert from_days == pytest.approx(at_once)


NEW_KPIS = [
    "newsletters.sent",
    "newsletters.open_rate",
    "newsletters.click_rate",
    "newsletters.unsubscribes",
    "newsletters.hard_bounces",
    "leads.new",
    "leads.won",
    "leads.conversion",
    "leads.value_won",
    "inbox.resolution",
    "publishing.reach",
    "publishing.impressions",
    "listening.share_of_voice",
]


def test_the_history_gives_every_added_kpi_something_to_add_up(workspace, history):
    # Otherwise the test above would compare nothing with nothing for them.
    figures = {k: value_of(REGISTRY[k], period_value(workspace, k, FIRST, DAY)) for k in NEW_KPIS}
    assert figures == {
        "newsletters.sent": 6,
        "newsletters.open_rate": 75.0,  # 3 of the 4 delivered
        "newsletters.click_rate": 25.0,
        "newsletters.unsubscribes": 3,
        "newsletters.hard_bounces": 2,
        "leads.new": 3,
        "leads.won": 2,
        "leads.conversion": pytest.approx(66.7),
        "leads.value_won": 5.0,  # the other win is in USD
        "inbox.resolution": 10.0,  # 3, 10 and 17 minutes
        "publishing.reach": 33,
        "publishing.impressions": 300,
        "listening.share_of_voice": 50.0,
    }


def test_missing_past_days_are_computed_once_and_kept_and_today_is_not(workspace, history):
    today = rollup.today(workspace)
    kpis = all_kpis()
    rollup.daily_measures(workspace, kpis, today - timedelta(days=2), today + timedelta(days=1))
    kept = set(KpiValue.objects.filter(workspace=workspace).values_list("day", flat=True))
    assert kept == {today - timedelta(days=2), today - timedelta(days=1)}


def test_the_nightly_task_and_the_backfill_command_fill_past_days(workspace, other_workspace):
    tasks.roll_up_workspace.call_local(workspace.pk)
    assert KpiValue.objects.filter(workspace=workspace).count() == (
        len(REGISTRY) * rollup.RECOMPUTE_DAYS
    )
    call_command("analytics_backfill", "--days", "10", "--workspace", workspace.slug)
    assert KpiValue.objects.filter(workspace=workspace).count() == len(REGISTRY) * 10
    assert not KpiValue.objects.filter(workspace=other_workspace).exists()
    assert not KpiValue.objects.filter(day__gte=rollup.today(workspace)).exists()


def test_each_workspace_is_rolled_up_in_the_hour_after_its_own_midnight(workspace, other_workspace):
    from datetime import UTC, datetime
    from unittest import mock

    other_workspace.timezone = "America/New_York"
    other_workspace.save()
    # 23:20 UTC on a winter day: 00:20 in Paris, 18:20 in New York.
    now = datetime(2026, 11, 10, 23, 20, tzinfo=UTC)
    with (
        mock.patch("django.utils.timezone.now", return_value=now),
        mock.patch.object(tasks, "roll_up_workspace") as enqueue,
    ):
        assert tasks.roll_up_everywhere.call_local() == 1
    enqueue.assert_called_once_with(workspace.pk)


def test_the_worker_fills_the_history_of_a_kpi_added_later(workspace, other_workspace, history):
    rollup.store(workspace, DAYS[:-1])
    expected = {
        (key, day): (value, weight)
        for key, day, value, weight in KpiValue.objects.filter(workspace=workspace).values_list(
            "key", "day", "value", "weight"
        )
    }
    # As after an upgrade that brings two KPIs: the other KPIs have these days, they do not.
    KpiValue.objects.filter(key__in=["listening.mentions", "inbox.received"]).delete()
    with mock.patch.object(rollup, "today", return_value=DAY):
        assert tasks.fill_gaps_of_workspace.call_local(workspace.pk) == 2 * len(DAYS[:-1])
        assert rollup.fill_gaps(workspace) == 0  # nothing lacking any more
        assert rollup.fill_gaps(other_workspace) == 0  # no history: no year of zeros
    refilled = {
        (key, day): (value, weight)
        for key, day, value, weight in KpiValue.objects.filter(workspace=workspace).values_list(
            "key", "day", "value", "weight"
        )
    }
    assert refilled == expected
    assert any(value for (key, _day), (value, _w) in refilled.items() if key == "inbox.received")
    assert not KpiValue.objects.filter(workspace=other_workspace).exists()
