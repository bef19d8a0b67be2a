"""Events (meetups, online sessions): RSVP with a waiting list, invitations, reminders,
check-in.

Places are counted in `Meetup.going_count` and only moved by conditional updates: taking a
place is `UPDATE … SET going_count = going_count + 1 WHERE going_count < capacity`, which
one statement decides for everyone at once, on SQLite as on PostgreSQL. A cancelled place
is handed straight to the first person waiting, never released in between, so a newcomer
cannot take it ahead of them.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from liant.animation.models import Meetup, Rsvp
from liant.animation.people import record_activity
from liant.channels.fetching import with_fresh_credentials
from liant.connectors import registry
from liant.connectors.base import Author, Capability, Connector, ConnectorError, Draft
from liant.members.models import ActivityKind, Identity, Member

log = logging.getLogger(__name__)
DEFAULT_DURATION = timedelta(hours=2)
REMINDER_AHEAD = timedelta(hours=24)


def _take_place(meetup: Meetup) -> bool:
    rows = Meetup.objects.filter(pk=meetup.pk)
    if meetup.capacity is not None:
        rows = rows.filter(going_count__lt=F("capacity"))
    return rows.update(going_count=F("going_count") + 1) == 1


def _release_place(meetup_id: int) -> None:
    Meetup.objects.filter(pk=meetup_id, going_count__gt=0).update(going_count=F("going_count") - 1)


def rsvp(meetup: Meetup, member: Member, name: str, email: str) -> Rsvp:
    """The member's answer: a place if one is left, else the end of the waiting list."""
    existing = Rsvp.objects.filter(meetup=meetup, member=member).first()
    if existing is not None and existing.status != Rsvp.Status.CANCELLED:
        return existing
    with transaction.atomic():
        going = _take_place(meetup)
        status = Rsvp.Status.GOING if going else Rsvp.Status.WAITING
        if existing is not None:
            # Coming back after cancelling: at the end of the queue, like anyone new.
            moved = Rsvp.objects.filter(pk=existing.pk, status=Rsvp.Status.CANCELLED).update(
                status=status, created_at=timezone.now(), name=name, email=email
            )
            if moved != 1 and going:
                _release_place(meetup.pk)
            existing.refresh_from_db()
            return existing
        try:
            with transaction.atomic():
                return Rsvp.objects.create(
                    workspace_id=meetup.workspace_id,
                    meetup=meetup,
                    member=member,
                    name=name,
                    email=email,
                    status=status,
                )
        except IntegrityError:  # the same person answered twice at once
            if going:
                _release_place(meetup.pk)
    return Rsvp.objects.get(meetup=meetup, member=member)


