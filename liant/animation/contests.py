"""Contests: entries from stored events and the public form, eligibility, freeze and draw.

The draw is a commitment scheme (see verify_draw.py, whose functions are used here so there
is a single definition of the draw): at the freeze Liant publishes the hash of the list of
eligible entries and the hash of a secret it just generated; at the draw it reveals the
secret, and the winners follow from SHA-256(secret || list hash). Nobody, Liant included,
can choose the secret after seeing the list, or change the list after the secret is known.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from liant.animation import verify_draw
from liant.animation.models import Contest, Entry, Winner
from liant.animation.people import record_activity
from liant.channels.models import Event, EventKindChoices
from liant.members import segments
from liant.members.models import Activity, ActivityKind, Consent, Identity, Kind, Member

# liant.members.attach is the one place that knows who wrote an event; it is not on the
# project's mypy line yet and does not type-check, so it is looked up at run time rather than
# imported, which keeps `mypy liant/animation` about this app.
_attach = import_module("liant.members.attach")

# The types a network gives a repost in an event's raw payload (Mastodon, Bluesky).
REPOST_TYPES = {"reblog", "repost"}


class ContestClosed(Exception):
    """Entries are refused once the list is frozen (or after the closing time)."""


def accepts_entries(contest: Contest, at: datetime | None = None) -> bool:
    at = at or timezone.now()
    return contest.state == Contest.State.OPEN and (
        contest.ends_at is None or at <= contest.ends_at
    )


def add_entry(
    contest: Contest,
    member: Member,
    source: str,
    at: datetime,
    identity: Identity | None = None,
    event: Event | None = None,
) -> tuple[Entry, bool]:
    """The member's entry, created the first time only (one entry per member)."""
    existing = Entry.objects.filter(contest=contest, member=member).first()
    if existing is not None:
        return existing, False
    if not accepts_entries(contest, at):
        raise ContestClosed
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                workspace_id=contest.workspace_id,
                contest=contest,
                member=member,
                identity=identity,
                source=source,
                event=event,
                entered_at=at,
            )
            record_activity(member, ActivityKind.CONTEST_ENTRY, at, identity)
    except IntegrityError:  # a second entry of the same member at the same moment
        return Entry.objects.get(contest=contest, member=member), False
    return entry, True


def _hashtag_in(text: str, tag: str) -> bool:
    return re.search(rf"(?<![\w#])#{re.escape(tag)}(?!\w)", text, re.IGNORECASE) is not None


def matching_events(contest: Contest) -> list[tuple[Event, str]]:
    """Stored events that are entries, with the source they count as, oldest first."""
    if contest.channel_id is None:
        return []
    events = Event.objects.filter(
        workspace_id=contest.workspace_id, channel_id=contest.channel_id
    ).select_related("channel")
    if contest.ends_at:
        events = events.filter(occurred_at__lte=contest.ends_at)
    condition = Q(pk__in=[])
    post = contest.post_remote_id.strip()
    if post:
        condition |= Q(parent_remote_id=post)
    tag = contest.hashtag.strip().lstrip("#")
    if tag:
        condition |= Q(text__icontains=f"#{tag}")
    found: list[tuple[Event, str]] = []
    for event in events.filter(condition).order_by("occurred_at", "pk"):
        if post and event.parent_remote_id == post:
            if event.kind == "reaction":
                raw = event.raw if isinstance(event.raw, dict) else {}
                is_repost = (raw.get("type") or raw.get("reason")) in REPOST_TYPES
                if is_repost and contest.count_reposts:
                    found.append((event, Entry.Source.REPOST))
                    continue
                if not is_repost and contest.count_reactions:
                    found.append((event, Entry.Source.REACTION))
                    continue
            elif event.kind in ("comment", "mention") and contest.count_comments:
                found.append((event, Entry.Source.COMMENT))
                continue
        if tag and event.kind != "reaction" and _hashtag_in(event.text, tag):
            found.append((event, Entry.Source.HASHTAG))
    return found


