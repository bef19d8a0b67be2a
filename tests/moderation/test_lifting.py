"""Mutes and bans end: by their time (the minute sweep), or early by a moderator; each once,
through the connector where it has a verb for it, logged either way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liant.channels import fetching
from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.moderation import actions, lifting
from liant.moderation.models import Action, LogEntry, Outcome
from liant.moderation.tasks import lift_expired_mutes
from tests.conftest import client_for, make_user
from tests.moderation.conftest import rule, store
from tests.moderation.test_networks import instance, mastodon_channel, mention_saying  # noqa: F401

pytestmark = pytest.mark.django_db


def sanction(channel, action=Action.MUTE, minutes=-1, **fields):
    event = store(channel, "message", author="amy")
    return LogEntry.objects.create(
        workspace=channel.workspace,
        event=event,
        action=action,
        text=event.text,
        author_remote_id="amy",
        outcome=fields.pop("outcome", Outcome.APPLIED),
        mute_until=timezone.now() + timedelta(minutes=minutes) if minutes is not None else None,
        **fields,
    )


@pytest.fixture
def network_lifts(monkeypatch):
    """A connector that can take a sanction back (none in Liant has the verb yet)."""
    calls = []

    def lift_on_network(event, action):
        calls.append((event.remote_id, action))
        return actions.Result(Outcome.APPLIED)

    monkeypatch.setattr(actions, "lift_on_network", lift_on_network)
    return calls


def test_an_expired_mute_is_lifted_once_by_the_sweep(workspace, channel, network_lifts):
    ended = sanction(channel, minutes=-1)
    running = sanction(channel, minutes=30)
    assert lift_expired_mutes.call_local() == 1
    assert lift_expired_mutes.call_local() == 0
    unmute = LogEntry.objects.get(action="unmute")
    assert (unmute.lifts_id, unmute.outcome, unmute.actor) == (ended.pk, Outcome.APPLIED, None)
    assert network_lifts == [(ended.event.remote_id, Action.MUTE)]
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.lifted_at is not None and running.lifted_at is None


def test_a_network_without_moderation_is_recorded_with_the_reason(workspace, channel):
    ended = sanction(channel, minutes=-1)  # on a feed: no moderation at all
    lifting.lift_expired()
    unmute = LogEntry.objects.get(action="unmute")
    assert unmute.outcome == Outcome.NOT_APPLIED and "no way to moderate" in unmute.detail
    ended.refresh_from_db()
    assert ended.lifted_at is not None  # not retried every minute: the log says what to do


def test_a_timed_mastodon_mute_is_lifted_on_mastodon(
    workspace, request, django_capture_on_commit_callbacks
):
    # Mastodon's replayed API, from the network tests (imported above for pytest to find).
    fake = request.getfixturevalue("instance")
    channel = request.getfixturevalue("mastodon_channel")
    rule(workspace, words="idiot", action=Action.MUTE, mute_minutes=1)
    author = mention_saying(fake, "@maisonlumiere you idiot")
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(channel.pk)
    mute = LogEntry.objects.get(action="mute")
    assert lifting.lift_expired(now=mute.mute_until + timedelta(seconds=1)) == 1
    assert len(fake.sent("POST", f"/api/v1/accounts/{author}/unmute")) == 1
    unmute = LogEntry.objects.get(action="unmute")
    assert unmute.outcome == Outcome.APPLIED
    assert lifting.lift_expired(now=mute.mute_until + timedelta(minutes=5)) == 0  # once


def test_a_moderator_lifts_a_ban_early(member_client, member, workspace, channel, network_lifts):
    ban = sanction(channel, action=Action.BAN, minutes=None)
    page = member_client.get(f"/w/{workspace.slug}/moderation/sanctions/").content.decode()
    assert "Lift now" in page and "amy" in page
    url = f"/w/{workspace.slug}/moderation/sanctions/{ban.pk}/lift/"
    assert member_client.post(url).status_code == 302
    unban = LogEntry.objects.get(action="unban")
    assert unban.actor == member and unban.lifts == ban and unban.outcome == Outcome.APPLIED
    assert AuditEvent.objects.filter(action="moderation.lifted").exists()
    member_client.post(url)  # twice: nothing more is sent
    assert LogEntry.objects.filter(action="unban").count() == 1
    page = member_client.get(f"/w/{workspace.slug}/moderation/sanctions/").content.decode()
    assert "No mute or ban is in force." in page


def test_a_mute_that_never_reached_the_network_cannot_be_lifted(member_client, workspace, channel):
    refused = sanction(channel, outcome=Outcome.NOT_APPLIED)
    member_client.post(f"/w/{workspace.slug}/moderation/sanctions/{refused.pk}/lift/")
    assert not LogEntry.objects.filter(action="unmute").exists()


def test_an_analyst_sees_nothing_and_lifts_nothing(workspace, channel):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    ban = sanction(channel, action=Action.BAN, minutes=None)
    assert analyst.get(f"/w/{workspace.slug}/moderation/sanctions/").status_code == 403
    url = f"/w/{workspace.slug}/moderation/sanctions/{ban.pk}/lift/"
    assert analyst.post(url).status_code == 403
    assert not LogEntry.objects.filter(action="unban").exists()
