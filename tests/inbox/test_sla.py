from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from liant.inbox import grouping, sla
from liant.inbox.models import Conversation, SlaBreach, SlaPolicy
from tests.inbox.conftest import stored, ws_url

pytestmark = pytest.mark.django_db


def policy(workspace, **fields) -> SlaPolicy:
    defaults = {
        "first_response_minutes": 120,
        "next_response_minutes": 240,
        "resolution_minutes": 600,
        "opens_at": time(9),
        "closes_at": time(18),
        "weekdays": [1, 2, 3, 4, 5],
        "holidays": ["2026-12-25"],
    }
    return SlaPolicy.objects.create(workspace=workspace, **(defaults | fields))


def paris(*args) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris"))


def test_business_hours_skip_nights_weekends_and_holidays(workspace):
    p = policy(workspace)
    zone = "Europe/Paris"
    # Thursday 24 Dec 17:00 + 2 h: one hour that day, Friday is a holiday, then the weekend,
    # so the second hour ends on Monday at 10:00.
    assert sla.add_business_minutes(paris(2026, 12, 24, 17), 120, p, zone) == paris(
        2026, 12, 28, 10
    )
    # Saturday night → Monday 9:00 + 30 min.
    assert sla.add_business_minutes(paris(2026, 11, 28, 23), 30, p, zone) == paris(
        2026, 11, 30, 9, 30
    )
    p.business_hours_only = False
    assert sla.add_business_minutes(paris(2026, 11, 28, 23), 30, p, zone) == paris(
        2026, 11, 28, 23, 30
    )


def test_a_policy_without_working_days_does_not_loop_forever(workspace):
    p = policy(workspace, weekdays=[8])
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert sla.add_business_minutes(start, 60, p, "Europe/Paris") == start + timedelta(hours=1)


def test_deadlines_start_with_the_first_message_and_breaches_are_recorded_once(
    owner_client, outsider_client, workspace, channel
):
    policy(workspace, business_hours_only=False)
    stored(channel, "Bonjour ?", thread="t")  # at T0 + n minutes, long past
    grouping.group_all()
    conv = Conversation.objects.get()
    assert conv.first_response_due == conv.last_inbound_at + timedelta(minutes=120)
    assert conv.resolution_due == conv.last_inbound_at + timedelta(minutes=600)
    assert sla.record_breaches() == 2  # first response and resolution
    assert sla.record_breaches() == 0
    assert set(SlaBreach.objects.values_list("kind", flat=True)) == {
        "first_response",
        "resolution",
    }
    page = owner_client.get(ws_url(workspace, f"{conv.pk}/")).content.decode()
    assert "SLA overdue by" in page
    assert "SLA overdue by" in owner_client.get(ws_url(workspace)).content.decode()
    assert outsider_client.get(ws_url(workspace, f"{conv.pk}/")).status_code == 404


def test_time_left_is_shown_before_the_deadline(owner_client, workspace, channel):
    from django.utils import timezone

    stored(channel, "Bonjour ?", thread="t")
    grouping.group_all()
    Conversation.objects.update(first_response_due=timezone.now() + timedelta(hours=3))
    page = owner_client.get(ws_url(workspace)).content.decode()
    assert " left" in page and "overdue" not in page


def test_breaches_are_reported_on_the_policy_page_and_at_risk_work_is_a_filter(
    owner_client, outsider_client, workspace, channel
):
    from django.utils import timezone

    policy(workspace, business_hours_only=False)
    stored(channel, "En retard", thread="late")
    stored(channel, "Pas pressé", thread="calm")
    grouping.group_all()
    Conversation.objects.filter(key="thread:calm").update(
        first_response_due=timezone.now() + timedelta(days=2),
        resolution_due=timezone.now() + timedelta(days=3),
    )
    sla.record_breaches()
    page = owner_client.get(ws_url(workspace, "sla/")).content.decode()
    assert "Breaches in the last 30 days" in page and "En retard" in page
    assert outsider_client.get(ws_url(workspace, "sla/")).status_code == 404
    risky = owner_client.get(ws_url(workspace), {"sla": "risk"}).content.decode()
    assert "En retard" in risky and "Pas pressé" not in risky
