"""Who is on a list, and the proof that they asked to be.

Three ways in, all consent-first: the public form (double opt-in: a signed, expiring link in
a confirmation e-mail), an import that carries each row's proof of consent, and a members
segment (only members whose latest word on "newsletter" is a yes). One way out, which wins
over every way in: an address that unsubscribed, bounced or complained is never turned back
into a subscriber by an import or a segment; only the person, through the form, can.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from liant.members.models import Consent
from liant.members.people import member_for_email
from liant.members.segments import has_consent, members_of
from liant.newsletters.models import SUPPRESSED, MailingList, Send, Subscriber, SubscriberState

CONFIRM_SALT = "liant.newsletters.confirm"
CONFIRM_DAYS = 7
# The form makes Liant send a mail to any address typed in: without limits it could be used
# to flood someone's mailbox. One confirmation per address per RESEND_MINUTES, and at most
# PER_IP_PER_HOUR requests from one IP address.
RESEND_MINUTES = 10
PER_IP_PER_HOUR = 10


def too_many_from(ip: str | None) -> bool:
    if not ip:
        return False
    since = timezone.now() - timedelta(hours=1)
    return Subscriber.objects.filter(requested_ip=ip, requested_at__gte=since).count() >= (
        PER_IP_PER_HOUR
    )


# --- double opt-in ---------------------------------------------------------------------------


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> int:
    return int(signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400))


def request_subscription(
    mailing_list: MailingList,
    email: str,
    name: str,
    language: str,
    ip: str | None,
    *,
    text: str = "",
    source: str = "",
) -> Subscriber:
    """Record the request and send the confirmation mail; nothing is sent to the list yet.

    `text` and `source`: the words the person agreed to and the form they used, when it is
    not the list's own sign-up page (a leads form with the newsletter purpose)."""
    member, _identity = member_for_email(mailing_list.workspace, email, name, language=language)
    subscriber, _created = Subscriber.objects.get_or_create(
        mailing_list=mailing_list,
        member=member,
        defaults={"workspace": mailing_list.workspace, "email": email.strip().lower()},
    )
    now = timezone.now()
    recently = (
        subscriber.state == SubscriberState.PENDING
        and subscriber.requested_at is not None
        and subscriber.requested_at > now - timedelta(minutes=RESEND_MINUTES)
    )
    if subscriber.state != SubscriberState.SUBSCRIBED and not recently:
        # A person who had left may come back, but only by confirming again.
        subscriber.state = SubscriberState.PENDING
        subscriber.requested_at = now
        subscriber.requested_ip = ip
        subscriber.requested_text = text or mailing_list.consent_text
        subscriber.source = source or _("sign-up form: %(list)s") % {"list": mailing_list.name}
        subscriber.save(
            update_fields=["state", "requested_at", "requested_ip", "requested_text", "source"]
        )
        send_confirmation(subscriber, language)
    return subscriber


def send_confirmation(subscriber: Subscriber, language: str) -> None:
    link = settings.SITE_URL + reverse("newsletters_confirm", args=[confirm_token(subscriber)])
    with translation.override(language or subscriber.mailing_list.workspace.language):
        subject = _("Please confirm your subscription to %(list)s") % {
            "list": subscriber.mailing_list.name
        }
        body = _(
            "Hello,\n\nSomeone, probably you, asked to receive %(list)s at this address.\n"
            "To confirm, open this link within %(days)s days:\n\n%(link)s\n\n"
            "If it was not you, ignore this message: you will receive nothing else."
        ) % {"list": subscriber.mailing_list.name, "link": link, "days": CONFIRM_DAYS}
    EmailMessage(subject, body, to=[subscriber.email]).send()


def confirm(subscriber: Subscriber) -> None:
    """The person clicked the link: subscribed, with the consent and its proof recorded."""
    if subscriber.state == SubscriberState.SUBSCRIBED:
        return
    now = timezone.now()
    with transaction.atomic():
        Consent.objects.create(
            member=subscriber.member,
            purpose=Consent.Purpose.NEWSLETTER,
            granted=True,
            text=subscriber.requested_text,
            source=subscriber.source,
            ip=subscriber.requested_ip,
            at=now,
        )
        subscriber.state = SubscriberState.SUBSCRIBED
        subscriber.subscribed_at = now
        subscriber.soft_bounces = 0
        subscriber.save(update_fields=["state", "subscribed_at", "soft_bounces"])


