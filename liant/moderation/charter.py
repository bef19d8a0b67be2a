"""Who accepted which version of the charter, kept as the members' consents.

An acceptance is a `members.Consent` with purpose "charter" and the text "charter v<version>":
Members already keeps the proof of what a person agreed to (when, where, from which address),
moves it with a merge and erases it with the person, so moderation keeps no second copy.

A person accepts through a signed link sent to them (`accept_path`); there is no account to
sign in to. The link names the member and the workspace, expires, and says nothing to whoever
has not got it: a forged or expired value is a 404, like an unknown one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.core.models import Workspace
from liant.members.models import Consent, Member
from liant.moderation.models import Charter, charter_consent_text, charter_version_of

SALT = "liant.moderation.charter-acceptance"
LINK_DAYS = 90  # a link sent with a welcome message may be opened weeks later


def accept_path(member: Member) -> str:
    signed = signing.TimestampSigner(salt=SALT).sign_object(
        {"w": member.workspace_id, "m": member.pk}
    )
    return reverse("charter_accept", kwargs={"signed": signed})


def accept_url(member: Member) -> str:
    return settings.SITE_URL + accept_path(member)


def send_link(member: Member) -> None:
    """E-mail the person their link, in their language (else the workspace's)."""
    workspace = member.workspace
    with translation.override(member.language or workspace.language):
        send_mail(
            _("The charter of %(community)s") % {"community": workspace.name},
            _(
                "Hello,\n\nThe community %(community)s has a charter: the few rules that keep "
                "its exchanges friendly. You can read it and accept it here:\n%(link)s\n"
            )
            % {"community": workspace.name, "link": accept_url(member)},
            None,
            [member.email],
        )


def member_of(signed: str) -> Member:
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(signed, max_age=LINK_DAYS * 86400)
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in "wm"):
        raise Http404
    member = (
        Member.objects.select_related("workspace")
        .filter(pk=value["m"], workspace_id=value["w"], erased_at__isnull=True)
        .first()
    )
    if member is None:
        raise Http404
    # A link sent before a merge still works: the person is now the kept member.
    if member.merged_into_id:
        kept = Member.objects.select_related("workspace").filter(pk=member.merged_into_id).first()
        if kept is None:
            raise Http404
        member = kept
    return member


def record_acceptance(
    member: Member, charter: Charter, source: str, ip: str | None = None
) -> Consent:
    return Consent.objects.create(
        member=member,
        purpose=Consent.Purpose.CHARTER,
        granted=True,
        text=charter_consent_text(charter.version),
        source=source[:200],
        ip=ip,
    )


def latest_versions(member_ids: Iterable[int]) -> dict[int, tuple[int | None, datetime]]:
    """Member id → (the charter version of their latest charter consent, or None when they
    withdrew it; when) — one query for any number of members."""
    ids = list(set(member_ids))
    if not ids:
        return {}
    rows = (
        Consent.objects.filter(member_id__in=ids, purpose=Consent.Purpose.CHARTER)
        .order_by("member_id", "-at", "-pk")
        .values_list("member_id", "granted", "text", "at")
    )
    latest: dict[int, tuple[int | None, datetime]] = {}
    for member_id, granted, text, at in rows:
        if member_id not in latest:
            latest[member_id] = (charter_version_of(text) if granted else None, at)
    return latest


@dataclass
class Counts:
    current: int = 0  # members whose latest acceptance is of the current version
    earlier: int = 0  # members whose latest acceptance is of an earlier version
    members: int = 0  # members of the workspace (people, not merged or erased)


def acceptance_counts(workspace: Workspace) -> Counts:
    charter = Charter.current(workspace)
    people = Member.objects.filter(
        workspace=workspace, merged_into__isnull=True, erased_at__isnull=True, kind="person"
    )
    counts = Counts(members=people.count())
    if charter is None:
        return counts
    rows = (
        Consent.objects.filter(member__in=people, purpose=Consent.Purpose.CHARTER)
        .order_by("member_id", "-at", "-pk")
        .values_list("member_id", "granted", "text")
    )
    seen: set[int] = set()
    for member_id, granted, text in rows:
        if member_id in seen:
            continue
        seen.add(member_id)
        version = charter_version_of(text) if granted else None
        if version == charter.version:
            counts.current += 1
        elif version is not None:
            counts.earlier += 1
    return counts


def accepted_at(member: Member, charter: Charter) -> datetime | None:
    """When this member accepted this version, if their latest charter consent is for it."""
    found = latest_versions([member.pk]).get(member.pk)
    if found and found[0] == charter.version:
        return found[1]
    return None
