"""Joining and signing in to a space without a password: a magic link sent by e-mail.

- The link is a TimestampSigner value naming the space, the account and the account's last
  sign-in time, valid 30 minutes. Signing in moves that time, so a link works once.
- Opening the link shows a button; only pressing it (a POST) signs in. Mail scanners open
  links to check them, and must not use up the one sign-in.
- Joining and signing in answer the same words whether the address is known or not, and
  the e-mail says what to do in either case: nobody learns from the page who is a member.
- The signed-in account is kept in the session under a key per space, apart from Liant's
  staff sign-in: a member of one space is nobody in another, and nobody on staff pages.
- The account becomes a person in Members when the address is proven: an Identity of
  network "space" (key = the account's connector id), on the member who already has this
  verified address when there is one, else a new member. The charter accepted on joining is
  recorded then, as members.Consent(purpose="charter", text="charter v<n>").
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liant.members.models import Consent, Identity, Member
from liant.moderation.models import Charter, charter_consent_text
from liant.space.models import Space, SpaceAccount

SALT = "liant.space.magic-link"
LINK_MINUTES = 30
# Asking again within this delay sends nothing more: a form resubmitted in a loop must not
# turn the space into a way to flood someone's mailbox.
RESEND_AFTER = timedelta(seconds=60)
NETWORK = "space"


def session_key(space: Space) -> str:
    return f"liant.space.{space.pk}"


def current_account(request: HttpRequest, space: Space) -> SpaceAccount | None:
    account_id = request.session.get(session_key(space))
    if not isinstance(account_id, int):
        return None
    return (
        SpaceAccount.objects.select_related("space")
        .filter(pk=account_id, space=space, staff=False, confirmed_at__isnull=False)
        .exclude(email="")  # erased: a session opened before the erasure is nobody now
        .first()
    )


def sign_out(request: HttpRequest, space: Space) -> None:
    request.session.pop(session_key(space), None)


# --- The link -------------------------------------------------------------------------------


def _stamp(account: SpaceAccount) -> int:
    return int(account.signed_in_at.timestamp()) if account.signed_in_at else 0


def make_token(account: SpaceAccount) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"s": account.space_id, "a": account.pk, "t": _stamp(account)}
    )


def link_url(account: SpaceAccount) -> str:
    path = reverse("space_link", kwargs={"slug": account.space.slug, "token": make_token(account)})
    return settings.SITE_URL + path


def account_for_token(space: Space, token: str) -> SpaceAccount | None:
    """The account a link names, or None when it is forged, expired, used or for another
    space (all alike to the visitor)."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=LINK_MINUTES * 60)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in "sat"):
        return None
    if value["s"] != space.pk:
        return None
    account = SpaceAccount.objects.filter(pk=value["a"], space=space, staff=False).first()
    if account is None or _stamp(account) != value["t"]:
        return None
    return account


# --- Asking for a link ----------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def request_join(
    space: Space, email: str, display_name: str, language: str, charter: Charter | None
) -> None:
    """Someone asks to join. A known address gets a sign-in link instead (and keeps its
    name); an unconfirmed one takes the latest name given, since nothing was proven yet."""
    email = normalise_email(email)
    now = timezone.now()
    try:
        with transaction.atomic():
            account, _created = SpaceAccount.objects.get_or_create(
                space=space,
                email=email,
                defaults={"display_name": display_name, "language": language},
            )
    except IntegrityError:  # the same address twice at once
        account = SpaceAccount.objects.get(space=space, email=email)
    if account.confirmed_at is None:
        account.display_name, account.language = display_name, language
        account.charter_version = charter.version if charter else None
        account.charter_accepted_at = now if charter else None
        account.save(
            update_fields=["display_name", "language", "charter_version", "charter_accepted_at"]
        )
    send_link(account, joining=account.confirmed_at is None)


def request_sign_in(space: Space, email: str) -> None:
    """A known address gets its link; an unknown one gets nothing (the page says the same)."""
    account = SpaceAccount.objects.filter(
        space=space, email=normalise_email(email), staff=False
    ).first()
    if account is not None:
        send_link(account, joining=account.confirmed_at is None)