def collect(contest: Contest) -> int:
    """Turn the stored events of the contest's post or hashtag into entries; new ones count."""
    if contest.state != Contest.State.OPEN:
        return 0
    pairs = [
        (e, s, p) for e, s in matching_events(contest) if (p := _attach.person_of(e)) is not None
    ]
    if not pairs:
        return 0
    identities = _attach.identities_for(contest.workspace_id, [p for _, _, p in pairs])
    # Most events of a busy post come from people already entered: skip them without a query.
    entered = set(Entry.objects.filter(contest=contest).values_list("member_id", flat=True))
    added = 0
    for event, source, person in pairs:
        identity = identities[(person.network, person.key)]
        if identity.member_id in entered:
            continue
        member = identity.member
        while member.merged_into_id is not None:
            member = Member.objects.get(pk=member.merged_into_id)
        if member.first_seen_at is None:
            # The members module fills this when it attaches events; until it runs, the
            # event itself is the first sign of this person.
            Member.objects.filter(pk=member.pk, first_seen_at__isnull=True).update(
                first_seen_at=event.occurred_at
            )
            member.first_seen_at = event.occurred_at
        try:
            _, created = add_entry(contest, member, source, event.occurred_at, identity, event)
        except ContestClosed:
            continue
        added += created
        entered.add(member.pk)
    return added


# --- Eligibility ------------------------------------------------------------------------------


def has_consented(member: Member) -> bool:
    latest = (
        Consent.objects.filter(member=member, purpose=Consent.Purpose.CONTEST_RULES)
        .order_by("-at", "-pk")
        .first()
    )
    return latest is not None and latest.granted


def consenting(member_ids: list[int]) -> set[int]:
    """Of these members, those whose latest word on the contest rules is a yes (one query)."""
    latest: dict[int, bool] = {}
    rows = Consent.objects.filter(
        member_id__in=member_ids, purpose=Consent.Purpose.CONTEST_RULES
    ).order_by("member_id", "-at", "-pk")
    for member_id, granted in rows.values_list("member_id", "granted"):
        latest.setdefault(member_id, granted)
    return {member_id for member_id, granted in latest.items() if granted}


def following(contest: Contest, member_ids: list[int]) -> set[int]:
    """Of these members, those the contest's channel saw following its account (one query)."""
    if contest.channel_id is None:
        return set()
    return set(
        Activity.objects.filter(
            member_id__in=member_ids,
            event__channel_id=contest.channel_id,
            event__kind=EventKindChoices.FOLLOW,
        ).values_list("member_id", flat=True)
    )


def why_not_eligible(
    contest: Contest,
    member: Member,
    at: datetime,
    consented: set[int] | None = None,
    followers: set[int] | None = None,
    in_segment: set[int] | None = None,
) -> str:
    """Empty when eligible, else the reason code shown to the community manager."""
    if member.kind != Kind.PERSON:
        return "staff_or_bot"
    if member.erased_at is not None:
        return "erased"
    if contest.min_account_days and (
        member.first_seen_at is None
        or member.first_seen_at > at - timedelta(days=contest.min_account_days)
    ):
        return "account_too_new"
    countries = contest.country_list()
    if countries and member.country.upper() not in countries:
        return "country"
    if contest.require_consent and not (
        member.pk in consented if consented is not None else has_consented(member)
    ):
        return "no_consent"
    if contest.must_follow and member.pk not in (
        followers if followers is not None else following(contest, [member.pk])
    ):
        return "not_following"
    if contest.segment_id is not None and member.pk not in (
        in_segment if in_segment is not None else segment_members(contest, [member.pk])
    ):
        return "not_in_segment"
    return ""


def segment_members(contest: Contest, member_ids: list[int]) -> set[int]:
    """Of these members, those in the contest's segment as it reads now (one query)."""
    if contest.segment is None:
        return set()
    found = segments.members_of(contest.segment).filter(pk__in=member_ids)
    return set(found.values_list("pk", flat=True))


# --- Freeze and draw ----------------------------------------------------------------------


def list_document(contest: Contest, entries: list[Entry], draw_at: datetime) -> dict:
    """What is frozen and hashed: ids and pseudonyms only, and the terms of the draw."""
    return {
        "version": verify_draw.FORMAT_VERSION,
        "contest": contest.token,
        "draw_at": draw_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "winners": contest.winners_count,
        "entries": [{"id": e.pk, "label": e.label} for e in sorted(entries, key=lambda e: e.pk)],
    }


