"""Newsletters' KPIs on hand-made send rows where the answer is known: copies sent, open and
click rates over the campaigns that measure them, unsubscribes and hard bounces, an empty
day, another workspace's rows, and the day the clocks go back in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from liant.analytics import rollup
from liant.analytics.registry import REGISTRY, combine, value_of
from liant.core.permissions import Role
from liant.members.models import Member
from liant.newsletters.models import (
    Campaign,
    MailingList,
    Send,
    SendState,
    Subscriber,
    SubscriberState,
)
from tests.analytics.conftest import DAY, at, day_value, n, period_value
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def value(workspace, key: str, day: date = DAY) -> float | None:
    return value_of(REGISTRY[key], day_value(workspace, key, day))


def campaign(workspace, track: bool = True) -> Campaign:
    mailing_list = MailingList.objects.create(workspace=workspace, name=f"Liste {n()}")
    return Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name="Novembre",
        sender_name="Maison",
        sender_address="news@brand.example",
        track=track,
    )


def send(c: Campaign, when: datetime | None, state=SendState.SENT, **fields) -> Send:
    return Send.objects.create(
        campaign=c, email=f"p{n()}@people.example", language="fr", state=state, sent_at=when,
        **fields,
    )  # fmt: skip


def subscriber(workspace, mailing_list: MailingList, **fields) -> Subscriber:
    member = Member.objects.create(workspace=workspace, name=f"P{n()}")
    return Subscriber.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        member=member,
        email=f"s{n()}@people.example",
        **fields,
    )


def test_copies_sent_count_once_per_recipient_on_the_day_they_left(workspace, other_workspace):
    c = campaign(workspace)
    send(c, at(9))
    send(c, at(9, 1))
    send(c, at(23, 59), bounced_at=at(23, 59) + timedelta(hours=2), bounce_status="5.1.1")
    send(c, at(0, 0, DAY + timedelta(days=1)))  # the next day
    send(c, None, state=SendState.QUEUED)  # not out yet
    send(c, at(10), state=SendState.FAILED)  # refused: never handed over
    send(campaign(other_workspace), at(9))
    assert value(workspace, "newsletters.sent") == 3


def test_open_and_click_rates_over_delivered_copies_of_measured_campaigns(workspace):
    measured, blind = campaign(workspace), campaign(workspace, track=False)
    send(measured, at(9), opened_at=at(10), clicked_at=at(10))
    send(measured, at(9), opened_at=at(11))
    send(measured, at(9), opened_at=at(9, day=DAY + timedelta(days=2)))  # opened later: counts
    send(measured, at(9))
    send(measured, at(9), bounced_at=at(12), bounce_status="5.1.1")  # not delivered
    send(measured, at(9), state=SendState.FAILED)
    for _ in range(3):  # opens not measured: neither opened nor unopened
        send(blind, at(9))
    # 4 delivered, 3 opened, 1 clicked.
    assert value(workspace, "newsletters.open_rate") == 75.0
    assert value(workspace, "newsletters.click_rate") == 25.0


def test_rates_have_no_value_when_no_campaign_measured(workspace):
    send(campaign(workspace, track=False), at(9), opened_at=at(10))
    assert value(workspace, "newsletters.sent") == 1
    assert value(workspace, "newsletters.open_rate") is None
    assert value(workspace, "newsletters.click_rate") is None


def test_unsubscribes_count_each_list_left_in_the_period(workspace, other_workspace):
    c = campaign(workspace)
    left = SubscriberState.UNSUBSCRIBED
    subscriber(workspace, c.mailing_list, state=left, unsubscribed_at=at(9))
    subscriber(workspace, c.mailing_list, state=SubscriberState.COMPLAINED, unsubscribed_at=at(14))
    subscriber(workspace, c.mailing_list, state=left, unsubscribed_at=at(9, day=DAY - timedelta(1)))
    subscriber(workspace, c.mailing_list, state=left)  # erased: not an unsubscribe
    subscriber(workspace, c.mailing_list, state=SubscriberState.SUBSCRIBED)
    subscriber(other_workspace, campaign(other_workspace).mailing_list, unsubscribed_at=at(9))
    assert value(workspace, "newsletters.unsubscribes") == 2


def test_hard_bounces_are_permanent_failures_received_in_the_period(workspace):
    c = campaign(workspace)
    yesterday = at(9, day=DAY - timedelta(days=1))
    send(c, yesterday, bounced_at=at(8), bounce_status="5.1.1")  # sent before, bounced today
    send(c, at(9), bounced_at=at(10), bounce_status="5.2.2")
    send(c, at(9), bounced_at=at(10), bounce_status="4.2.2")  # soft
    send(c, at(9), bounced_at=at(10, day=DAY + timedelta(1)), bounce_status="5.1.1")  # tomorrow
    assert value(workspace, "newsletters.hard_bounces") == 2


def test_an_empty_day(workspace):
    campaign(workspace)
    assert value(workspace, "newsletters.sent") == 0
    assert value(workspace, "newsletters.unsubscribes") == 0
    assert value(workspace, "newsletters.hard_bounces") == 0
    assert value(workspace, "newsletters.open_rate") is None


def test_the_day_the_clocks_go_back_lasts_25_hours_and_days_add_up(workspace):
    # Sunday 25 October 2026 in Paris: from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    change = date(2026, 10, 25)
    c = campaign(workspace)
    for when, opened in [
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), True),  # 23:59 on the 24th
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), True),  # midnight: the 25th
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), False),  # 02:30 CET, the hour lived twice
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), True),  # 23:59 CET
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), False),  # midnight: the 26th
    ]:
        send(c, when, opened_at=when + timedelta(minutes=5) if opened else None)
    assert value(workspace, "newsletters.sent", change) == 3
    assert value(workspace, "newsletters.open_rate", change) == pytest.approx(66.7)
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    for key in ("newsletters.sent", "newsletters.open_rate"):
        kpi = REGISTRY[key]
        days = [day_value(workspace, key, first + timedelta(days=i)) for i in range(3)]
        assert value_of(kpi, combine(kpi, days)) == value_of(
            kpi, period_value(workspace, key, first, last)
        )
    assert value(workspace, "newsletters.open_rate", first) == 100.0


def test_the_newsletters_dashboard_shows_them_to_those_who_may_see_newsletters(
    workspace, owner_client, outsider_client
):
    yesterday = rollup.today(workspace) - timedelta(days=1)
    begin, _ = rollup.day_bounds(workspace, yesterday)
    c = campaign(workspace)
    for _ in range(3):
        send(c, begin + timedelta(hours=10), opened_at=begin + timedelta(hours=11))
    url = f"/w/{workspace.slug}/analytics/modules/newsletters/"
    page = owner_client.get(url).content.decode()
    for key in ("sent", "open_rate", "click_rate", "unsubscribes", "hard_bounces"):
        assert f'id="kpi-newsletters.{key}"' in page
    assert "Newsletter open rate (approximate)" in page
    assert f'href="/w/{workspace.slug}/newsletters/' in page  # the rows behind the numbers
    # An analyst reads dashboards but not newsletters (newsletters.manage).
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url).status_code == 403
    response = outsider_client.get(url)
    assert response.status_code == 404
    assert b"kpi-newsletters" not in response.content
