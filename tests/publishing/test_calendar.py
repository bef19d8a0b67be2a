"""The calendar: month, week and list views in the workspace's time zone, filters, moving a
post (drag with htmx, or a plain form), and the iCal feed on a signed, revocable address.
Every view test also sends the outsider, who gets a 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.publishing import calendar, ical, publisher
from liant.publishing.models import Post, Variant
from liant.publishing.states import State
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


def planned(channel, title: str, at: datetime, state: str = State.SCHEDULED, **post_fields):
    post = Post.objects.create(workspace=channel.workspace, title=title, state=state, **post_fields)
    variant_state = state if state in (State.SCHEDULED, State.PUBLISHED) else State.DRAFT
    Variant.objects.create(
        post=post,
        channel=channel,
        text=f"{title} text",
        state=variant_state,
        scheduled_at=at,
        due_at=at if variant_state == State.SCHEDULED else None,
        published_at=at if variant_state == State.PUBLISHED else None,
    )
    return post


def soon(days: int = 3, hour: int = 9, minute: int = 30) -> datetime:
    """A moment `days` ahead, at a given time of the workspace's day (Paris)."""
    local = timezone.now().astimezone(PARIS) + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_a_post_just_after_midnight_is_on_the_workspace_day_not_the_utc_day(workspace, channel):
    at = soon(days=5, hour=0, minute=30)  # 22:30 or 23:30 the day before, in UTC
    planned(channel, "Minuit passé", at)
    day = at.date()
    found = calendar.by_day(
        calendar.entries(workspace, day - timedelta(days=1), day + timedelta(days=1))
    )
    assert [e.post.title for e in found[day]] == ["Minuit passé"]
    assert day - timedelta(days=1) not in found


