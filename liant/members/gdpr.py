"""GDPR: everything Liant holds about one member (export), and erasing it (erasure).

A member's data is not only in this app: the channels store the events they wrote, and the
inbox, listening and moderation copy their words and their account into their own rows. We
find those through the member's identities, with the same key the attachment uses
(liant/members/attach.identity_key), so "their events" means exactly the events that would
attach to them, never another person's who shares a display name or an instance-local id.

Other apps answer through two signals rather than through imports from here, so the members
app does not need to know their models: `collect_personal_data` (each receiver returns a list
of `Section`) and `erase_personal_data` (each receiver returns counts). The receivers live
in each app's `erasure.py`, listed in RECEIVER_MODULES and imported the first time they are
needed, which connects them; a new app adds one line there.

Erasure keeps rows and counts (an activity stays an activity of an erased member, an event
stays a comment on that day on that channel) so dashboards and scores of everyone else do not
change; every field that says who, or what they wrote, is blanked or replaced by a
placeholder that names nobody ("erased:<pk>" where a unique key needs a value).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Event, Exchange
from liant.core import audit
from liant.core.models import AuditEvent
from liant.members.attach import identity_key
from liant.members.models import (
    Activity,
    Consent,
    DataRequest,
    Identity,
    Member,
    MemberNote,
    Merge,
    MergeSuggestion,
    Task,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Each module connects its receivers when imported (a @receiver at module level).
RECEIVER_MODULES = (
    "liant.inbox.erasure",
    "liant.listening.erasure",
    "liant.moderation.erasure",
    "liant.animation.erasure",
    "liant.feedback.erasure",
)

# Receivers get `subject=Subject`; they return list[Section].
collect_personal_data = Signal()
# Receivers get `subject=Subject`; they return dict[str, int] (what they blanked, counted).
erase_personal_data = Signal()

_connected = False


def connect_receivers() -> None:
    global _connected
    if _connected:
        return
    for name in RECEIVER_MODULES:
        importlib.import_module(name)
    _connected = True


# Column headings shared by every section, so the HTML page reads in the reader's language
# while the JSON keeps stable English keys a program can read.
LABELS: dict[str, StrOrPromise] = {
    "id": _("Number"),
    "name": _("Name"),
    "email": _("E-mail"),
    "language": _("Language"),
    "bio": _("Bio"),
    "avatar_url": _("Picture"),
    "country": _("Country"),
    "kind": _("Kind"),
    "tags": _("Tags"),
    "custom_fields": _("Custom fields"),
    "score": _("Score"),
    "level": _("Level"),
    "first_seen_at": _("First seen"),
    "last_active_at": _("Last active"),
    "created_at": _("Created"),
    "erased_at": _("Erased"),
    "network": _("Network"),
    "handle": _("Handle"),
    "remote_id": _("Account id"),
    "url": _("Address"),
    "email_verified": _("E-mail verified"),
    "followers": _("Followers"),
    "last_seen_at": _("Last seen"),
    "occurred_at": _("When"),
    "event": _("Stored event"),
    "text": _("Text"),
    "purpose": _("Purpose"),
    "granted": _("Granted"),
    "source": _("Source"),
    "ip": _("IP address"),
    "at": _("When"),
    "state": _("State"),
    "closed_at": _("Closed"),
    "role": _("Role in the merge"),
    "other_member": _("Other member"),
    "undone_at": _("Undone"),
    "channel": _("Channel"),
    "author_handle": _("Author handle"),
    "author_name": _("Author name"),
    "author_url": _("Author address"),
    "summary": _("Summary"),
    "subject": _("Subject"),
    "status": _("Status"),
    "message_count": _("Messages"),
    "direction": _("Direction"),
    "conversation": _("Conversation"),
    "sentiment": _("Sentiment"),
    "reason": _("Reason"),
    "decided_at": _("Decided"),
    "action": _("Action"),
    "outcome": _("Outcome"),
    "sent": _("Sent to them"),
    "note": _("Note"),
}


@dataclass
class Section:
    """One table of the export: a stable key for the JSON, a title for the page."""

    key: str
    title: StrOrPromise
    rows: list[dict[str, Any]]


@dataclass
class Subject:
    """Whom an export or an erasure is about, as every app can look them up."""

    workspace_id: int
    member: Member
    # The member and every member merged into them (the same person, kept apart for undo).
    members: list[Member]
    identities: list[Identity]
    # Their events not (yet) attached as activities; the attached ones are read through a
    # subquery (events_q), so a member with 50,000 events does not make a 50,000-item IN.
    unattached_event_ids: list[int]
    # Exact author values seen on their events and identities, per channel and per network:
    # instance-local ids (Mastodon) only mean something on their channel.
    by_channel: dict[int, tuple[set[str], set[str]]] = field(default_factory=dict)
    by_network: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)

    @property
    def member_ids(self) -> list[int]:
        return [m.pk for m in self.members]

    def events_q(self, field: str = "event_id") -> Q:
        """Rows whose `field` is one of their events (channels.Event primary keys)."""
        attached = Activity.objects.filter(
            member_id__in=self.member_ids, event__isnull=False
        ).values("event_id")
        found = Q(**{f"{field}__in": attached})
        if self.unattached_event_ids:
            found |= Q(**{f"{field}__in": self.unattached_event_ids})
        return found

    def author_q(
        self,
        remote: str | None,
        handle: str | None,
        channel: str | None = "channel_id",
        network: str | None = None,
    ) -> Q:
        """Rows another app keyed by author: (channel, id or handle) or (network, id or handle).

        An empty Q() would match everything, so with nothing known this matches nothing.
        """
        found = Q(pk__in=[])
        if channel:
            for channel_id, (ids, handles) in self.by_channel.items():
                found |= Q(**{channel: channel_id}) & _any(remote, ids, handle, handles)
        if network:
            for kind, (ids, handles) in self.by_network.items():
                found |= Q(**{network: kind}) & _any(remote, ids, handle, handles)
        return found

    def terms(self) -> set[str]:
        """Strings that name them outright, for a text search in logs (3+ characters)."""
        out = set(self.emails)
        for ids, handles in [*self.by_channel.values(), *self.by_network.values()]:
            out |= {h for h in handles if len(h) >= 3}
            out |= {i for i in ids if len(i) >= 6 and not i.isdigit()}
        return out


def _any(remote: str | None, ids: set[str], handle: str | None, handles: set[str]) -> Q:
    q = Q(pk__in=[])
    if remote and ids:
        q |= Q(**{f"{remote}__in": sorted(ids)})
    if handle and handles:
        q |= Q(**{f"{handle}__in": sorted(handles)})
    return q


# Networks whose account ids are unique network-wide (a DID, a Matrix user id, an address);
# a Mastodon account id is only unique on the instance, so it is matched per channel.
GLOBAL_IDS = {"bluesky", "matrix", "email", "telegram", "discord"}


def absorbed_into(member: Member) -> list[Member]:
    """Members merged into this one, and into those, and so on."""
    found: list[Member] = []
    frontier = [member.pk]
    seen = {member.pk}
    while frontier:
        batch = list(Member.objects.filter(merged_into_id__in=frontier).exclude(pk__in=seen))
        found += batch
        seen |= {m.pk for m in batch}
        frontier = [m.pk for m in batch]
    return found


def subject_of(member: Member) -> Subject:
    members = [member, *absorbed_into(member)]
    identities = list(
        Identity.objects.filter(member__in=members).select_related("channel").order_by("pk")
    )
    keys = {(i.network, i.key) for i in identities}
    emails = {m.email.strip().lower() for m in members if m.email}
    emails |= {i.email.strip().lower() for i in identities if i.email}
    emails |= {i.key for i in identities if i.network == "email"}
    # An address on the member card is an account on the e-mail channels too.
    keys |= {("email", e) for e in emails}

    attached = set(
        Activity.objects.filter(member__in=members, event__isnull=False).values_list(
            "event_id", flat=True
        )
    )
    unattached: set[int] = set()
    ids = {i.remote_id for i in identities if i.remote_id}
    handles = {i.handle for i in identities if i.handle}
    urls = {i.url for i in identities if i.url}
    candidates = Q(author_remote_id__in=ids) | Q(author_handle__in=handles)
    candidates |= Q(author_url__in=urls)
    for email in emails:
        candidates |= Q(author_remote_id__iexact=email) | Q(author_handle__iexact=email)
    networks = {n for n, _ in keys}
    rows = Event.objects.filter(
        candidates, workspace_id=member.workspace_id, channel__kind__in=networks
    ).values_list(
        "pk", "channel_id", "channel__kind", "author_remote_id", "author_handle", "author_url"
    )
    for pk, channel_id, kind, remote_id, handle, url in rows.iterator():
        if (
            pk not in attached
            and (kind, identity_key(kind, channel_id, remote_id, handle, url)) in keys
        ):
            unattached.add(pk)

    subject = Subject(
        workspace_id=member.workspace_id,
        member=member,
        members=members,
        identities=identities,
        unattached_event_ids=sorted(unattached),
        emails=emails,
    )
    authors = Event.objects.filter(subject.events_q("pk")).values_list(
        "channel_id", "channel__kind", "author_remote_id", "author_handle"
    )
    seen: list[tuple[int | None, str, str, str]] = [
        (i.channel_id, i.network, i.remote_id, i.handle) for i in identities
    ]
    seen += [(None, "email", e, e) for e in emails]
    seen += list(authors)
    for on_channel, kind, remote_id, handle in seen:
        if on_channel is not None:
            ids_, handles_ = subject.by_channel.setdefault(on_channel, (set(), set()))
            ids_.update([remote_id] if remote_id else [])
            handles_.update([handle] if handle else [])
        if kind in GLOBAL_IDS:
            ids_, handles_ = subject.by_network.setdefault(kind, (set(), set()))
            ids_.update([remote_id] if remote_id else [])
            handles_.update([handle] if handle else [])
        elif kind == "mastodon" and handle and "@" in handle.strip("@"):
            # user@instance names one account anywhere; a bare "user" only on its channel.
            subject.by_network.setdefault(kind, (set(), set()))[1].add(handle)
    return subject


def forget_audit_labels(model: type[models.Model], pks: Iterable[Any]) -> int:
    """The audit log names its target with str(target) (a conversation's subject, a queue
    item's author and text): for rows about an erased member, only the number stays."""
    return AuditEvent.objects.filter(
        target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in pks]
    ).update(target_label="")