def _promote_first_waiting(meetup_id: int) -> Rsvp | None:
    while True:
        first = (
            Rsvp.objects.filter(meetup_id=meetup_id, status=Rsvp.Status.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if first is None:
            return None
        if Rsvp.objects.filter(pk=first.pk, status=Rsvp.Status.WAITING).update(
            status=Rsvp.Status.GOING
        ):
            first.status = Rsvp.Status.GOING
            # Told only once the place is really theirs (the transaction committed).
            transaction.on_commit(functools.partial(tell_promoted, first.pk))
            return first
        # Someone else promoted or cancelled them in the meantime: try the next one.


def cancel(rsvp_row: Rsvp) -> Rsvp | None:
    """Cancel an answer; a freed place goes to the first one waiting (returned)."""
    with transaction.atomic():
        had_place = (
            Rsvp.objects.filter(pk=rsvp_row.pk, status=Rsvp.Status.GOING).update(
                status=Rsvp.Status.CANCELLED
            )
            == 1
        )
        if not had_place:
            Rsvp.objects.filter(pk=rsvp_row.pk, status=Rsvp.Status.WAITING).update(
                status=Rsvp.Status.CANCELLED
            )
            rsvp_row.refresh_from_db()
            return None
        promoted = _promote_first_waiting(rsvp_row.meetup_id)
        if promoted is None:
            _release_place(rsvp_row.meetup_id)
    rsvp_row.refresh_from_db()
    return promoted


def fill_free_places(meetup: Meetup) -> int:
    """After the capacity was raised: the waiting list moves up into the new places."""
    promoted = 0
    while _take_place(meetup):
        if _promote_first_waiting(meetup.pk) is None:
            _release_place(meetup.pk)
            break
        promoted += 1
    return promoted


def check_in(rsvp_row: Rsvp, at: datetime | None = None) -> bool:
    """Record that the person came; their attendance counts once, as a member activity."""
    at = at or timezone.now()
    if not Rsvp.objects.filter(pk=rsvp_row.pk, checked_in_at__isnull=True).update(checked_in_at=at):
        return False
    identity = Identity.objects.filter(
        member_id=rsvp_row.member_id, network="email", key=rsvp_row.email.lower()
    ).first()
    record_activity(rsvp_row.member, ActivityKind.EVENT_ATTENDED, at, identity, "liant")
    rsvp_row.checked_in_at = at
    return True


def local(meetup: Meetup, at: datetime) -> datetime:
    try:
        zone = ZoneInfo(meetup.workspace.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.localtime(at, zone)


def public_url(meetup: Meetup) -> str:
    return settings.SITE_URL + reverse("animation_public_meetup", kwargs={"token": meetup.token})


def invitation(meetup: Meetup) -> bytes:
    """The .ics a calendar application adds; the same UID updates it if the event moves."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Liant//Animation//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "liant"
    event.add("uid", f"meetup-{meetup.token}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", local(meetup, meetup.starts_at))
    event.add("dtend", local(meetup, meetup.ends_at or meetup.starts_at + DEFAULT_DURATION))
    event.add("summary", meetup.title)
    if meetup.description:
        event.add("description", meetup.description)
    if meetup.place:
        event.add("location", meetup.place)
    elif meetup.link:
        event.add("location", meetup.link)
    event.add("url", meetup.link or public_url(meetup))
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def due_reminders(now: datetime) -> list[Rsvp]:
    return list(
        Rsvp.objects.filter(
            status=Rsvp.Status.GOING,
            reminder_sent_at__isnull=True,
            meetup__starts_at__gt=now,
            meetup__starts_at__lte=now + REMINDER_AHEAD,
        ).select_related("meetup", "meetup__workspace")
    )


def send_reminders(now: datetime | None = None) -> int:
    """The day before, one reminder per place taken. The row is claimed before the mail goes
    out: a worker that dies after sending leaves it claimed, so nobody gets it twice."""
    now = now or timezone.now()
    sent = 0
    for row in due_reminders(now):
        if not Rsvp.objects.filter(pk=row.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            continue  # another worker has it
        meetup = row.meetup
        with translation.override(meetup.workspace.language):
            when = formats.date_format(local(meetup, meetup.starts_at), "DATETIME_FORMAT")
            where = meetup.place or meetup.link
            body = _(
                "Hello %(name)s,\n\nSee you soon for “%(title)s”, %(when)s, %(where)s.\n\n"
                "Details, calendar invitation or cancellation:\n%(link)s\n"
            ) % {
                "name": row.name,
                "title": meetup.title,
                "when": when,
                "where": where,
                "link": settings.SITE_URL
                + reverse("animation_public_rsvp", kwargs={"token": row.token}),
            }
            short = _("Reminder: “%(title)s”, %(when)s, %(where)s. Details: %(link)s") % {
                "title": meetup.title,
                "when": when,
                "where": where,
                "link": settings.SITE_URL
                + reverse("animation_public_rsvp", kwargs={"token": row.token}),
            }
            remind_privately(row, short, now)
            try:
                send_mail(
                    _("Reminder: %(title)s") % {"title": meetup.title}, body, None, [row.email]
                )
            except OSError:
                # Left claimed on purpose: a mail server that failed after accepting would
                # otherwise send it twice. The log says who missed their reminder.
                log.warning("reminder for rsvp %s could not be sent", row.pk, exc_info=True)
                continue
        sent += 1
    return sent


def remind_privately(row: Rsvp, text: str, now: datetime) -> bool:
    """A private message on the first network where the member has an account Liant can
    write to privately (Mastodon, Matrix…), once: the row is claimed before the call."""
    if not row.meetup.dm_reminders:
        return False
    identities = (
        Identity.objects.filter(member_id=row.member_id, channel__isnull=False)
        .exclude(network="email")  # the e-mail reminder already went there
        .select_related("channel")
        .order_by("-last_seen_at")
    )
    for identity in identities:
        channel = identity.channel
        assert channel is not None
        try:
            capabilities = registry.connector_class(channel.kind).capabilities
        except LookupError:
            continue
        if Capability.SEND_DIRECT not in capabilities:
            continue
        if not Rsvp.objects.filter(pk=row.pk, dm_reminder_sent_at__isnull=True).update(
            dm_reminder_sent_at=now
        ):
            return False  # another worker has it
        author = Author(remote_id=identity.remote_id, handle=identity.handle, name=identity.name)

        def send(connector: Connector, to: Author = author) -> None:
            connector.send_direct(to, Draft(text=text))

        try:
            with_fresh_credentials(channel, send)
        except ConnectorError:
            log.warning("private reminder for rsvp %s failed", row.pk, exc_info=True)
            return False
        return True
    return False


def tell_promoted(rsvp_id: int) -> None:
    """The person who moves up from the waiting list learns it has a place."""
    row = Rsvp.objects.select_related("meetup", "meetup__workspace").get(pk=rsvp_id)
    meetup = row.meetup
    if row.status != Rsvp.Status.GOING or meetup.starts_at <= timezone.now():
        return
    with translation.override(meetup.workspace.language):
        when = formats.date_format(local(meetup, meetup.starts_at), "DATETIME_FORMAT")
        body = _(
            "Hello %(name)s,\n\nA place is free for “%(title)s”, %(when)s: it is yours.\n\n"
            "Details, calendar invitation or cancellation:\n%(link)s\n"
        ) % {
            "name": row.name,
            "title": meetup.title,
            "when": when,
            "link": settings.SITE_URL
            + reverse("animation_public_rsvp", kwargs={"token": row.token}),
        }
        try:
            send_mail(
                _("You have a place: %(title)s") % {"title": meetup.title}, body, None, [row.email]
            )
        except OSError:
            log.warning("promotion of rsvp %s could not be told", row.pk, exc_info=True)
