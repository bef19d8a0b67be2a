"""Events: capacity and waiting list, cancellation, invitation, reminders, check-in."""

from __future__ import annotations

import threading
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from liant.animation import meetups
from liant.animation.models import Meetup, Rsvp
from liant.animation.people import member_for_email
from liant.members.models import Activity, ActivityKind


def make_meetup(workspace, **fields) -> Meetup:
    defaults = {
        "title": "Dégustation à l'atelier",
        "starts_at": (timezone.now() + timedelta(days=3)).replace(microsecond=0),
        "place": "12 rue des Torréfacteurs, Lyon",
        "capacity": 2,
    }
    return Meetup.objects.create(workspace=workspace, **{**defaults, **fields})


def answer(meetup: Meetup, who: str) -> Rsvp:
    member, _ = member_for_email(meetup.workspace, f"{who}@example.org", who.title())
    return meetups.rsvp(meetup, member, who.title(), f"{who}@example.org")


def statuses(meetup: Meetup) -> dict[str, str]:
    return dict(Rsvp.objects.filter(meetup=meetup).values_list("name", "status"))


def test_past_capacity_people_wait_and_a_cancellation_promotes_the_first(
    workspace, django_capture_on_commit_callbacks
):
    meetup = make_meetup(workspace)
    first, _second, third, _fourth = (answer(meetup, w) for w in ("ana", "ben", "cy", "dan"))
    assert statuses(meetup) == {"Ana": "going", "Ben": "going", "Cy": "waiting", "Dan": "waiting"}
    with django_capture_on_commit_callbacks(execute=True):
        promoted = meetups.cancel(first)
    assert promoted is not None and promoted.pk == third.pk
    assert [m.to for m in mail.outbox] == [["cy@example.org"]]  # told they have a place
    assert statuses(meetup) == {
        "Ana": "cancelled", "Ben": "going", "Cy": "going", "Dan": "waiting",
    }  # fmt: skip
    meetup.refresh_from_db()
    assert meetup.going_count == 2


def test_answering_twice_keeps_one_answer_and_a_waiting_cancellation_frees_nothing(workspace):
    meetup = make_meetup(workspace, capacity=1)
    answer(meetup, "eve")
    waiting = answer(meetup, "fred")
    assert answer(meetup, "eve").status == Rsvp.Status.GOING
    assert Rsvp.objects.filter(meetup=meetup).count() == 2
    assert meetups.cancel(waiting) is None
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_the_last_place_freed_with_nobody_waiting_is_free_again(workspace):
    meetup = make_meetup(workspace, capacity=1)
    gus = answer(meetup, "gus")
    meetups.cancel(gus)
    meetup.refresh_from_db()
    assert meetup.going_count == 0
    assert answer(meetup, "hana").status == Rsvp.Status.GOING
    # Coming back after cancelling puts you at the end, here on the waiting list.
    assert answer(meetup, "gus").status == Rsvp.Status.WAITING


def test_raising_the_capacity_moves_the_waiting_list_up(workspace):
    meetup = make_meetup(workspace, capacity=1)
    for who in ("ines", "jo", "kim"):
        answer(meetup, who)
    Meetup.objects.filter(pk=meetup.pk).update(capacity=2)
    meetup.refresh_from_db()
    assert meetups.fill_free_places(meetup) == 1
    assert statuses(meetup) == {"Ines": "going", "Jo": "going", "Kim": "waiting"}


@pytest.mark.django_db(transaction=True)
def test_answers_at_the_same_moment_never_exceed_the_capacity(workspace):
    meetup = make_meetup(workspace, capacity=3)
    members = [
        member_for_email(workspace, f"rush{i}@example.org", f"Rush {i}")[0] for i in range(8)
    ]
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def worker(member) -> None:
        try:
            start.wait()
            meetups.rsvp(meetup, member, member.name, member.email)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Rsvp.objects.filter(meetup=meetup, status=Rsvp.Status.GOING).count() == 3
    assert Rsvp.objects.filter(meetup=meetup, status=Rsvp.Status.WAITING).count() == 5
    meetup.refresh_from_db()
    assert meetup.going_count == 3


def test_the_invitation_is_an_ics_in_the_workspace_time_zone(workspace):
    workspace.timezone = "Europe/Paris"
    workspace.save()
    meetup = make_meetup(workspace, description="Trois origines; un café, deux\nlignes")
    calendar = icalendar.Calendar.from_ical(meetups.invitation(meetup))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == meetup.title
    assert str(event["location"]) == meetup.place
    assert event.decoded("dtstart") == meetup.starts_at
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Paris"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert str(event["uid"]).startswith(f"meetup-{meetup.token}@")


def test_reminders_go_the_day_before_once_per_place(workspace):
    soon = make_meetup(workspace, starts_at=timezone.now() + timedelta(hours=20), capacity=1)
    later = make_meetup(workspace, starts_at=timezone.now() + timedelta(days=5))
    answer(soon, "lou")
    answer(soon, "mia")  # waiting: no reminder for a place they do not have
    answer(later, "noe")
    assert meetups.send_reminders() == 1
    assert meetups.send_reminders() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lou@example.org"]
    assert soon.title in mail.outbox[0].subject
    assert "/animation/rsvp/" in mail.outbox[0].body


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(workspace, monkeypatch):
    meetup = make_meetup(workspace, starts_at=timezone.now() + timedelta(hours=5))
    row = answer(meetup, "olga")
    due = meetups.due_reminders(timezone.now())
    # Another worker claims the row between this one's read and its claim.
    Rsvp.objects.filter(pk=row.pk).update(reminder_sent_at=timezone.now())
    monkeypatch.setattr(meetups, "due_reminders", lambda now: due)
    assert meetups.send_reminders() == 0
    assert mail.outbox == []


def test_check_in_records_attendance_once(workspace):
    meetup = make_meetup(workspace)
    row = answer(meetup, "paul")
    assert meetups.check_in(row)
    assert not meetups.check_in(row)
    activity = Activity.objects.get(member=row.member)
    assert activity.kind == ActivityKind.EVENT_ATTENDED


def test_a_member_with_a_private_messaging_account_is_also_reminded_there(workspace, monkeypatch):
    from liant.channels.models import Channel
    from liant.connectors import registry
    from liant.members.models import Identity
    from tests.inbox.fakes import ScriptedReplier

    monkeypatch.setitem(
        registry.KINDS, "scripted_reply", ("Scripted replies", "tests.inbox.fakes.ScriptedReplier")
    )
    registry.connector_class.cache_clear()
    ScriptedReplier.script, ScriptedReplier.sent = [], []
    social = Channel.objects.create(workspace=workspace, kind="scripted_reply", name="Social")
    meetup = make_meetup(workspace, starts_at=timezone.now() + timedelta(hours=20))
    lou, mia = answer(meetup, "lou"), answer(meetup, "mia")
    Identity.objects.create(
        workspace=workspace,
        member=lou.member,
        network="scripted_reply",
        key="lou-social",
        remote_id="lou-social",
        handle="@lou",
        channel=social,
    )
    try:
        assert meetups.send_reminders() == 2
        assert meetups.send_reminders() == 0
        assert [(verb, to) for verb, to, _d in ScriptedReplier.sent] == [("direct", "lou-social")]
        assert meetup.title in ScriptedReplier.sent[0][2].text
        assert len(mail.outbox) == 2  # the e-mail goes to both, as before
        Rsvp.objects.filter(pk=mia.pk).update(reminder_sent_at=None)
        Meetup.objects.filter(pk=meetup.pk).update(dm_reminders=False)
    finally:
        registry.connector_class.cache_clear()
