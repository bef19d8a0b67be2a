"""The calendar as an iCal feed a calendar application subscribes to, without an account.

The address carries a signed value (django.core.signing, with its own salt) naming the
workspace and its current calendar token. Anyone holding the address can read the feed, so
rotating the token (a button, audited) revokes every address given out before.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from liant.core.models import Workspace
from liant.publishing.calendar import entries
from liant.publishing.models import PublishingSettings

SALT = "liant.publishing.calendar-feed"
# A subscribed calendar shows what was done lately and everything planned.
PAST_DAYS = 60
FUTURE_DAYS = 366
DURATION = timedelta(minutes=15)  # a post is a moment; calendars need an end to draw it


def signer() -> signing.Signer:
    # Not timestamped (unlike signing.dumps): the same address every time it is shown; the
    # token, not the age, decides whether it still works.
    return signing.Signer(salt=SALT)


def settings_of(workspace: Workspace) -> PublishingSettings:
    found, _created = PublishingSettings.objects.get_or_create(workspace=workspace)
    return found


def feed_path(workspace: Workspace) -> str:
    token = settings_of(workspace).calendar_token
    signed = signer().sign_object({"w": workspace.pk, "t": token}, compress=True)
    return reverse("calendar_feed", kwargs={"signed": signed})


def feed_url(workspace: Workspace) -> str:
    return settings.SITE_URL + feed_path(workspace)


def workspace_of(signed: str) -> Workspace | None:
    """The workspace a feed address names, if the signature holds and the token is current."""
    try:
        value = signer().unsign_object(signed)
    except (signing.BadSignature, ValueError, zlib.error):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("w"), int):
        return None
    found = PublishingSettings.objects.select_related("workspace").filter(
        workspace_id=value["w"], calendar_token=str(value.get("t", ""))
    )
    first = found.first()
    return first.workspace if first else None


def rotate(workspace: Workspace) -> None:
    current = settings_of(workspace)
    current.calendar_token = PublishingSettings._meta.get_field("calendar_token").get_default()
    current.save(update_fields=["calendar_token"])


def feed(workspace: Workspace, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    today = now.date()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Liant//Editorial calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{workspace.name} — Liant")
    cal.add("x-wr-timezone", workspace.timezone)
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "liant"
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    for entry in entries(workspace, start, end):
        post = entry.post
        event = icalendar.Event()
        # Stable across fetches, so a calendar application updates the event it has.
        event.add("uid", f"post-{post.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", entry.at)
        event.add("dtend", entry.at + DURATION)
        event.add("summary", str(post))
        channels = ", ".join(sorted({v.channel.name for v in entry.variants}))
        lines = [f"{post.get_state_display()} — {channels}"]
        lines += [v.text for v in entry.variants if v.text][:1]
        event.add("description", "\n\n".join(lines))
        if post.pillar:
            event.add("categories", [post.pillar])
        event.add(
            "status", "CONFIRMED" if post.state in ("scheduled", "published") else "TENTATIVE"
        )
        event.add(
            "url",
            settings.SITE_URL
            + reverse("post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}),
        )
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
