"""The hourly sweep renews sign-ins before they end, or tells the owners in time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from liant.channels import tasks, tokens
from liant.channels.models import Channel, Health
from liant.connectors.base import ConnectorError, ErrorKind

pytestmark = pytest.mark.django_db


def channel_expiring_in(workspace, delta: timedelta, **credentials) -> Channel:
    channel = Channel(
        workspace=workspace, kind="example", name="Page", settings={"account_id": "p1"}
    )
    channel.credentials = {
        "access_token": "old",
        "expires_at": (timezone.now() + delta).isoformat(),
        **credentials,
    }
    channel.save()
    return channel


def test_a_token_ending_within_a_day_is_refreshed(example_network, workspace):
    later = (timezone.now() + timedelta(days=60)).isoformat()
    example_network.refresh_answer = {"access_token": "new", "expires_at": later}
    channel = channel_expiring_in(workspace, timedelta(hours=3), refresh_token="r")

    assert tokens.renew(channel.pk) == "refreshed"

    channel.refresh_from_db()
    assert channel.credentials["access_token"] == "new"
    assert channel.credentials_expire_at > timezone.now() + timedelta(days=59)
    assert channel.fetching_since is None


def test_a_token_far_from_its_end_is_left_alone(example_network, workspace):
    channel = channel_expiring_in(workspace, timedelta(days=3), refresh_token="r")

    assert tokens.renew(channel.pk) == "later"
    assert tokens.due() == [channel.pk]  # watched from a week ahead
    channel_far = channel_expiring_in(workspace, timedelta(days=30))
    assert channel_far.pk not in tokens.due()


def test_owners_are_told_once_a_week_ahead_when_nothing_can_renew_it(
    example_network, workspace, owner, django_capture_on_commit_callbacks
):
    channel = channel_expiring_in(workspace, timedelta(days=5))  # no refresh token

    with django_capture_on_commit_callbacks(execute=True):
        assert tokens.renew(channel.pk) == "warned"
        assert tokens.renew(channel.pk) == "warned before"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert "Page" in mail.outbox[0].subject


def test_a_refusal_on_the_last_day_warns_and_past_the_end_marks_the_channel(
    example_network, workspace, owner, django_capture_on_commit_callbacks
):
    example_network.refresh_answer = ConnectorError("Token revoked", ErrorKind.AUTH_EXPIRED)
    channel = channel_expiring_in(workspace, timedelta(hours=2), refresh_token="r")
    with django_capture_on_commit_callbacks(execute=True):
        assert tokens.renew(channel.pk) == "warned"
    Channel.objects.filter(pk=channel.pk).update(
        credentials_expire_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tokens.renew(channel.pk) == "expired"

    channel.refresh_from_db()
    assert channel.health == Health.AUTH_EXPIRED
    assert len(mail.outbox) == 2  # the warning, then "reconnect"
    assert channel.pk not in tokens.due()


def test_a_network_that_does_not_answer_is_tried_again_next_hour(example_network, workspace):
    example_network.refresh_answer = ConnectorError("timeout", ErrorKind.TRANSIENT)
    channel = channel_expiring_in(workspace, timedelta(hours=2), refresh_token="r")

    assert tokens.renew(channel.pk) == "retry"
    channel.refresh_from_db()
    assert channel.health == Health.OK
    assert channel.expiry_warned_at is None


def test_a_channel_being_fetched_is_left_for_the_next_sweep(example_network, workspace):
    channel = channel_expiring_in(workspace, timedelta(hours=2), refresh_token="r")
    Channel.objects.filter(pk=channel.pk).update(fetching_since=timezone.now())

    assert tokens.renew(channel.pk) == "busy"


def test_the_periodic_task_counts_what_it_did(example_network, workspace):
    example_network.refresh_answer = {"access_token": "new"}
    channel_expiring_in(workspace, timedelta(hours=2), refresh_token="r")
    channel_expiring_in(workspace, timedelta(days=4))

    assert tasks.renew_expiring_credentials.call_local() == {"refreshed": 1, "warned": 1}


def test_a_call_refused_after_the_sweep_renewed_the_tokens_uses_the_renewed_ones(
    example_network, workspace
):
    """X gives a new refresh token at each refresh and refuses the old one: refreshing again
    from stale credentials would lose the channel."""
    from liant.channels.fetching import with_fresh_credentials

    channel = channel_expiring_in(workspace, timedelta(hours=1), refresh_token="r1")
    stale = Channel.objects.get(pk=channel.pk)  # what a worker loaded before the sweep ran
    channel.credentials = {"access_token": "renewed", "refresh_token": "r2"}
    channel.save()
    example_network.refresh_answer = AssertionError("must not refresh from stale credentials")
    seen = []

    def call(connector):
        seen.append(connector.credentials["access_token"])
        if connector.credentials["access_token"] != "renewed":
            raise ConnectorError("Token expired", ErrorKind.AUTH_EXPIRED)
        return "ok"

    assert with_fresh_credentials(stale, call) == "ok"
    assert seen == ["old", "renewed"]
