"""Polls with their results (polls.results), contests with their draw, events with RSVPs."""

from __future__ import annotations

import pytest

from liant.animation.models import Contest, Entry, Meetup, Poll, PollChoice, PollVote, Rsvp
from liant.members.models import Member
from tests.api.conftest import T0, Api, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(workspace, seeded):
    poll = Poll.objects.create(workspace=workspace, question="Tea or coffee?")
    tea = PollChoice.objects.create(poll=poll, text="Tea", position=0)
    PollChoice.objects.create(poll=poll, text="Coffee", position=1)
    PollVote.objects.create(poll=poll, choice=tea, member=seeded.member)
    return poll


@pytest.fixture
def contest(workspace, seeded):
    contest = Contest.objects.create(workspace=workspace, title="Giveaway", prize="A mug")
    Entry.objects.create(workspace=workspace, contest=contest, member=seeded.member, source="form")
    return contest


@pytest.fixture
def meetup(workspace, seeded):
    meetup = Meetup.objects.create(workspace=workspace, title="Apéro", starts_at=T0, capacity=1)
    Rsvp.objects.create(
        workspace=workspace,
        meetup=meetup,
        member=seeded.member,
        name="Ana",
        email="a@ex.org",
        status=Rsvp.Status.GOING,
    )
    other = Member.objects.create(workspace=workspace, name="Bea")
    Rsvp.objects.create(
        workspace=workspace,
        meetup=meetup,
        member=other,
        name="Bea",
        email="b@ex.org",
        status=Rsvp.Status.WAITING,
    )
    return meetup


def test_polls_with_results(api, poll):
    assert [p["id"] for p in api.get("/polls").json()["items"]] == [poll.pk]
    assert api.get("/polls", is_open=False).json()["items"] == []
    body = api.get(f"/polls/{poll.pk}").json()
    assert body["total_votes"] == 1
    assert [(c["text"], c["votes"], c["percent"]) for c in body["choices"]] == [
        ("Tea", 1, 100),
        ("Coffee", 0, 0),
    ]


def test_contests_with_entries(api, contest):
    assert [c["id"] for c in api.get("/contests").json()["items"]] == [contest.pk]
    assert api.get("/contests", state="drawn").json()["items"] == []
    body = api.get(f"/contests/{contest.pk}").json()
    assert body["entries"] == 1 and body["state"] == "open" and body["winners"] == []


def test_events_with_rsvp_counts(api, meetup):
    assert [e["id"] for e in api.get("/events").json()["items"]] == [meetup.pk]
    rsvps = api.get(f"/events/{meetup.pk}").json()["rsvps"]
    assert rsvps == {"going": 1, "waiting": 1, "cancelled": 0, "checked_in": 0}


def test_animation_needs_animation_manage(workspace, owner, poll, contest, meetup):
    for scope in ("read", "publish", "moderate"):
        caller = Api(token_for(workspace, owner, scope))
        for path in ("/polls", f"/contests/{contest.pk}", f"/events/{meetup.pk}"):
            assert caller.get(path).status_code == 403, (scope, path)


def test_another_workspaces_animation_is_a_404(outsider_api, poll, contest, meetup):
    for path in (f"/polls/{poll.pk}", f"/contests/{contest.pk}", f"/events/{meetup.pk}"):
        assert outsider_api.get(path).status_code == 404, path
    assert outsider_api.get("/polls").json()["items"] == []
