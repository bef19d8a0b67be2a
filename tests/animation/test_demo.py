"""The demo step: a drawn contest that verifies and a full meetup, the same after two runs."""

from __future__ import annotations

from liant.animation import contests, verify_draw
from liant.animation.demo import CONTEST_TITLE, MEETUP_TITLE, animation
from liant.animation.models import Contest, Entry, Meetup, PollVote, QuizAttempt, Rsvp, Winner
from liant.core.models import Organisation, Workspace
from liant.demo.loader import STEPS, DemoContext, import_module_steps
from liant.members.models import Activity, Member
from tests.conftest import make_user


def snapshot() -> dict:
    return {
        "members": Member.objects.count(),
        "contests": list(Contest.objects.values_list("title", "list_hash", "secret_hash")),
        "entries": Entry.objects.count(),
        "winners": list(Winner.objects.values_list("entry_id", "rank")),
        "rsvps": list(Rsvp.objects.values_list("member_id", "status")),
        "votes": PollVote.objects.count(),
        "quiz": list(QuizAttempt.objects.values_list("member_id", "score")),
        "activities": Activity.objects.count(),
    }


def test_the_demo_step_is_registered_and_idempotent(db, client):
    import_module_steps()
    assert any(name == "liant.animation.demo.animation" for _, name, _ in STEPS)
    organisation = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=organisation, name="Maison Lumière", slug="maison-lumiere"
    )
    camille = make_user("camille@maison-lumiere.example", workspace)
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {"camille": camille})
    animation(context)
    first = snapshot()
    animation(context)
    assert snapshot() == first

    contest = Contest.objects.get(title=CONTEST_TITLE)
    assert contest.state == Contest.State.DRAWN and contest.winners.count() == 3
    ok, findings, _ = verify_draw.verify(contests.draw_document(contest))
    assert ok, findings
    excluded = set(Entry.objects.filter(contest=contest).values_list("excluded_because", flat=True))
    assert {"", "no_consent", "country"} <= excluded
    page = client.get(f"/animation/contests/{contest.token}/").content.decode()
    assert contest.secret in page and "@example.org" not in page

    meetup = Meetup.objects.get(title=MEETUP_TITLE)
    statuses = list(Rsvp.objects.filter(meetup=meetup).values_list("status", flat=True))
    assert statuses.count("going") == meetup.capacity == meetup.going_count
    assert statuses.count("waiting") >= 1 and statuses.count("cancelled") == 1
    assert QuizAttempt.objects.count() == 6
    assert QuizAttempt.objects.order_by("-score", "at").first().score == 4
