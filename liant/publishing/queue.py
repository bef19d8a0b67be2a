"""Queue slots, recurring posts and evergreen posts.

A channel's slots are moments of the week ("Tue/Thu 9:30") in the workspace's time zone:
"add to queue" puts each variant of a post at its channel's next slot nobody has taken.
A recurring post, once published, gets its next occurrence; an evergreen post is put back in
the queue after the workspace's minimum interval. Both are copies linked to the post they
follow by a one-to-one field, so the periodic task can run any number of times (or on two
workers at once) and make each next occurrence once.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.publishing import editorial, publisher
from liant.publishing.models import (
    Post,
    PublishingSettings,
    QueueSlot,
    Recurrence,
    Variant,
    VariantMedia,
    move,
)
from liant.publishing.states import State, allowed

# How far ahead "add to queue" looks for a free slot.
HORIZON_WEEKS = 12
# Variants in these states hold their moment; a cancelled or failed one leaves it free.
HOLDING = (State.SCHEDULED, State.PUBLISHING, State.PUBLISHED, State.HELD, State.UNCONFIRMED)

# Weekday names people type, in English and French (full or short).
DAY_NAMES = {
    0: ("mon", "monday", "lun", "lundi"),
    1: ("tue", "tues", "tuesday", "mar", "mardi"),
    2: ("wed", "wednesday", "mer", "mercredi"),
    3: ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
    4: ("fri", "friday", "ven", "vendredi"),
    5: ("sat", "saturday", "sam", "samedi"),
    6: ("sun", "sunday", "dim", "dimanche"),
}
WEEKDAY = {name: number for number, names in DAY_NAMES.items() for name in names}
# A time: 9, 9:30, 9h30 or 9h (the French way).
CLOCK = r"\d{1,2}(?:[:h]\d{2}|h)?"
GROUP_RE = re.compile(
    rf"^(?P<days>[^\d]+?)\s+(?P<times>{CLOCK}(?:\s*(?:/|&|and|et)\s*{CLOCK})*)$",
    re.IGNORECASE,
)
TIME_RE = re.compile(r"(\d{1,2})(?:[:h](\d{2})|h)?", re.IGNORECASE)


class SlotSyntaxError(ValueError):
    pass


def parse_slots(text: str) -> list[tuple[int, time]]:
    """ "Tue/Thu 9:30, Sat 11h" or "lun-ven 12h30" → [(weekday, time), ...], sorted.

    Groups are separated by commas or semicolons; days by / or &, ranges with -."""
    found: set[tuple[int, time]] = set()
    for raw in re.split(r"[,;\n]", text):
        group = raw.strip()
        if not group:
            continue
        match = GROUP_RE.match(group)
        if not match:
            raise SlotSyntaxError(
                _('"%(group)s" is not a slot; write days then a time, e.g. "Tue/Thu 9:30".')
                % {"group": group}
            )
        days = parse_days(match.group("days"), group)
        for hour, minute in TIME_RE.findall(match.group("times")):
            if int(hour) > 23 or int(minute or 0) > 59:
                raise SlotSyntaxError(
                    _('"%(group)s": %(hour)s:%(minute)s is not a time of day.')
                    % {"group": group, "hour": hour, "minute": minute or "00"}
                )
            for day in days:
                found.add((day, time(int(hour), int(minute or 0))))
    return sorted(found)


def parse_days(text: str, group: str) -> list[int]:
    days: list[int] = []
    for part in re.split(r"\s*(?:/|&|\bet\b|\band\b)\s*", text.strip().lower()):
        ends = [e.strip(" .") for e in part.split("-")]
        numbers = [WEEKDAY.get(e) for e in ends]
        if len(ends) > 2 or any(n is None for n in numbers):
            raise SlotSyntaxError(
                _('"%(group)s": "%(days)s" is not a day of the week.')
                % {"group": group, "days": part}
            )
        first, last = numbers[0], numbers[-1]
        assert first is not None and last is not None
        span = range(first, (last if last >= first else last + 7) + 1)
        days += [n % 7 for n in span]
    return days


def describe(slots: list[tuple[int, time]], language_days: list[str]) -> str:
    """Slots written back the way people type them, one group per time: "Tue/Thu 9:30"."""
    by_time: dict[time, list[int]] = {}
    for day, at in slots:
        by_time.setdefault(at, []).append(day)
    groups = [
        "/".join(language_days[d] for d in sorted(days)) + f" {at:%H:%M}"
        for at, days in sorted(by_time.items(), key=lambda item: (min(item[1]), item[0]))
    ]
    return ", ".join(groups)


def set_slots(channel: Channel, slots: list[tuple[int, time]]) -> None:
    with transaction.atomic():
        QueueSlot.objects.filter(channel=channel).delete()
        QueueSlot.objects.bulk_create(
            QueueSlot(channel=channel, weekday=d, time=t) for d, t in slots
        )


def upcoming_slots(
    channel: Channel, after: datetime, weeks: int = HORIZON_WEEKS
) -> Iterator[datetime]:
    """The channel's slot moments strictly after `after`, earliest first."""
    zone = ZoneInfo(channel.workspace.timezone)
    slots = list(QueueSlot.objects.filter(channel=channel).values_list("weekday", "time"))
    if not slots:
        return
    start = after.astimezone(zone).date()
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for weekday, at in sorted(slots, key=lambda s: s[1]):
            if weekday == day.weekday():
                moment = datetime.combine(day, at, tzinfo=zone)
                if moment > after:
                    yield moment