def _respond(signal: Signal, subject: Subject) -> list[Any]:
    connect_receivers()
    return [answer for _receiver, answer in signal.send(sender=Member, subject=subject)]


# Export -------------------------------------------------------------------------------


def rows(queryset: Iterable[Any]) -> list[dict[str, Any]]:
    """A `.values()` queryset as the plain dicts a Section holds."""
    return [dict(row) for row in queryset]


def _row(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def collect(member: Member) -> list[Section]:
    """Every section of the export, in the order the page shows them."""
    subject = subject_of(member)
    ids = subject.member_ids
    member_fields = (
        "id",
        "name",
        "email",
        "language",
        "bio",
        "avatar_url",
        "country",
        "kind",
        "custom_fields",
        "score",
        "level",
        "first_seen_at",
        "last_active_at",
        "created_at",
        "erased_at",
    )
    profile = []
    for m in subject.members:
        row = _row(m, member_fields)
        row["tags"] = [t.name for t in m.tags.all()]
        profile.append(row)
    sections = [
        Section("member", _("Member"), profile),
        Section(
            "identities",
            _("Accounts"),
            [
                _row(
                    i,
                    (
                        "network",
                        "handle",
                        "name",
                        "remote_id",
                        "url",
                        "email",
                        "email_verified",
                        "followers",
                        "first_seen_at",
                        "last_seen_at",
                    ),
                )
                for i in subject.identities
            ],
        ),
        Section(
            "activities",
            _("Activity"),
            rows(
                Activity.objects.filter(member_id__in=ids)
                .order_by("occurred_at", "pk")
                .values("kind", "network", "occurred_at", "event")
            ),
        ),
        Section(
            "notes",
            _("Team notes"),
            rows(MemberNote.objects.filter(member_id__in=ids).values("text", "created_at")),
        ),
        Section(
            "consents",
            _("Consents"),
            rows(
                Consent.objects.filter(member_id__in=ids).values(
                    "purpose", "granted", "text", "source", "ip", "at"
                )
            ),
        ),
        Section(
            "tasks",
            _("Follow-up tasks"),
            rows(
                Task.objects.filter(member_id__in=ids).values(
                    "kind", "state", "created_at", "closed_at"
                )
            ),
        ),
        Section("merges", _("Merges"), _merges(ids)),
        Section(
            "data_requests",
            _("Earlier data requests"),
            rows(DataRequest.objects.filter(member_id__in=ids).values("kind", "at", "summary")),
        ),
        Section(
            "events",
            _("Messages and actions stored from the networks"),
            [
                {
                    "channel": e.channel.name,
                    "network": e.channel.kind,
                    "kind": e.kind,
                    "occurred_at": e.occurred_at,
                    "author_handle": e.author_handle,
                    "author_name": e.author_name,
                    "author_url": e.author_url,
                    "text": e.text,
                    "url": e.url,
                }
                for e in Event.objects.filter(subject.events_q("pk"))
                .select_related("channel")
                .order_by("occurred_at", "pk")
            ],
        ),
    ]
    for answer in _respond(collect_personal_data, subject):
        sections += list(answer or [])
    return sections


def _merges(ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for merge in Merge.objects.filter(Q(kept_id__in=ids) | Q(absorbed_id__in=ids)).order_by("at"):
        kept = merge.kept_id in ids
        rows.append(
            {
                "role": "kept" if kept else "absorbed",
                "other_member": merge.absorbed_id if kept else merge.kept_id,
                "at": merge.at,
                "undone_at": merge.undone_at,
            }
        )
    return rows


def counts(sections: list[Section]) -> dict[str, int]:
    return {s.key: len(s.rows) for s in sections}


def as_json(member: Member, sections: list[Section]) -> dict[str, Any]:
    return {
        "format": "liant-member-export/1",
        "exported_at": timezone.now(),
        "workspace": member.workspace.name,
        **{s.key: s.rows for s in sections},
    }


def export(member: Member, request: HttpRequest | None = None, by: Any = None) -> list[Section]:
    """The sections, with the request logged (counts only) as the regulation asks."""
    sections = collect(member)
    summary = counts(sections)
    DataRequest.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        kind=DataRequest.Kind.EXPORT,
        by=by,
        summary=summary,
    )
    audit.record(
        request, "members.data_exported", workspace=member.workspace, target=member, **summary
    )
    return sections


# Erasure ------------------------------------------------------------------------------


def erased_label(member_id: int) -> str:
    # Stored in the audit log, which has no language of its own: kept language-neutral.
    return f"#{member_id}"


@transaction.atomic
def erase(member: Member, request: HttpRequest | None = None, by: Any = None) -> dict[str, int]:
    """Blank everything that says who they are or what they wrote; counts stay.

    Returns what was done, counted; nothing of the person goes into the log.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    subject = subject_of(member)
    ids = subject.member_ids
    terms = subject.terms()
    done: dict[str, int] = {"members": len(ids), "identities": len(subject.identities)}

    done["events"] = Event.objects.filter(subject.events_q("pk")).update(
        author_remote_id="",
        author_handle="",
        author_name="",
        author_url="",
        text="",
        html="",
        url="",
        raw={},
    )
    # An opaque post id stays, so the same post fetched again is known and not stored anew;
    # one that spells their account (a Bluesky at:// URI holds their DID) is replaced.
    for pk, remote_id in Event.objects.filter(subject.events_q("pk")).values_list(
        "pk", "remote_id"
    ):
        if any(t.lower() in remote_id.lower() for t in terms):
            Event.objects.filter(pk=pk).update(remote_id=f"erased:{pk}")
    for answer in _respond(erase_personal_data, subject):
        for key, value in (answer or {}).items():
            done[key] = done.get(key, 0) + value

    # The HTTP log of the workspace's channels keeps response excerpts 30 days; one that
    # quotes them goes too (the exchange row stays: it explains a failure by its status).
    exchanges = Q(pk__in=[])
    for term in terms:
        exchanges |= Q(excerpt__icontains=term) | Q(url__icontains=term)
    done["http_log"] = Exchange.objects.filter(
        exchanges, channel__workspace_id=subject.workspace_id
    ).update(excerpt="", url="", error="")

    # The audit log keeps that something was done to member #n, not to whom.
    label = Q(target_type="members.member", target_id__in=[str(i) for i in ids])
    # Short handles ("bob") would match unrelated entries: the log is the workspace's record.
    for term in (t for t in terms if len(t) >= 5):
        label |= Q(target_label__icontains=term) | Q(data__icontains=term)
    for event in AuditEvent.objects.filter(label, workspace_id=subject.workspace_id):
        if event.target_type == "members.member":
            event.target_label = erased_label(int(event.target_id))
        else:
            event.target_label = ""
        if any(t.lower() in str(event.data).lower() for t in terms):
            event.data = {"erased": True}
        event.save(update_fields=["target_label", "data"])

    now = timezone.now()
    for m in subject.members:
        m.tags.clear()
    Member.objects.filter(pk__in=ids).update(
        name="",
        email="",
        bio="",
        avatar_url="",
        language="",
        country="",
        custom_fields={},
        erased_at=now,
    )
    for identity in subject.identities:
        Identity.objects.filter(pk=identity.pk).update(
            key=f"erased:{identity.pk}",
            remote_id="",
            handle="",
            name="",
            url="",
            email="",
            email_verified=False,
            followers=None,
        )
    done["notes"] = MemberNote.objects.filter(member_id__in=ids).delete()[0]
    # Consent rows stay as proof of what was agreed or withdrawn and when (purpose, granted,
    # at, source); the wording and the IP address go, they could identify the person.
    done["consents"] = Consent.objects.filter(member_id__in=ids).update(text="", ip=None)
    Task.objects.filter(member_id__in=ids, state=Task.State.OPEN).update(
        state=Task.State.DISMISSED, closed_at=now
    )
    MergeSuggestion.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids), state=MergeSuggestion.State.OPEN
    ).update(state=MergeSuggestion.State.DISMISSED)
    # A merge remembers the kept member's fields before it, for undo: those are theirs too.
    for merge in Merge.objects.filter(kept_id__in=ids):
        before = dict(merge.kept_before or {})
        before["fields"] = dict.fromkeys(before.get("fields", {}), "")
        before["custom_fields"] = {}
        merge.kept_before = before
        merge.save(update_fields=["kept_before"])

    member.refresh_from_db()
    DataRequest.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        kind=DataRequest.Kind.ERASURE,
        by=by,
        summary=done,
    )
    audit.record(request, "members.data_erased", workspace=member.workspace, target=member, **done)
    return done
