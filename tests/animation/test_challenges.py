"""Challenges over a period: hashtag and form submissions, and a leaderboard by days."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from liant.animation import challenges
from liant.animation.models import Challenge, Submission
from liant.members.models import Activity, Member
from tests.members.factories import channel as make_channel
from tests.members.factories import event


def make(workspace, **fields) -> Challenge:
    now = timezone.now()
    fields.setdefault("starts_at", now - timedelta(days=10))
    fields.setdefault("ends_at", now + timedelta(days=10))
    return Challenge.objects.create(workspace=workspace, title="Un café par jour", **fields)


def test_messages_with_the_hashtag_in_the_period_are_submissions_once(workspace):
    mastodon = make_channel(workspace, "mastodon")
    challenge = make(workspace, hashtag="DefiLumiere", channel=mastodon)
    for days in (1, 2, 2):
        event(mastodon, "lea", kind="post", text="Mon café #DefiLumiere", days_ago=days)
    event(mastodon, "tom", kind="post", text="#DefiLumiere", days_ago=1)
    event(mastodon, "tom", kind="post", text="#DefiLumiere trop tôt", days_ago=20)
    event(mastodon, "ana", kind="post", text="#DefiLumiereBis ne compte pas", days_ago=1)
    event(make_channel(workspace, "mastodon"), "zoe", kind="post", text="#DefiLumiere", days_ago=1)
    assert challenges.collect(challenge) == 4
    assert challenges.collect(challenge) == 0  # reading again adds nothing
    leaders = challenges.leaderboard(challenge)
    assert [(s.member.name, s.days, s.submissions) for s in leaders] == [
        ("Lea", 2, 3),
        ("Tom", 1, 1),
    ]


def test_the_public_form_takes_submissions_only_in_the_period(client, workspace):
    challenge = make(workspace)
    url = f"/animation/challenges/{challenge.token}/"
    data = {"name": "Léa Martin", "email": "lea@example.org", "text": "<b>Latte</b> art"}
    page = client.post(url, data)
    assert page.status_code == 200 and page.context["sent"]
    submission = Submission.objects.get()
    assert submission.text == "Latte art"  # no markup from outside is kept
    member = Member.objects.get(email="lea@example.org")
    assert Activity.objects.filter(member=member, kind="challenge").count() == 1
    assert "Léa M." in client.get(url).content.decode()
    assert "lea@example.org" not in client.get(url).content.decode()
    Challenge.objects.filter(pk=challenge.pk).update(ends_at=timezone.now() - timedelta(hours=1))
    client.post(url, data)
    assert Submission.objects.count() == 1


def test_team_pages_and_an_outsider(owner_client, outsider_client, workspace):
    mastodon = make_channel(workspace, "mastodon")
    response = owner_client.post(
        f"/w/{workspace.slug}/animation/challenges/new/",
        {
            "title": "Défi latte art",
            "starts_at": "2026-12-01T08:00",
            "ends_at": "2026-12-31T20:00",
            "channel": mastodon.pk,
            "hashtag": "#LatteLumiere",
        },
    )
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.hashtag == "LatteLumiere" and not challenge.form_enabled
    detail = f"/w/{workspace.slug}/animation/challenges/{challenge.pk}/"
    assert owner_client.get(detail).status_code == 200
    assert outsider_client.get(detail).status_code == 404
    assert outsider_client.post(detail + "collect/").status_code == 404
    nobody = owner_client.post(
        f"/w/{workspace.slug}/animation/challenges/new/",
        {"title": "x", "starts_at": "2026-12-01T08:00", "ends_at": "2026-11-01T08:00"},
    )
    assert nobody.status_code == 200 and Challenge.objects.count() == 1
