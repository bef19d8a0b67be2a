"""Moving a post on the calendar with the mouse, in a real browser: htmx posts the new day and
the page redraws; the post keeps its time of day, in the workspace's time zone."""

from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role
from liant.publishing.models import Post, Variant
from liant.publishing.states import State
from tests.browser.test_signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "un mot de passe solide"
PARIS = ZoneInfo("Europe/Paris")


def test_a_post_dragged_to_another_day_keeps_its_time(live_server, page, artifacts):
    org = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(organisation=org, name="Maison Lumière", slug="ml")
    user = User.objects.create_user("camille@maison-lumiere.example", PASSWORD, name="Camille")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")
    today = timezone.now().astimezone(PARIS).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    start = datetime.combine(monday + timedelta(days=1), time(9, 30), tzinfo=PARIS)
    post = Post.objects.create(workspace=workspace, title="Nouveau Colombie", state=State.SCHEDULED)
    Variant.objects.create(
        post=post,
        channel=channel,
        text="x",
        state=State.SCHEDULED,
        scheduled_at=start,
        due_at=start,
    )

    page.goto(f"{live_server.url}/account/login/")
    sign_in(page, user.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/w/ml/")
    page.goto(f"{live_server.url}/w/ml/publishing/calendar/?view=week&day={monday}")
    target = monday + timedelta(days=3)
    page.drag_and_drop(".entry[draggable=true]", f"td[data-day='{target}']")

    deadline = clock.monotonic() + 15  # bounds a broken run; nothing is timed
    moved = start
    while clock.monotonic() < deadline and moved == start:
        clock.sleep(0.2)
        moved = Variant.objects.get(post=post).due_at
    local = moved.astimezone(PARIS)
    assert (local.date(), local.hour, local.minute) == (target, 9, 30)
    page.wait_for_selector(f"td[data-day='{target}'] .entry")  # redrawn in its new place
    page.screenshot(path=str(artifacts / "calendar-drag.png"))
