"""The member behind an e-mail address given on a public form (a contest entry, an RSVP, a
newsletter sign-up, a lead form).

The address is an identity of network "email", keyed by the lowercased address as the
members module keys e-mail identities, so a person who also wrote to the support mailbox is
found again instead of becoming a second member.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from liant.core.models import Workspace
from liant.members.models import Identity, Member


def member_for_email(
    workspace: Workspace, email: str, name: str = "", country: str = "", language: str = ""
) -> tuple[Member, Identity]:
    key = email.strip().lower()
    identity = (
        Identity.objects.filter(workspace=workspace, network="email", key=key)
        .select_related("member")
        .first()
    )
    if identity is None:
        member = Member.objects.filter(
            workspace=workspace, email__iexact=key, merged_into__isnull=True
        ).first() or Member.objects.create(
            workspace=workspace,
            name=name,
            email=key,
            language=language,
            first_seen_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    workspace=workspace,
                    member=member,
                    network="email",
                    key=key,
                    handle=key,
                    name=name,
                    email=key,
                )
        except IntegrityError:  # the same address sent twice at once
            identity = Identity.objects.select_related("member").get(
                workspace=workspace, network="email", key=key
            )
    member = identity.member
    # A merged member lives on in the one it was merged into.
    while member.merged_into_id is not None:
        member = Member.objects.get(pk=member.merged_into_id)
    changed = []
    if name and not member.name:
        member.name = name
        changed.append("name")
    if language and not member.language:
        member.language = language
        changed.append("language")
    if country and not member.country:
        member.country = country.upper()[:2]
        changed.append("country")
    if member.first_seen_at is None:
        member.first_seen_at = timezone.now()
        changed.append("first_seen_at")
    if changed:
        member.save(update_fields=changed)
    return member, identity