def taken(channel: Channel, start: datetime, end: datetime) -> set[datetime | None]:
    return set(
        Variant.objects.filter(
            channel=channel,
            state__in=HOLDING,
            scheduled_at__gte=start,
            scheduled_at__lte=end,
        ).values_list("scheduled_at", flat=True)
    )


def next_free_slot(channel: Channel, after: datetime | None = None) -> datetime | None:
    after = after or timezone.now()
    busy = taken(channel, after, after + timedelta(weeks=HORIZON_WEEKS + 1))
    for moment in upcoming_slots(channel, after):
        if moment not in busy:
            return moment
    return None


def lock_queues(channel_ids: Iterable[int]) -> None:
    """Make whoever else takes a slot of these channels wait until this transaction ends.

    Taking a slot is a read (which slots are free) then a write (schedule the variant): two
    people adding at the same moment would both read the same free slot. On PostgreSQL the
    channel rows are locked (always in the same order, so two adds never wait on each other
    crosswise); SQLite has no row locks, but its transactions here start with BEGIN IMMEDIATE,
    which already lets one writer in at a time for the whole read-then-write."""
    list(
        Channel.objects.select_for_update()
        .filter(pk__in=sorted(set(channel_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def add_to_queue(post: Post, actor: Any, after: datetime | None = None) -> list[str]:
    """Schedule each draft variant of the post at its channel's next free slot."""
    if not allowed(post.state, State.SCHEDULED):
        return [_("Only a draft or an approved post can be scheduled.")]
    problems = editorial.problems_of(post)
    if problems:
        return problems
    with transaction.atomic():
        variants = list(
            post.variants.filter(state=State.DRAFT).select_related("channel__workspace")
        )
        # From here to the end of the transaction, the free slots read stay free.
        lock_queues(v.channel_id for v in variants)
        moments: dict[int, datetime] = {}
        for variant in variants:
            moment = next_free_slot(variant.channel, after)
            if moment is None:
                problems.append(
                    _("%(channel)s has no free queue slot in the next %(weeks)d weeks.")
                    % {"channel": variant.channel.name, "weeks": HORIZON_WEEKS}
                )
            else:
                moments[variant.pk] = moment
        if problems:
            return problems
        if not move(post, State.SCHEDULED, actor=actor, note=_("Added to the queue.")):
            return [_("The post changed meanwhile; reload the page.")]
        for variant in variants:
            if not publisher.schedule(variant, moments[variant.pk], actor):
                # Changed by someone else meanwhile: undo the whole add, post included.
                transaction.set_rollback(True)
                return [_("The post changed meanwhile; reload the page.")]
    return []


# --- Recurring and evergreen posts -----------------------------------------------------------


def next_occurrence(at: datetime, recurrence: str, zone: ZoneInfo) -> datetime:
    """The same local time of day, one step later (a monthly post on the 31st goes to the
    last day of a shorter month), whatever daylight saving did in between."""
    local = at.astimezone(zone)
    day = local.date()
    if recurrence == Recurrence.DAILY:
        day += timedelta(days=1)
    elif recurrence == Recurrence.WEEKLY:
        day += timedelta(days=7)
    else:
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        day = date(year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1]))
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)


def published_moment(post: Post) -> datetime | None:
    moments = [
        v.scheduled_at or v.published_at
        for v in post.variants.all()
        if v.state == State.PUBLISHED and (v.scheduled_at or v.published_at)
    ]
    return min(moments) if moments else None  # type: ignore[type-var]


def copy_post(post: Post, moments: dict[int, datetime], note: str) -> Post | None:
    """The next occurrence of `post`, scheduled; None when another run made it first."""
    try:
        with transaction.atomic():
            copy = Post.objects.create(
                workspace=post.workspace,
                owner=post.owner,
                title=post.title,
                pillar=post.pillar,
                campaign=post.campaign,
                tags=list(post.tags),
                recurrence=post.recurrence,
                repeat_until=post.repeat_until,
                evergreen=post.evergreen,
                follows=post,
                state=State.DRAFT,
            )
            for variant in post.variants.exclude(state=State.CANCELLED):
                at = moments[variant.channel_id]
                new = Variant.objects.create(
                    post=copy,
                    channel_id=variant.channel_id,
                    text=variant.text,
                    link=variant.link,
                    content_warning=variant.content_warning,
                    thread=list(variant.thread),
                    extras=dict(variant.extras),
                )
                for item in variant.media.all():
                    # The same stored file: a repeat publishes what the first one did.
                    VariantMedia.objects.create(
                        variant=new,
                        file=item.file.name,
                        content_type=item.content_type,
                        size=item.size,
                        alt_text=item.alt_text,
                        position=item.position,
                    )
                publisher.schedule(new, at)
            move(copy, State.SCHEDULED, note=note)
    except IntegrityError:
        return None  # `follows` is one-to-one: this post already has its next occurrence
    return copy


def renew(now: datetime | None = None) -> int:
    """Make the next occurrence of every published recurring or evergreen post that has
    none yet. Returns how many were made."""
    now = now or timezone.now()
    made = 0
    candidates = (
        Post.objects.filter(state=State.PUBLISHED, followed_by__isnull=True)
        .exclude(recurrence="", evergreen=False)
        .select_related("workspace")
        .prefetch_related("variants__channel")
    )
    for post in candidates:
        zone = ZoneInfo(post.workspace.timezone)
        last = published_moment(post)
        if last is None:
            continue
        channels = {v.channel_id: v.channel for v in post.variants.all()}
        if post.recurrence:
            at = next_occurrence(last, post.recurrence, zone)
            while at < now:  # the workers were down for a while: the next one still ahead
                at = next_occurrence(at, post.recurrence, zone)
            if post.repeat_until and at.astimezone(zone).date() > post.repeat_until:
                continue
            moments = dict.fromkeys(channels, at)
            note = _("Next occurrence of a recurring post.")
            made += int(copy_post(post, moments, note) is not None)
            continue
        days = PublishingSettings.of(post.workspace_id).evergreen_days
        earliest = max(last + timedelta(days=days), now)
        # The slots are read and taken in one transaction, as "add to queue" does.
        with transaction.atomic():
            lock_queues(channels)
            moments = {}
            for pk, channel in channels.items():
                # The first free slot after the interval; with no slots, the same time of day.
                slot = next_free_slot(channel, earliest)
                moments[pk] = slot or earliest
            note = _("Evergreen post back in the queue.")
            made += int(copy_post(post, moments, note) is not None)
    return made