def freeze(contest: Contest, draw_at: datetime | None = None, now: datetime | None = None) -> bool:
    """Decide who is eligible, commit to the list and a secret; False if already frozen."""
    now = now or timezone.now()
    draw_at = max(draw_at or contest.draw_at or now, now)
    # Everything stored up to the freeze counts: the contest's post is read once more first.
    collect(contest)
    with transaction.atomic():
        entries = list(Entry.objects.filter(contest=contest).select_related("member"))
        consented = consenting([e.member_id for e in entries])
        followers = (
            following(contest, [e.member_id for e in entries]) if contest.must_follow else set()
        )
        eligible = []
        for entry in entries:
            reason = why_not_eligible(contest, entry.member, now, consented, followers)
            entry.eligible = not reason
            entry.excluded_because = reason
            if not reason:
                eligible.append(entry)
        list_text = verify_draw.canonical(list_document(contest, eligible, draw_at)).decode()
        secret = secrets.token_bytes(32)
        # The conditional update is the lock: of two freezes at once, one finds the contest
        # no longer open and changes nothing.
        moved = Contest.objects.filter(pk=contest.pk, state=Contest.State.OPEN).update(
            state=Contest.State.FROZEN,
            list_json=list_text,
            list_hash=verify_draw.sha256_hex(list_text.encode()),
            secret=secret.hex(),
            secret_hash=verify_draw.sha256_hex(secret),
            frozen_at=now,
            draw_at=draw_at,
        )
        if moved != 1:
            return False
        # One UPDATE per reason (in slices SQLite accepts), not one per entry.
        by_reason: dict[str, list[int]] = {}
        for entry in entries:
            by_reason.setdefault(entry.excluded_because, []).append(entry.pk)
        for reason, ids in by_reason.items():
            for start in range(0, len(ids), 900):
                Entry.objects.filter(pk__in=ids[start : start + 900]).update(
                    eligible=not reason, excluded_because=reason
                )
    contest.refresh_from_db()
    return True


@dataclass
class DrawResult:
    contest: Contest
    winners: list[Winner]


def draw(contest: Contest, now: datetime | None = None) -> DrawResult | None:
    """Reveal the secret and record the winners; None unless frozen and due (never twice)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Contest.objects.filter(
            pk=contest.pk, state=Contest.State.FROZEN, draw_at__lte=now
        ).update(state=Contest.State.DRAWN, drawn_at=now)
        if moved != 1:
            return None
        contest.refresh_from_db()
        # Only what was frozen counts: entries stored since cannot slip in.
        document = json.loads(contest.list_json)
        seed = verify_draw.seed_of(contest.secret, contest.list_hash)
        labels = {e["id"]: e["label"] for e in document["entries"]}
        picked = verify_draw.pick(list(labels), int(document["winners"]), seed)
        contest.seed = seed.hex()
        contest.save(update_fields=["seed"])
        existing = set(
            Entry.objects.filter(contest=contest, pk__in=picked).values_list("pk", flat=True)
        )
        winners = [
            Winner.objects.create(
                contest=contest,
                entry_number=number,
                label=labels[number],
                entry_id=number if number in existing else None,
                rank=rank,
            )
            for rank, number in enumerate(picked, start=1)
        ]
    return DrawResult(contest, winners)


def draw_due(now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for contest in Contest.objects.filter(state=Contest.State.FROZEN, draw_at__lte=now):
        done += draw(contest, now) is not None
    return done


def draw_document(contest: Contest) -> dict:
    """draw.json: everything verify_draw.py needs, and nothing personal."""
    drawn = contest.state == Contest.State.DRAWN
    return {
        "format": "liant-draw",
        "version": verify_draw.FORMAT_VERSION,
        "list": contest.list_json,
        "list_hash": contest.list_hash,
        "secret_hash": contest.secret_hash,
        "secret": contest.secret if drawn else None,
        "seed": contest.seed if drawn else None,
        "drawn_at": contest.drawn_at.isoformat() if contest.drawn_at else None,
        "winners": [
            {"rank": w.rank, "id": w.entry_number, "label": w.label} for w in contest.winners.all()
        ]
        if drawn
        else [],
    }
