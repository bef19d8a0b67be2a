"""Stored events attach to an identity, so to a member, once.

A cursor per workspace remembers the last event read; a batch is taken by moving the cursor
with a conditional update in the transaction that writes it (two workers never write the same
batch). On PostgreSQL ids are given at insert, not at commit, so events committed late can
land below the cursor: each run also reads back the last LOOKBACK ids and keeps those with no
activity yet. The activity's unique event makes reading one twice harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from liant.channels.models import Channel, Event
from liant.core.bulkupdate import update_many
from liant.core.models import Workspace
from liant.members.models import Activity, Cursor, Identity, Member

BATCH = 1000
LOOKBACK = 2000
# A blog's authors are not community members: feeds bring articles, not people.
NOT_PEOPLE = {"feed"}
# Channels whose authors are identified on another network: a contact form's author is the
# e-mail address typed in (liant/leads/connector.py), the same person as that address's
# identity, which the form's capture already created. Without this, the form's channel
# would make a second member for every person who writes through it.
SAME_PEOPLE_AS = {"forms": "email"}
# Where each connector keeps the channel's own account (our own posts are not a member's).
OWN_ACCOUNT_SETTINGS = ("account_id", "did", "user_id", "address")


@dataclass(frozen=True)
class Person:
    """Who wrote an event, in the shape identities are keyed by."""

    network: str
    key: str
    channel_id: int
    remote_id: str
    handle: str
    name: str
    url: str
    email: str
    followers: int | None


def identity_key(network: str, channel_id: int, remote_id: str, handle: str, url: str) -> str:
    """What makes an account unique on its network, seen from any of our channels."""
    if network == "mastodon":
        # An account id is only unique on the instance that gave it; the profile URL is not.
        return (url or f"{channel_id}:{remote_id or handle}")[:500]
    if network == "email":
        return (remote_id or handle).strip().lower()[:500]
    return (remote_id or handle)[:500]


def own_accounts(channel: Channel) -> set[str]:
    settings = channel.settings or {}
    return {str(settings[k]).lower() for k in OWN_ACCOUNT_SETTINGS if settings.get(k)}


def person_of(event: Event) -> Person | None:
    network = SAME_PEOPLE_AS.get(event.channel.kind, event.channel.kind)
    if network in NOT_PEOPLE or not (event.author_remote_id or event.author_handle):
        return None
    if isinstance(event.raw, dict) and event.raw.get("edit_of"):
        return None  # an edit of a message already counted, not a new activity
    if event.author_remote_id.lower() in own_accounts(event.channel):
        return None
    if network == "email" and _department_answer(event):
        return None  # a colleague answering through Liant, not a member
    followers = None
    account = (event.raw or {}).get("account") if isinstance(event.raw, dict) else None
    if isinstance(account, dict) and isinstance(account.get("followers_count"), int):
        followers = account["followers_count"]
    return Person(
        network=network,
        key=identity_key(
            network,
            event.channel_id,
            event.author_remote_id,
            event.author_handle,
            event.author_url,
        ),
        channel_id=event.channel_id,
        remote_id=event.author_remote_id,
        handle=event.author_handle,
        name=event.author_name,
        url=event.author_url,
        email=event.author_remote_id.lower() if network == "email" else "",
        followers=followers,
    )


def _department_answer(event: Event) -> bool:
    from liant.inbox.department_mail import answered  # noqa: PLC0415 - inbox is optional here

    return answered(event) is not None


def attach_all() -> int:
    added = 0
    for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True):
        added += attach_workspace(workspace_id)
    return added


def attach_workspace(workspace_id: int) -> int:
    added = 0
    while (done := _batch(workspace_id, late=False)) is not None:
        added += done
    added += _batch(workspace_id, late=True) or 0
    return added


def _batch(workspace_id: int, late: bool) -> int | None:
    cursor, _ = Cursor.objects.get_or_create(workspace_id=workspace_id)
    last = cursor.last_event_id
    rows = Event.objects.filter(workspace_id=workspace_id).select_related("channel")
    if late:
        if not last:
            return None
        rows = rows.filter(
            pk__gt=max(0, last - LOOKBACK), pk__lte=last, member_activity__isnull=True
        )
    else:
        rows = rows.filter(pk__gt=last)
    events = list(rows.order_by("pk")[:BATCH])
    if not events:
        return None
    with transaction.atomic():
        moved = Cursor.objects.filter(pk=cursor.pk, last_event_id=last).update(
            last_event_id=last if late else events[-1].pk
        )
        if moved != 1:
            return 0  # another worker took this batch
        return attach(workspace_id, events)


def attach(workspace_id: int, events: list[Event]) -> int:
    """Identities (created when new), activities and reply links for these events."""
    people = {e.pk: p for e in events if (p := person_of(e)) is not None}
    if not people:
        return 0
    identities = identities_for(workspace_id, people.values())
    parents = reply_targets(workspace_id, [e for e in events if e.pk in people])
    activities = []
    for event in events:
        person = people.get(event.pk)
        if person is None:
            continue
        identity = identities[(person.network, person.key)]
        target = parents.get((event.channel_id, event.parent_remote_id))
        activities.append(
            Activity(
                workspace_id=workspace_id,
                member_id=identity.member_id,
                identity=identity,
                kind=event.kind,
                network=person.network,
                event=event,
                replied_to=target if target and target.pk != identity.pk else None,
                occurred_at=event.occurred_at,
            )
        )
    known = set(
        Activity.objects.filter(event_id__in=[a.event_id for a in activities]).values_list(
            "event_id", flat=True
        )
    )
    fresh = [a for a in activities if a.event_id not in known]
    Activity.objects.bulk_create(fresh, ignore_conflicts=True)
    _touch(fresh)
    return len(fresh)


def identities_for(workspace_id: int, people: Iterable[Person]) -> dict[tuple[str, str], Identity]:
    """The identity of each person, creating a member for each account seen the first time."""
    wanted = {(p.network, p.key): p for p in people}
    found: dict[tuple[str, str], Identity] = {}
    for network in {n for n, _ in wanted}:
        keys = [k for n, k in wanted if n == network]
        for identity in Identity.objects.filter(
            workspace_id=workspace_id, network=network, key__in=keys
        ):
            found[(network, identity.key)] = identity
    new = [(pair, person) for pair, person in wanted.items() if pair not in found]
    if new:
        # One insert for the new members and one for their identities: a first fetch of a
        # busy channel brings thousands of people at once.
        members = Member.objects.bulk_create(
            [
                Member(workspace_id=workspace_id, name=p.name or p.handle, email=p.email)
                for _pair, p in new
            ]
        )
        identities = Identity.objects.bulk_create(
            [
                Identity(
                    workspace_id=workspace_id,
                    member_id=member.pk,
                    network=p.network,
                    key=p.key,
                    channel_id=p.channel_id,
                    remote_id=p.remote_id,
                    handle=p.handle,
                    name=p.name,
                    url=p.url,
                    email=p.email,
                    followers=p.followers,
                )
                for (_pair, p), member in zip(new, members, strict=True)
            ]
        )
        for (pair, _p), identity in zip(new, identities, strict=True):
            found[pair] = identity
    for pair, person in wanted.items():
        identity = found[pair]
        if person.followers is not None and identity.followers != person.followers:
            identity.followers = person.followers
            Identity.objects.filter(pk=identity.pk).update(followers=person.followers)
    return found


def reply_targets(workspace_id: int, events: list[Event]) -> dict[tuple[int, str], Identity | None]:
    """(channel, parent remote id) -> the identity that wrote the parent, when it is a member."""
    parents = {(e.channel_id, e.parent_remote_id) for e in events if e.parent_remote_id}
    if not parents:
        return {}
    condition = Q()
    for channel_id in {c for c, _ in parents}:
        condition |= Q(
            channel_id=channel_id, remote_id__in=[r for c, r in parents if c == channel_id]
        )
    written = Event.objects.filter(condition, workspace_id=workspace_id).select_related("channel")
    out: dict[tuple[int, str], Identity | None] = {}
    people = {(e.channel_id, e.remote_id): p for e in written if (p := person_of(e))}
    if not people:
        return out
    by_key = {
        (i.network, i.key): i
        for i in Identity.objects.filter(
            workspace_id=workspace_id, key__in=[p.key for p in people.values()]
        )
    }
    for where, person in people.items():
        out[where] = by_key.get((person.network, person.key))
    return out


def _touch(activities: list[Activity]) -> None:
    """Members' and identities' first and last sightings move with what was just attached:
    read once, computed here, written with one statement run for every row."""
    _widen(Member, "first_seen_at", "last_active_at", _spans(activities, "member_id"))
    _widen(Identity, "first_seen_at", "last_seen_at", _spans(activities, "identity_id"))


def _spans(activities: list[Activity], attr: str) -> dict[int, tuple]:
    spans: dict[int, tuple] = {}
    for a in activities:
        key = getattr(a, attr)
        if key is None:
            continue
        first, last = spans.get(key, (a.occurred_at, a.occurred_at))
        spans[key] = (min(first, a.occurred_at), max(last, a.occurred_at))
    return spans


def _widen(
    model: type[Member] | type[Identity], first_field: str, last_field: str, spans: dict[int, tuple]
) -> None:
    if not spans:
        return
    rows = []
    current = model.objects.filter(pk__in=list(spans)).values_list("pk", first_field, last_field)
    for pk, first, last in current:
        new_first, new_last = spans[pk]
        first = min(first, new_first) if first else new_first
        last = max(last, new_last) if last else new_last
        rows.append((first, last, pk))
    update_many(model, [first_field, last_field], rows)
