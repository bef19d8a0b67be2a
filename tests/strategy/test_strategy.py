"""The strategy page (objectives, KPIs, audiences, pillars, tones, formats, rhythm) and what
the calendar learns from it: weeks below a channel's rhythm, pillars left aside. Every view
test also sends the outsider, who gets a 404 and changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.publishing.models import Post, Variant
from liant.publishing.states import State
from liant.strategy import plan
from liant.strategy.models import Audience, Kpi, Objective, Pillar, Rhythm
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/strategy/{path}"


@pytest.fixture
def channel(workspace, owner) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")


def next_monday():
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def planned(channel, day, pillar: str = "", state: str = State.SCHEDULED) -> Post:
    at = datetime.combine(day, time(9, 30), tzinfo=PARIS)
    post = Post.objects.create(workspace=channel.workspace, pillar=pillar, state=state)
    Variant.objects.create(post=post, channel=channel, text="x", state=state, scheduled_at=at)
    return post


def test_the_strategy_is_built_from_the_page(owner_client, outsider_client, workspace, channel):
    assert owner_client.get(url(workspace)).status_code == 200
    owner_client.post(
        url(workspace, "objective/add/"),
        {"objective-kind": "notoriety", "objective-name": "Être le café de quartier"},
    )
    objective = Objective.objects.get(workspace=workspace)
    owner_client.post(
        url(workspace, "kpi/add/"),
        {
            "kpi-objective": objective.pk,
            "kpi-name": "Abonnés Mastodon",
            "kpi-target": "1500",
            "kpi-due_on": "2027-06-30",
        },
    )
    owner_client.post(
        url(workspace, "audience/add/"),
        {"audience-name": "Voisins", "audience-channels": [channel.pk]},
    )
    owner_client.post(
        url(workspace, "pillar/add/"), {"pillar-name": "Origines", "pillar-share": 30}
    )
    owner_client.post(url(workspace, "tone/add/"), {"tone-name": "Chaleureux"})
    owner_client.post(url(workspace, "format/add/"), {"format-name": "Carrousel"})
    owner_client.post(
        url(workspace, "rhythm/add/"), {"rhythm-channel": channel.pk, "rhythm-posts_per_week": 3}
    )
    owner_client.post(
        url(workspace, "rhythm/add/"), {"rhythm-channel": channel.pk, "rhythm-posts_per_week": 4}
    )

    assert Kpi.objects.get().target == 1500
    assert list(Audience.objects.get().channels.all()) == [channel]
    assert Rhythm.objects.get(channel=channel).posts_per_week == 4  # replaced, not doubled
    page = owner_client.get(url(workspace)).content.decode()
    for text in (
        "Être le café de quartier",
        "Abonnés Mastodon",
        "Voisins",
        "Origines",
        "Chaleureux",
        "Carrousel",
        "4 posts a week",
    ):
        assert text in page
    assert AuditEvent.objects.filter(action="strategy.pillar_added").exists()

    assert outsider_client.get(url(workspace)).status_code == 404
    assert (
        outsider_client.post(url(workspace, "tone/add/"), {"tone-name": "Pirate"}).status_code
        == 404
    )
    pillar = Pillar.objects.get()
    assert outsider_client.post(url(workspace, f"pillar/{pillar.pk}/delete/")).status_code == 404
    assert Pillar.objects.exists()
    owner_client.post(url(workspace, f"pillar/{pillar.pk}/delete/"))
    assert not Pillar.objects.exists()


def test_a_kpi_cannot_hang_on_another_workspaces_objective(
    owner_client, workspace, other_workspace, outsider_client
):
    theirs = Objective.objects.create(workspace=other_workspace, kind="revenue", name="Leur CA")
    owner_client.post(
        url(workspace, "kpi/add/"), {"kpi-objective": theirs.pk, "kpi-name": "x", "kpi-target": "1"}
    )
    assert not Kpi.objects.exists()
    assert (
        outsider_client.post(
            url(workspace, "kpi/add/"), {"kpi-name": "x", "kpi-target": "1"}
        ).status_code
        == 404
    )


def test_a_duplicate_pillar_is_refused(owner_client, workspace, outsider_client):
    owner_client.post(url(workspace, "pillar/add/"), {"pillar-name": "Origines"})
    owner_client.post(url(workspace, "pillar/add/"), {"pillar-name": "origines "})
    assert Pillar.objects.count() == 1
    assert (
        outsider_client.post(url(workspace, "pillar/add/"), {"pillar-name": "Pirate"}).status_code
        == 404
    )


def test_an_analyst_sees_the_strategy_but_cannot_change_it(workspace, outsider_client):
    analyst = client_for(make_user("an@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace)).status_code == 200
    assert analyst.post(url(workspace, "tone/add/"), {"tone-name": "x"}).status_code == 403
    assert outsider_client.get(url(workspace)).status_code == 404


def test_weeks_below_the_rhythm_are_found(workspace, channel):
    Rhythm.objects.create(channel=channel, posts_per_week=3)
    monday = next_monday()
    for n in range(3):
        planned(channel, monday + timedelta(days=n))
    planned(channel, monday + timedelta(days=7))  # one in the second week
    planned(channel, monday + timedelta(days=8), state=State.CANCELLED)  # does not count
    found = plan.rhythm_shortfalls(workspace, monday, monday + timedelta(days=14))
    assert [(s.week, s.planned, s.missing) for s in found] == [(monday + timedelta(days=7), 1, 2)]


def test_a_pillar_without_posts_or_far_below_its_share_is_neglected(workspace, channel):
    Pillar.objects.create(workspace=workspace, name="Origines", share=50)
    Pillar.objects.create(workspace=workspace, name="Ateliers")
    Pillar.objects.create(workspace=workspace, name="Coulisses")
    monday = next_monday()
    planned(channel, monday, "Origines")
    for n in range(1, 5):
        planned(channel, monday + timedelta(days=n), "Coulisses")
    found = {
        g.pillar: g for g in plan.neglected_pillars(workspace, monday, monday + timedelta(days=7))
    }
    assert set(found) == {"Origines", "Ateliers"}
    assert (found["Origines"].share_percent, found["Origines"].target_percent) == (20, 50)
    assert found["Ateliers"].posts == 0


def test_the_calendar_shows_where_the_plan_is_short(
    owner_client, outsider_client, workspace, channel
):
    Rhythm.objects.create(channel=channel, posts_per_week=2)
    Pillar.objects.create(workspace=workspace, name="Ateliers")
    monday = next_monday()
    planned(channel, monday)
    page = owner_client.get(f"/w/{workspace.slug}/publishing/calendar/?view=week&day={monday}")
    body = page.content.decode()
    assert "Against the strategy" in body
    assert "1 planned of 2" in body and "Pillar Ateliers: 0 posts" in body
    assert (
        outsider_client.get(
            f"/w/{workspace.slug}/publishing/calendar/?view=week&day={monday}"
        ).status_code
        == 404
    )


def test_the_navigation_leads_to_the_strategy(owner_client, workspace, outsider_client):
    assert url(workspace).encode() in owner_client.get(f"/w/{workspace.slug}/").content
    assert outsider_client.get(url(workspace)).status_code == 404


def test_the_composer_offers_the_strategys_pillars(owner_client, outsider_client, workspace):
    Pillar.objects.create(workspace=workspace, name="Origines")
    page = owner_client.get(f"/w/{workspace.slug}/publishing/new/").content.decode()
    assert 'list="pillar-choices"' in page and '<option value="Origines">' in page
    assert outsider_client.get(f"/w/{workspace.slug}/publishing/new/").status_code == 404