def send_link(account: SpaceAccount, *, joining: bool) -> bool:
    now = timezone.now()
    # Claimed with one conditional update: two requests at once send one mail.
    sent = (
        SpaceAccount.objects.filter(pk=account.pk)
        .exclude(link_sent_at__gt=now - RESEND_AFTER)
        .update(link_sent_at=now)
    )
    if not sent:
        return False
    space = account.space
    with translation.override(account.language or space.workspace.language):
        values = {"space": space.title, "link": link_url(account), "minutes": LINK_MINUTES}
        if joining:
            subject = _("Confirm your address for %(space)s") % values
            body = _(
                "Hello,\n\nTo finish joining %(space)s, open this link within %(minutes)s "
                "minutes:\n%(link)s\n\nIf you did not ask to join, ignore this message: "
                "nothing happens without the link.\n"
            )
        else:
            subject = _("Your sign-in link for %(space)s") % values
            body = _(
                "Hello,\n\nTo sign in to %(space)s, open this link within %(minutes)s "
                "minutes:\n%(link)s\n\nIf you did not ask for it, ignore this message.\n"
            )
        send_mail(subject, body % values, None, [account.email])
    return True


# --- Using the link -------------------------------------------------------------------------


def sign_in(request: HttpRequest, account: SpaceAccount, ip: str | None = None) -> bool:
    """Confirm the address the first time, make the person a member, and sign in."""
    now = timezone.now()
    with transaction.atomic():
        # The conditional update makes the link single-use even under two clicks at once.
        used = SpaceAccount.objects.filter(pk=account.pk, signed_in_at=account.signed_in_at).update(
            signed_in_at=now
        )
        if not used:
            return False
        first_time = account.confirmed_at is None
        if first_time:
            account.confirmed_at = now
            account.save(update_fields=["confirmed_at"])
        member = link_member(account)
        if first_time and account.charter_version and member is not None:
            Consent.objects.create(
                member=member,
                purpose=Consent.Purpose.CHARTER,
                granted=True,
                text=charter_consent_text(account.charter_version),
                source=f"community space sign-up ({account.space.slug})"[:200],
                ip=ip,
                at=account.charter_accepted_at or now,
            )
    # A new session id on sign-in: a session fixed by someone else before is worth nothing.
    request.session.cycle_key()
    request.session[session_key(account.space)] = account.pk
    return True


def link_member(account: SpaceAccount) -> Member | None:
    """The member behind the account, through its Identity of network "space"."""
    workspace_id = account.space.workspace_id
    identity = (
        Identity.objects.filter(workspace_id=workspace_id, network=NETWORK, key=account.remote_id)
        .select_related("member")
        .first()
    )
    if identity is None:
        member = (
            Member.objects.filter(
                workspace_id=workspace_id,
                email__iexact=account.email,
                merged_into__isnull=True,
                erased_at__isnull=True,
            ).first()
            if account.email
            else None
        )
        if member is None:
            member = Member.objects.create(
                workspace_id=workspace_id,
                name=account.display_name,
                email=account.email,
                language=account.language,
                first_seen_at=timezone.now(),
            )
        identity = Identity.objects.create(
            workspace_id=workspace_id,
            member=member,
            network=NETWORK,
            key=account.remote_id,
            channel_id=account.space.channel_id,
            remote_id=account.remote_id,
            handle=account.display_name,
            name=account.display_name,
            email=account.email,
            email_verified=True,
        )
    member = identity.member
    while member.merged_into_id is not None:  # a merged member lives on in the kept one
        member = Member.objects.get(pk=member.merged_into_id)
    return None if member.erased_at else member


def accepted_current_charter(account: SpaceAccount, charter: Charter | None) -> bool:
    from liant.moderation.charter import accepted_at  # noqa: PLC0415

    if charter is None:
        return True
    member = link_member(account)
    return member is not None and accepted_at(member, charter) is not None
