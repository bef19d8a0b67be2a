"""What the channels app does around a connector's fetch: locks, storage, health, alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.channels import fetching, tasks
from liant.channels.models import Channel, Event, Health
from liant.connectors import registry
from liant.connectors.base import FetchResult
from tests.channels.fakes import ScriptedConnector, error, event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def scripted(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "scripted", ("Scripted", "tests.channels.fakes.ScriptedConnector")
    )
    registry.connector_class.cache_clear()
    ScriptedConnector.script = []
    ScriptedConnector.calls = []
    ScriptedConnector.refreshed = None
    yield ScriptedConnector
    registry.connector_class.cache_clear()


@pytest.fixture
def channel(workspace, owner):
    ch = Channel.objects.create(
        workspace=workspace, kind="scripted", name="Scripted", created_by=owner
    )
    ch.credentials = {"token": "old"}
    ch.save()
    return ch


def test_fetching_the_same_window_twice_stores_nothing_twice(channel, scripted):
    scripted.script = [
        FetchResult([event(1), event(2)], {"since": "2"}),
        FetchResult([event(2), event(3), event(3)], {"since": "3"}),
    ]
    assert fetching.fetch_channel(channel.pk).stored == 2
    assert fetching.fetch_channel(channel.pk).stored == 1
    assert sorted(Event.objects.values_list("remote_id", flat=True)) == ["m1", "m2", "m3"]
    channel.refresh_from_db()
    assert channel.cursor == {"since": "3"}
    assert scripted.calls[1]["since"] == {"since": "2"}
    assert channel.health == Health.OK and channel.fetching_since is None
    assert channel.next_fetch_at > timezone.now()


def test_events_belong_to_the_channels_workspace_and_are_sanitized(channel, scripted):
    hostile = event(1)
    hostile.html = (
        '<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:x()">x</a></p>'
    )
    hostile.url = "javascript:alert(1)"
    scripted.script = [FetchResult([hostile], {})]
    fetching.fetch_channel(channel.pk)
    stored = Event.objects.get()
    assert stored.workspace_id == channel.workspace_id
    assert (
        "script" not in stored.html
        and "onclick" not in stored.html
        and "javascript" not in stored.html
    )
    assert stored.url == ""


def test_only_one_worker_holds_a_channel_at_a_time(channel):
    assert fetching.claim(channel.pk) is True
    assert fetching.claim(channel.pk) is False
    assert fetching.fetch_channel(channel.pk).skipped


def test_a_channel_left_locked_by_a_killed_worker_is_fetched_again_later(channel, scripted):
    Channel.objects.filter(pk=channel.pk).update(
        fetching_since=timezone.now() - timedelta(minutes=20)
    )
    assert channel.pk in fetching.due_channels()
    scripted.script = [FetchResult([event(1)], {})]
    assert fetching.fetch_channel(channel.pk).stored == 1


def test_a_fresh_lock_keeps_the_channel_out_of_the_due_list(channel):
    Channel.objects.filter(pk=channel.pk).update(fetching_since=timezone.now())
    assert channel.pk not in fetching.due_channels()


def test_rate_limited_channels_wait_for_the_reset(channel, scripted):
    scripted.script = [error("rate_limited", "slow down", retry_after=600)]
    fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.health == Health.RATE_LIMITED
    assert channel.next_fetch_at >= timezone.now() + timedelta(seconds=590)
    assert channel.pk not in fetching.due_channels()


def test_a_failure_keeps_the_cursor_and_says_why(channel, scripted):
    Channel.objects.filter(pk=channel.pk).update(cursor={"since": "7"})
    scripted.script = [error("transient", "The network did not answer (ReadTimeout).")]
    outcome = fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert outcome.error.startswith("The network did not answer")
    assert channel.health == Health.FAILING
    assert "ReadTimeout" in channel.last_error and channel.last_error_at is not None
    assert channel.cursor == {"since": "7"}
    assert channel.fetching_since is None


def test_a_bug_in_a_connector_does_not_leave_the_channel_locked(channel, scripted):
    scripted.script = [ZeroDivisionError("division by zero")]
    outcome = fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert "ZeroDivisionError" in outcome.error
    assert channel.fetching_since is None and channel.health == Health.FAILING


def test_an_expired_sign_in_is_refreshed_when_the_network_allows(channel, scripted):
    scripted.refreshed = {"token": "new"}
    scripted.script = [error("auth_expired", "token expired"), FetchResult([event(1)], {})]
    assert fetching.fetch_channel(channel.pk).stored == 1
    channel.refresh_from_db()
    assert channel.credentials == {"token": "new"}
    assert scripted.calls[1]["credentials"] == {"token": "new"}
    assert channel.health == Health.OK


def test_an_expired_sign_in_that_cannot_be_refreshed_disconnects_and_tells_the_owners(
    channel, scripted, owner, member
):
    scripted.script = [error("auth_expired", "The access token was revoked")]
    fetching.fetch_channel(channel.pk)
    channel.refresh_from_db()
    assert channel.health == Health.AUTH_EXPIRED
    assert channel.pk not in fetching.due_channels()
    assert [m.to for m in mail.outbox] == [[owner.email]]  # owners/admins, not every member
    assert "The access token was revoked" in mail.outbox[0].body
    assert f"/w/{channel.workspace.slug}/channels/{channel.pk}/" in mail.outbox[0].body


def test_the_periodic_sweep_fetches_due_channels_only(channel, workspace, scripted):
    later = Channel.objects.create(
        workspace=workspace,
        kind="scripted",
        name="Later",
        next_fetch_at=timezone.now() + timedelta(hours=1),
    )
    gone = Channel.objects.create(
        workspace=workspace, kind="scripted", name="Gone", health=Health.DISCONNECTED
    )
    scripted.script = [FetchResult([event(1)], {})]
    assert tasks.fetch_due_channels.call_local() == 1  # huey runs inline in unit tests
    assert Event.objects.filter(channel=channel).count() == 1
    assert not Event.objects.filter(channel__in=[later, gone]).exists()
