"""Polls, contests, events and the idea box inside the space: a signed-in account acts as
its member through the animation and feedback services, whose rules hold here too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from liant.animation.models import Contest, Entry, Meetup, Poll, PollChoice, PollVote, Rsvp
from liant.feedback.models import Idea, IdeaStatus, Proposer, Vote
from liant.members.models import Consent, Identity
from liant.space.models import SpaceAccount
from liant.space.posting import open_channel, space_of
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(workspace) -> Poll:
    found = Poll.objects.create(workspace=workspace, question="Quel <b>café</b> ?")
    PollChoice.objects.create(poll=found, text="Moka", position=0)
    PollChoice.objects.create(poll=found, text="Filtre", position=1)
    return found


@pytest.fixture
def contest(workspace) -> Contest:
    return Contest.objects.create(
        workspace=workspace, title="Gagnez un moulin", rules="Un par foyer.", prize="Moulin"
    )


@pytest.fixture
def meetup(workspace) -> Meetup:
    return Meetup.objects.create(
        workspace=workspace,
        title="Dégustation",
        starts_at=timezone.now() + timedelta(days=3),
        capacity=1,
    )


def member_of(account: SpaceAccount):
    return Identity.objects.get(network="space", key=account.remote_id).member


def test_the_page_lists_what_is_open_and_a_visitor_is_asked_to_sign_in(
    space, poll, contest, meetup, workspace
):
    Poll.objects.create(workspace=workspace, question="Fermé", is_open=False)
    Meetup.objects.create(
        workspace=workspace, title="Passé", starts_at=timezone.now() - timedelta(days=3)
    )
    Idea.objects.create(
        workspace=workspace,
        title="Un café décaféiné",
        status=IdeaStatus.DECLINED,
        public_reason="Pas de machine.",
    )
    page = Client().get(url(space, "animation/")).content.decode()
    assert "Quel &lt;b&gt;café&lt;/b&gt; ?" in page and "Fermé" not in page
    assert "Gagnez un moulin" in page and "Dégustation" in page and "Passé" not in page
    assert "Un café décaféiné" in page and "Pas de machine." in page
    assert 'name="choice"' not in page  # no form for a visitor
    assert Client().post(url(space, f"animation/poll/{poll.pk}/vote/")).status_code == 302
    assert not PollVote.objects.exists()


def test_voting_in_a_poll_once(space, poll, alice_client, alice):
    moka, filtre = poll.choices.all()
    answer = alice_client.post(url(space, f"animation/poll/{poll.pk}/vote/"), {"choice": moka.pk})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#poll-{poll.pk}")
    alice_client.post(url(space, f"animation/poll/{poll.pk}/vote/"), {"choice": filtre.pk})
    vote = PollVote.objects.get()
    assert (vote.choice, vote.member) == (moka, member_of(alice))
    page = alice_client.get(url(space, "animation/")).content.decode()
    assert "You have voted." in page or "Vous avez voté" in page
    assert "100 %" in page


def test_a_choice_of_another_poll_or_none_is_refused(space, poll, workspace, alice_client):
    other = Poll.objects.create(workspace=workspace, question="Autre")
    theirs = PollChoice.objects.create(poll=other, text="X")
    alice_client.post(url(space, f"animation/poll/{poll.pk}/vote/"), {"choice": theirs.pk})
    alice_client.post(url(space, f"animation/poll/{poll.pk}/vote/"), {"choice": "x"})
    assert not PollVote.objects.exists()


def test_entering_a_contest_needs_the_rules_and_counts_once(space, contest, alice_client, alice):
    alice_client.post(url(space, f"animation/contest/{contest.pk}/enter/"))
    assert not Entry.objects.exists()
    alice_client.post(url(space, f"animation/contest/{contest.pk}/enter/"), {"consent": "on"})
    alice_client.post(url(space, f"animation/contest/{contest.pk}/enter/"), {"consent": "on"})
    entry = Entry.objects.get()
    assert entry.member == member_of(alice)
    assert Consent.objects.filter(member=entry.member, purpose="contest_rules").exists()
    assert entry.label in alice_client.get(url(space, "animation/")).content.decode()
    Contest.objects.update(state=Contest.State.FROZEN)
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob.post(url(space, f"animation/contest/{contest.pk}/enter/"), {"consent": "on"})
    assert Entry.objects.count() == 1


def test_rsvp_takes_the_last_place_then_the_waiting_list(space, meetup, alice_client, alice):
    alice_client.post(url(space, f"animation/event/{meetup.pk}/rsvp/"))
    alice_client.post(url(space, f"animation/event/{meetup.pk}/rsvp/"))
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob.post(url(space, f"animation/event/{meetup.pk}/rsvp/"))
    statuses = dict(Rsvp.objects.values_list("email", "status"))
    assert statuses == {"alice@example.org": "going", "bob@example.org": "waiting"}
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_proposing_and_voting_for_ideas(space, alice_client, alice):
    alice_client.post(
        url(space, "animation/ideas/new/"), {"title": "<img src=x onerror=alert(1)>", "text": ""}
    )
    idea = Idea.objects.get()
    assert Proposer.objects.get(idea=idea).member == member_of(alice)
    assert Vote.objects.filter(idea=idea).count() == 1  # the proposer's own vote
    alice_client.post(url(space, f"animation/idea/{idea.pk}/vote/"))
    bob = Client()
    join(bob, space, "bob@example.org", "Bob")
    bob.post(url(space, f"animation/idea/{idea.pk}/vote/"))
    bob.post(url(space, f"animation/idea/{idea.pk}/vote/"))
    assert Vote.objects.filter(idea=idea).count() == 2
    page = bob.get(url(space, "animation/")).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    alice_client.post(url(space, "animation/ideas/new/"), {"title": "x"})  # too short
    assert Idea.objects.count() == 1


def test_a_banned_or_muted_account_cannot_act(space, poll, contest, meetup, alice_client, alice):
    choice = poll.choices.first()
    for field in ("banned_at", "muted_at"):
        SpaceAccount.objects.filter(pk=alice.pk).update(**{field: timezone.now()})
        alice_client.post(url(space, f"animation/poll/{poll.pk}/vote/"), {"choice": choice.pk})
        alice_client.post(url(space, f"animation/contest/{contest.pk}/enter/"), {"consent": "on"})
        alice_client.post(url(space, f"animation/event/{meetup.pk}/rsvp/"))
        answer = alice_client.post(url(space, "animation/ideas/new/"), {"title": "Une idée"})
        SpaceAccount.objects.filter(pk=alice.pk).update(**{field: None})
    assert answer.status_code == 302
    assert not (
        PollVote.objects.exists()
        or Entry.objects.exists()
        or Rsvp.objects.exists()
        or Idea.objects.exists()
    )


def test_another_space_reaches_nothing(space, poll, contest, meetup, other_workspace):
    other = space_of(other_workspace)
    other.enabled = True
    other.title = "Rival"
    other.save()
    open_channel(other)
    stranger = Client()
    join(stranger, other, "eve@example.org", "Eve")
    idea = Idea.objects.create(workspace=space.workspace, title="Idée")
    base = f"/space/{other_workspace.slug}/animation/"
    assert stranger.post(f"{base}poll/{poll.pk}/vote/", {"choice": 1}).status_code == 404
    assert stranger.post(f"{base}contest/{contest.pk}/enter/", {"consent": "on"}).status_code == 404
    assert stranger.post(f"{base}event/{meetup.pk}/rsvp/").status_code == 404
    assert stranger.post(f"{base}idea/{idea.pk}/vote/").status_code == 404
    page = stranger.get(base).content.decode()
    assert "Quel" not in page and "Gagnez" not in page and "Idée" not in page
    assert not (PollVote.objects.exists() or Entry.objects.exists() or Rsvp.objects.exists())
    assert stranger.get(url(space, "animation/")).status_code == 200  # signed out there
