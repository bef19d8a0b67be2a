"""Animation pages: the team's pages (permission, workspace scope) and the public pages."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from liant.animation import contests, meetups
from liant.animation.models import Contest, Entry, Meetup, Poll, PollChoice, Rsvp
from liant.animation.people import member_for_email
from liant.core import csvexport
from liant.core.permissions import Role
from liant.members.models import Activity, ActivityKind, Consent
from tests.conftest import client_for, make_user


def contest_with_entries(workspace, n: int = 4) -> Contest:
    contest = Contest.objects.create(workspace=workspace, title="Grand jeu", winners_count=2)
    for i in range(n):
        member, _ = member_for_email(workspace, f"fan{i}@example.org", f"Fan {i}")
        Consent.objects.create(member=member, purpose=Consent.Purpose.CONTEST_RULES)
        contests.add_entry(contest, member, Entry.Source.FORM, timezone.now())
    return contest


def test_a_community_manager_runs_a_contest_from_creation_to_draw(workspace, member_client):
    base = f"/w/{workspace.slug}/animation/"
    response = member_client.post(
        base + "contests/new/",
        {"title": "Un an de Lumière", "winners_count": 2, "form_enabled": "on",
         "count_comments": "on", "min_account_days": 0, "require_consent": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    contest = Contest.objects.get(workspace=workspace)
    for i in range(3):
        member, _ = member_for_email(workspace, f"p{i}@example.org", f"P {i}")
        Consent.objects.create(member=member, purpose=Consent.Purpose.CONTEST_RULES)
        contests.add_entry(contest, member, Entry.Source.FORM, timezone.now())
    page = member_client.get(f"{base}contests/{contest.pk}/")
    assert page.status_code == 200 and "p0@example.org" not in page.content.decode()
    member_client.post(f"{base}contests/{contest.pk}/freeze/")
    contest.refresh_from_db()
    assert contest.state == Contest.State.FROZEN
    # Editing a frozen contest is refused.
    member_client.post(f"{base}contests/{contest.pk}/edit/", {"title": "Autre", "winners_count": 9})
    contest.refresh_from_db()
    assert contest.title == "Un an de Lumière"
    member_client.post(f"{base}contests/{contest.pk}/draw/")
    contest.refresh_from_db()
    assert contest.state == Contest.State.DRAWN and contest.winners.count() == 2
    page = member_client.get(f"{base}contests/{contest.pk}/").content.decode()
    assert contest.secret in page


def test_the_public_page_shows_hashes_then_the_secret_and_winners_without_emails(workspace, client):
    contest = contest_with_entries(workspace)
    url = f"/animation/contests/{contest.token}/"
    contests.freeze(contest, draw_at=timezone.now() + timedelta(hours=1))
    page = client.get(url).content.decode()
    assert contest.list_hash in page and contest.secret_hash in page
    assert contest.secret not in page
    assert client.get(f"{url}draw.json").json()["secret"] is None
    contests.draw(contest, now=timezone.now() + timedelta(hours=2))
    contest.refresh_from_db()
    page = client.get(url).content.decode()
    assert contest.secret in page and contest.seed in page
    for winner in contest.winners.all():
        assert winner.label in page
    assert "@example.org" not in page and "Fan " not in page
    download = client.get(f"{url}draw.json")
    assert download["Content-Disposition"].startswith("attachment")
    document = json.loads(download.content)
    assert "@example.org" not in download.content.decode()
    from liant.animation import verify_draw

    assert verify_draw.verify(document)[0]
    assert client.get(f"{url}list.json").content == contest.list_json.encode()
    script = client.get("/animation/verify_draw.py")
    assert b"def verify" in script.content


def test_an_open_contest_has_no_draw_to_download(workspace, client):
    contest = contest_with_entries(workspace, 1)
    assert client.get(f"/animation/contests/{contest.token}/draw.json").status_code == 404
    assert client.get("/animation/contests/not-a-token/").status_code == 404


def test_a_moderator_without_the_permission_is_refused(workspace):
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    assert moderator.get(f"/w/{workspace.slug}/animation/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "contests/{c}/", "contests/{c}/edit/", "contests/{c}/entries.csv", "events/{m}/",
        "events/{m}/edit/", "events/{m}/rsvps.csv", "polls/{p}/",
    ],
)  # fmt: skip
def test_an_outsider_gets_404_on_real_objects(workspace, outsider, outsider_client, path):
    contest = contest_with_entries(workspace, 1)
    meetup = Meetup.objects.create(workspace=workspace, title="M", starts_at=timezone.now())
    poll = Poll.objects.create(workspace=workspace, question="Q")
    own = outsider.memberships.get().workspace.slug
    url = f"/w/{own}/animation/" + path.format(c=contest.pk, m=meetup.pk, p=poll.pk)
    assert outsider_client.get(url).status_code == 404


def test_a_visitor_rsvps_downloads_the_invitation_and_cancels(workspace, client):
    meetup = Meetup.objects.create(
        workspace=workspace, title="Atelier latte art", capacity=1,
        starts_at=timezone.now() + timedelta(days=2), place="Atelier, Lyon",
    )  # fmt: skip
    url = f"/animation/events/{meetup.token}/"
    assert client.get(url).status_code == 200
    first = client.post(url, {"name": "Zoé", "email": "zoe@example.org"})
    assert first.status_code == 302
    other = client.post(url, {"name": "Yann", "email": "yann@example.org"})
    yann = Rsvp.objects.get(email="yann@example.org")
    assert yann.status == Rsvp.Status.WAITING
    waiting_page = client.get(other["Location"]).content.decode()
    assert "number 1 on the waiting list" in waiting_page
    ics = client.get(f"{url}invitation.ics")
    assert ics["Content-Type"] == "text/calendar" and b"BEGIN:VEVENT" in ics.content
    zoe = Rsvp.objects.get(email="zoe@example.org")
    client.post(f"/animation/rsvp/{zoe.token}/cancel/")
    yann.refresh_from_db()
    assert yann.status == Rsvp.Status.GOING
    assert "zoe@example.org" not in client.get(url).content.decode()


def test_staff_check_in_records_attendance(workspace, member_client):
    meetup = Meetup.objects.create(workspace=workspace, title="Live", starts_at=timezone.now())
    member, _ = member_for_email(workspace, "quentin@example.org", "Quentin")
    row = meetups.rsvp(meetup, member, "Quentin", "quentin@example.org")
    page = member_client.get(f"/w/{workspace.slug}/animation/events/{meetup.pk}/")
    assert "quentin@example.org" in page.content.decode()  # the staff's own list
    member_client.post(f"/w/{workspace.slug}/animation/rsvps/{row.pk}/check-in/")
    assert Activity.objects.filter(member=member, kind=ActivityKind.EVENT_ATTENDED).count() == 1


def test_a_poll_counts_one_vote_per_email(workspace, client, member_client):
    response = member_client.post(
        f"/w/{workspace.slug}/animation/polls/new/",
        {"question": "Votre origine préférée ?", "choices": "Éthiopie\nBrésil\n\nÉthiopie",
         "results_public": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    poll = Poll.objects.get(workspace=workspace)
    assert list(poll.choices.values_list("text", flat=True)) == ["Éthiopie", "Brésil"]
    ethiopie, bresil = PollChoice.objects.filter(poll=poll)
    url = f"/animation/polls/{poll.token}/"
    client.post(url, {"email": "a@example.org", "choice": ethiopie.pk})
    client.post(url, {"email": "A@example.org", "choice": bresil.pk})  # same address
    client.post(url, {"email": "b@example.org", "choice": ethiopie.pk})
    assert poll.votes.count() == 2
    assert set(poll.votes.values_list("choice_id", flat=True)) == {ethiopie.pk}
    assert Activity.objects.filter(kind=ActivityKind.POLL_VOTE).count() == 2
    page = client.get(url).content.decode()
    assert "100 %" in page and "@example.org" not in page


def test_times_are_typed_in_the_workspace_time_zone(workspace, member_client):
    workspace.timezone = "America/Montreal"
    workspace.save()
    response = member_client.post(
        f"/w/{workspace.slug}/animation/events/new/",
        {"title": "Session", "kind": "online", "starts_at": "2026-12-06T18:30",
         "link": "visio.example/salle", "capacity": ""},
    )  # fmt: skip
    assert response.status_code == 302
    meetup = Meetup.objects.get(workspace=workspace)
    assert meetup.starts_at.astimezone(UTC).strftime("%H:%M") == "23:30"
    assert meetup.link == "https://visio.example/salle"
    page = member_client.get(f"/w/{workspace.slug}/animation/events/{meetup.pk}/")
    assert "6:30 p.m." in page.content.decode()  # not 11:30 p.m., the UTC time


def test_a_contests_entries_export_as_csv_with_eligibility_and_winners(workspace, member_client):
    contest = contest_with_entries(workspace, 3)
    late, _ = member_for_email(workspace, "=late@example.org", "=SUM(A1)")  # no consent
    contests.add_entry(contest, late, Entry.Source.FORM, timezone.now())
    base = f"/w/{workspace.slug}/animation/contests/{contest.pk}/"
    assert "entries.csv" in member_client.get(base).content.decode()
    lines = csvexport.body(member_client.get(base + "entries.csv")).splitlines()
    assert len(lines) == 5 and "fan0@example.org" in lines[1]
    assert "'=SUM(A1)" in lines[4] and "no consent" in lines[4]
    contests.freeze(contest, draw_at=timezone.now())
    contests.draw(contest)
    drawn = csvexport.body(member_client.get(base + "entries.csv")).splitlines()[1:]
    labels = set(contest.winners.values_list("label", flat=True))
    assert len(labels) == 2 and {line.rsplit(",", 1)[1] for line in drawn} - {""} == labels
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    assert moderator.get(base + "entries.csv").status_code == 403


def test_an_events_answers_export_as_csv(workspace, member_client):
    meetup = Meetup.objects.create(
        workspace=workspace, title="Live", starts_at=timezone.now(), capacity=1
    )
    for who in ("quentin", "rose"):
        member, _ = member_for_email(workspace, f"{who}@example.org", who.title())
        meetups.rsvp(meetup, member, who.title(), f"{who}@example.org")
    url = f"/w/{workspace.slug}/animation/events/{meetup.pk}/"
    assert "rsvps.csv" in member_client.get(url).content.decode()
    lines = csvexport.body(member_client.get(url + "rsvps.csv")).splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Name,E-mail,Answer")
    assert lines[1].startswith("Quentin,quentin@example.org,") and "Waiting" in lines[2]