def unsubscribe(subscriber: Subscriber, send_id: int | None, source: str) -> bool:
    """Takes effect at once; returns False when the person had already left."""
    now = timezone.now()
    with transaction.atomic():
        changed = (
            Subscriber.objects.filter(pk=subscriber.pk)
            .exclude(state=SubscriberState.UNSUBSCRIBED)
            .update(state=SubscriberState.UNSUBSCRIBED, unsubscribed_at=now)
        )
        if not changed:
            return False
        Consent.objects.create(
            member=subscriber.member,
            purpose=Consent.Purpose.NEWSLETTER,
            granted=False,
            text=_("Unsubscribed from %(list)s") % {"list": subscriber.mailing_list.name},
            source=source,
            at=now,
        )
        if send_id:
            Send.objects.filter(pk=send_id, subscriber=subscriber).update(unsubscribed_at=now)
    return True


# --- segment ---------------------------------------------------------------------------------


def sync_segment(mailing_list: MailingList) -> int:
    """Add the segment's members who agreed to newsletters and have an address."""
    if mailing_list.segment is None:
        return 0
    members = (
        members_of(mailing_list.segment)
        .filter(has_consent(Consent.Purpose.NEWSLETTER))
        .exclude(email="")
    )
    present = set(
        Subscriber.objects.filter(mailing_list=mailing_list).values_list("member_id", flat=True)
    )
    now = timezone.now()
    rows = [
        Subscriber(
            workspace_id=mailing_list.workspace_id,
            mailing_list=mailing_list,
            member=m,
            email=m.email.lower(),
            state=SubscriberState.SUBSCRIBED,
            source=_("segment: %(name)s") % {"name": mailing_list.segment.name},
            subscribed_at=now,
        )
        for m in members
        if m.pk not in present
    ]
    # Members already on the list keep their state: a "no" is never overwritten here.
    Subscriber.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    email: str
    outcome: str  # "added", "kept", "refused"
    reason: str = ""


REQUIRED = ("email", "consent_date", "consent_text")


def _when(value: str) -> datetime | None:
    value = value.strip()
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            return None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def import_csv(mailing_list: MailingList, data: str, filename: str) -> list[ImportRow]:
    """Columns: email, consent_date, consent_text (required); name, language, consent_source.

    A row without a consent date and wording is refused: without them nobody could show,
    later, that this person asked for the newsletter.
    """
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in reader.fieldnames or []}
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        return [
            ImportRow(
                1,
                "",
                "refused",
                _("Missing columns: %(names)s") % {"names": ", ".join(missing)},
            )
        ]
    report: list[ImportRow] = []
    workspace = mailing_list.workspace
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        address = row.get("email", "").lower()
        try:
            validate_email(address)
        except ValidationError:
            report.append(ImportRow(number, address, "refused", _("not an e-mail address")))
            continue
        when = _when(row.get("consent_date", ""))
        if when is None or not row.get("consent_text"):
            report.append(
                ImportRow(number, address, "refused", _("no proof of consent (date and wording)"))
            )
            continue
        if when > timezone.now():
            report.append(ImportRow(number, address, "refused", _("consent date in the future")))
            continue
        member, _identity = member_for_email(
            workspace, address, row.get("name", ""), language=row.get("language", "")
        )
        existing = Subscriber.objects.filter(mailing_list=mailing_list, member=member).first()
        # Strict on purpose: whoever left this list, or whose latest word on newsletters is
        # a no, comes back only by their own double opt-in, whatever date a file claims.
        if existing is not None and (existing.state in SUPPRESSED or existing.unsubscribed_at):
            report.append(
                ImportRow(
                    number,
                    address,
                    "refused",
                    _("%(state)s: an import never subscribes this address again")
                    % {"state": SubscriberState(
                        existing.state if existing.state in SUPPRESSED else "unsubscribed"
                    ).label},
                )
            )  # fmt: skip
            continue
        latest = (
            Consent.objects.filter(member=member, purpose=Consent.Purpose.NEWSLETTER)
            .order_by("-at", "-pk")
            .first()
        )
        if latest is not None and not latest.granted:
            report.append(ImportRow(number, address, "refused", _("withdrew consent")))
            continue
        if existing is not None and existing.state == SubscriberState.SUBSCRIBED:
            report.append(ImportRow(number, address, "kept", _("already subscribed")))
            continue
        source = row.get("consent_source") or _("import: %(file)s") % {"file": filename}
        with transaction.atomic():
            Consent.objects.create(
                member=member,
                purpose=Consent.Purpose.NEWSLETTER,
                granted=True,
                text=row["consent_text"],
                source=source[:200],
                at=when,
            )
            if existing is None:
                Subscriber.objects.create(
                    workspace=workspace,
                    mailing_list=mailing_list,
                    member=member,
                    email=address,
                    state=SubscriberState.SUBSCRIBED,
                    source=source[:200],
                    subscribed_at=when,
                )
            else:  # a pending request: the import's proof completes it
                existing.state = SubscriberState.SUBSCRIBED
                existing.subscribed_at = when
                existing.save(update_fields=["state", "subscribed_at"])
        report.append(ImportRow(number, address, "added"))
    return report