def test_the_month_view_shows_posts_on_their_day_with_the_zone_named(
    owner_client, outsider_client, workspace, channel
):
    at = soon(days=2)
    planned(channel, "Nouveau Colombie", at)
    page = owner_client.get(url(workspace, f"calendar/?day={at.date().isoformat()}"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Europe/Paris" in body
    assert f'data-day="{at.date().isoformat()}"' in body
    cell = body.split(f'data-day="{at.date().isoformat()}"', 1)[1].split("</td>", 1)[0]
    assert "Nouveau Colombie" in cell and "09:30" in cell
    assert outsider_client.get(url(workspace, "calendar/")).status_code == 404


def test_week_and_list_views_and_the_filters(owner_client, outsider_client, workspace, channel):
    other = Channel.objects.create(workspace=workspace, kind="scripted_pub", name="Autre")
    at = soon(days=1)
    planned(channel, "Origines du Guji", at, pillar="Origines", campaign="Printemps")
    planned(other, "Atelier latte", at + timedelta(hours=2), pillar="Ateliers")
    planned(channel, "Idée en cours", at + timedelta(hours=3), state=State.DRAFT)
    day = at.date().isoformat()

    week = owner_client.get(url(workspace, f"calendar/?view=week&day={day}")).content.decode()
    assert "Origines du Guji" in week and "Atelier latte" in week and "Idée en cours" in week

    def listed(query: str) -> str:
        return owner_client.get(
            url(workspace, f"calendar/?view=list&day={day}&{query}")
        ).content.decode()

    assert "Atelier latte" not in listed(f"channel={channel.pk}")
    assert "Origines du Guji" in listed(f"channel={channel.pk}")
    assert "Origines du Guji" not in listed("pillar=Ateliers")
    assert "Origines du Guji" in listed("campaign=Printemps")
    assert "Atelier latte" not in listed("campaign=Printemps")
    drafts = listed("state=draft")
    assert "Idée en cours" in drafts and "Origines du Guji" not in drafts
    assert outsider_client.get(url(workspace, f"calendar/?view=week&day={day}")).status_code == 404
    assert outsider_client.get(url(workspace, f"calendar/?view=list&day={day}")).status_code == 404


def test_the_plain_form_moves_a_post_to_another_moment(
    owner_client, outsider_client, workspace, channel
):
    post = planned(channel, "À déplacer", soon(days=2))
    target = soon(days=4, hour=14, minute=15)
    answer = owner_client.post(
        url(workspace, f"{post.pk}/reschedule/"),
        {"at": target.strftime("%Y-%m-%dT%H:%M"), "next": url(workspace, "calendar/?view=list")},
    )
    assert answer.status_code == 302 and answer["Location"].endswith("calendar/?view=list")
    variant = post.variants.get()
    assert variant.state == State.SCHEDULED
    assert variant.due_at == target and variant.scheduled_at == target  # read as Paris time
    assert variant.history.filter(note__contains="Moved").exists()
    assert AuditEvent.objects.filter(action="post.rescheduled", target_id=str(post.pk)).exists()

    refused = outsider_client.post(
        url(workspace, f"{post.pk}/reschedule/"), {"at": soon(days=9).strftime("%Y-%m-%dT%H:%M")}
    )
    assert refused.status_code == 404
    assert post.variants.get().due_at == target


def test_a_drop_on_another_day_keeps_the_time_of_day_and_redraws(
    owner_client, workspace, channel, outsider_client
):
    post = planned(channel, "Glissé", soon(days=2, hour=9, minute=30))
    new_day = soon(days=6).date()
    answer = owner_client.post(
        url(workspace, f"{post.pk}/reschedule/"),
        {"day": new_day.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 204 and answer["HX-Refresh"] == "true"
    moved = post.variants.get().due_at.astimezone(PARIS)
    assert (moved.date(), moved.hour, moved.minute) == (new_day, 9, 30)
    assert (
        outsider_client.post(
            url(workspace, f"{post.pk}/reschedule/"),
            {"day": soon(days=9).date().isoformat()},
            HTTP_HX_REQUEST="true",
        ).status_code
        == 404
    )


def test_a_post_cannot_be_moved_into_the_past_nor_once_published(
    owner_client, workspace, channel, outsider_client
):
    post = planned(channel, "Demain", soon(days=1))
    before = post.variants.get().due_at
    owner_client.post(
        url(workspace, f"{post.pk}/reschedule/"),
        {"at": (timezone.now() - timedelta(days=2)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")},
    )
    assert post.variants.get().due_at == before
    done = planned(channel, "Déjà parti", soon(days=-3), state=State.PUBLISHED)
    owner_client.post(
        url(workspace, f"{done.pk}/reschedule/"), {"day": soon(days=3).date().isoformat()}
    )
    assert done.variants.get().published_at.astimezone(PARIS).date() == soon(days=-3).date()
    assert (
        outsider_client.post(
            url(workspace, f"{post.pk}/reschedule/"), {"day": soon(days=9).date().isoformat()}
        ).status_code
        == 404
    )


def test_a_variant_claimed_by_a_worker_is_not_moved_under_it(workspace, owner, channel):
    post = planned(channel, "En cours", soon(days=1))
    variant = post.variants.get()
    assert publisher.claim(variant, variant.due_at)  # a worker took it
    problems = calendar.reschedule(post, soon(days=5), owner)
    assert problems and "going out" in problems[0]
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHING and variant.due_at != soon(days=5)


def test_a_held_variant_moved_on_the_calendar_is_scheduled_again(workspace, owner, channel):
    post = planned(channel, "Retenu", soon(days=-1))
    Variant.objects.filter(post=post).update(state=State.HELD)
    assert calendar.reschedule(post, soon(days=1), owner) == []
    variant = post.variants.get()
    assert variant.state == State.SCHEDULED and variant.due_at == soon(days=1)


def test_moving_needs_the_publish_permission(workspace, channel, outsider_client):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    post = planned(channel, "Pas toi", soon(days=2))
    answer = analyst.post(
        url(workspace, f"{post.pk}/reschedule/"), {"day": soon(days=5).date().isoformat()}
    )
    assert answer.status_code == 403
    page = analyst.get(url(workspace, "calendar/")).content.decode()
    assert "draggable" not in page and "calendar.ics" not in page  # sees, cannot move or share
    assert (
        outsider_client.post(
            url(workspace, f"{post.pk}/reschedule/"), {"day": soon(days=5).date().isoformat()}
        ).status_code
        == 404
    )


# --- The iCal feed -----------------------------------------------------------------------------


def test_the_feed_is_valid_ical_with_the_posts_in_the_workspace_zone(
    owner_client, outsider_client, client, workspace, channel
):
    at = soon(days=2)
    post = planned(channel, "Dégustation; samedi, 10 h", at, pillar="Ateliers")
    page = owner_client.get(url(workspace, "calendar/")).content.decode()
    feed = ical.feed_path(workspace)
    assert feed in page
    assert (
        ical.feed_path(workspace)
        not in outsider_client.get(url(workspace, "calendar/")).content.decode()
    )

    answer = client.get(feed)  # no session: the address is the key
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    raw = answer.content
    # RFC 5545 §3.1: lines end in CRLF and are folded at 75 octets.
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = icalendar.Calendar.from_ical(raw)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    [event] = parsed.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dégustation; samedi, 10 h"  # escaped, read back intact
    start = event.decoded("DTSTART")
    assert start == at and str(start.tzinfo) == "Europe/Paris"
    assert str(event["UID"]).startswith(f"post-{post.pk}@")  # stable: apps update it
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Ateliers"]
    assert "Europe/Paris" in [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")]


def test_rotating_the_token_revokes_the_old_address(
    owner_client, outsider_client, client, workspace
):
    old = ical.feed_path(workspace)
    assert client.get(old).status_code == 200
    assert outsider_client.post(url(workspace, "calendar/feed/rotate/")).status_code == 404
    assert client.get(old).status_code == 200
    assert owner_client.post(url(workspace, "calendar/feed/rotate/")).status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(ical.feed_path(workspace)).status_code == 200
    assert AuditEvent.objects.filter(action="publishing.calendar_feed_rotated").exists()


def test_a_forged_or_other_workspace_address_shows_nothing(client, workspace, other_workspace):
    path = ical.feed_path(workspace)
    signed = path.split("/")[-2]
    assert client.get(path.replace(signed, signed[:-2] + "xx")).status_code == 404
    from django.core import signing

    token = ical.settings_of(workspace).calendar_token
    other = ical.signer().sign_object({"w": other_workspace.pk, "t": token}, compress=True)
    assert client.get(path.replace(signed, other)).status_code == 404
    wrong_salt = signing.Signer().sign_object({"w": workspace.pk, "t": token}, compress=True)
    assert client.get(path.replace(signed, wrong_salt)).status_code == 404
    dated = signing.dumps({"w": workspace.pk, "t": token}, salt=ical.SALT, compress=True)
    assert client.get(path.replace(signed, dated)).status_code == 404  # another shape: no 500
    assert ical.feed_path(workspace) == path  # the same address each time it is shown
