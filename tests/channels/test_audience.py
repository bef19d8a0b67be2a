"""Collecting each channel's followers once a day, and the page that lists them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core import mail

from liant.channels import audience, tasks
from liant.channels.models import AudienceSample, Channel, Health
from liant.connectors import registry
from liant.connectors.base import Audience
from tests.channels.fakes import CountingConnector, error

pytestmark = pytest.mark.django_db(transaction=True)

# 23:30 UTC on 10 November is already the 11th in Paris (UTC+1).
LATE = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def counting(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "counting", ("Counting", "tests.channels.fakes.CountingConnector")
    )
    registry.connector_class.cache_clear()
    CountingConnector.answers = {}
    CountingConnector.refreshed = None
    yield CountingConnector
    registry.connector_class.cache_clear()


def make_channel(workspace, owner, name: str, *answers, kind: str = "counting") -> Channel:
    channel = Channel.objects.create(workspace=workspace, kind=kind, name=name, created_by=owner)
    channel.credentials = {"token": name}
    channel.save()
    CountingConnector.answers[name] = list(answers)
    return channel


def test_a_sample_a_day_in_the_workspaces_zone_rewritten_when_collected_again(workspace, owner):
    channel = make_channel(
        workspace, owner, "A", Audience(100, 12, {"posts": 3}), Audience(105, 12)
    )
    assert audience.collect(LATE) == {"stored": 1}
    assert audience.collect(LATE.replace(minute=50)) == {"stored": 1}
    (sample,) = AudienceSample.objects.all()
    assert (sample.channel, sample.workspace, sample.day) == (
        channel,
        workspace,
        date(2026, 11, 11),
    )
    assert (sample.followers, sample.following, sample.extra) == (105, 12, {})


def test_one_channel_failing_does_not_stop_the_others(workspace, owner, monkeypatch):
    make_channel(workspace, owner, "Down", error("transient", "the server is down"))
    make_channel(workspace, owner, "Buggy", ValueError("a bug in a connector"))
    good = make_channel(workspace, owner, "Good", Audience(40))
    assert audience.collect(LATE) == {"failed": 2, "stored": 1}
    assert list(AudienceSample.objects.values_list("channel", "followers")) == [(good.pk, 40)]
    # A passing failure leaves the channel's health to its fetches.
    assert set(Channel.objects.values_list("health", flat=True)) == {Health.OK}


def test_an_expired_sign_in_marks_the_channel_and_tells_its_owners(workspace, owner):
    channel = make_channel(workspace, owner, "Expired", error("auth_expired", "token revoked"))
    assert audience.collect(LATE) == {"failed": 1}
    channel.refresh_from_db()
    assert channel.health == Health.AUTH_EXPIRED
    assert channel.last_error == "token revoked"
    assert len(mail.outbox) == 1 and owner.email in mail.outbox[0].to
    # Not asked again until someone connects it again.
    assert audience.collect(LATE) == {}
    assert not AudienceSample.objects.exists()


def test_an_expired_sign_in_is_refreshed_once_where_the_network_allows(workspace, owner):
    channel = make_channel(workspace, owner, "Old", error("auth_expired", "expired"))
    CountingConnector.answers["New"] = [Audience(77)]
    CountingConnector.refreshed = {"token": "New"}
    assert audience.collect(LATE) == {"stored": 1}
    channel.refresh_from_db()
    assert channel.credentials == {"token": "New"}
    assert AudienceSample.objects.get().followers == 77


def test_disconnected_channels_and_networks_that_cannot_tell_are_not_asked(workspace, owner):
    make_channel(workspace, owner, "Off", Audience(1))
    Channel.objects.filter(name="Off").update(health=Health.DISCONNECTED)
    Channel.objects.create(workspace=workspace, kind="feed", name="Feed", settings={"url": "x"})
    assert audience.collect(LATE) == {}
    assert CountingConnector.answers["Off"] == [Audience(1)]  # never called


def test_the_periodic_task_collects(workspace, owner):
    make_channel(workspace, owner, "A", Audience(9))
    assert tasks.collect_audience.call_local() == {"stored": 1}


# --- the page


def sample(channel: Channel, day: date, followers: int) -> None:
    AudienceSample.objects.create(
        workspace=channel.workspace, channel=channel, day=day, followers=followers
    )


def test_the_page_shows_followers_now_30_days_ago_and_the_change(
    owner_client, workspace, owner, other_workspace, monkeypatch
):
    monkeypatch.setattr("liant.channels.views.local_today", lambda ws: date(2026, 11, 30))
    a = make_channel(workspace, owner, "Alpha")
    b = make_channel(workspace, owner, "Beta")
    make_channel(workspace, owner, "Never counted")
    sample(a, date(2026, 10, 25), 90)  # the last count up to 31 October
    sample(a, date(2026, 11, 2), 95)
    sample(a, date(2026, 11, 29), 130)
    sample(b, date(2026, 11, 30), 12)  # counted only since
    stranger = Channel.objects.create(workspace=other_workspace, kind="counting", name="Theirs")
    sample(stranger, date(2026, 11, 30), 9999)
    response = owner_client.get(f"/w/{workspace.slug}/channels/audience/")
    assert response.status_code == 200
    rows = [(r.channel.name, r.followers, r.then, r.change) for r in response.context["rows"]]
    assert rows == [("Alpha", 130, 90, 40), ("Beta", 12, None, None)]
    assert "+40" in response.content.decode()
    assert "9999" not in response.content.decode()
    detail = owner_client.get(f"/w/{workspace.slug}/channels/{a.pk}/").content.decode()
    assert "<dd>130 <small>" in detail  # the channel's page shows its last count


def test_a_person_from_another_workspace_gets_nothing(outsider_client, workspace):
    assert outsider_client.get(f"/w/{workspace.slug}/channels/audience/").status_code == 404
