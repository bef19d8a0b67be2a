"""A public form submission: the checks that stand in for CSRF, then what it creates.

The endpoint is posted to from other sites (the embedded snippet), so it cannot carry a CSRF
token; see public_views.py. What keeps robots out instead, without third-party services:

- a honeypot: an input people never see; a robot that fills every input gives itself away;
- a minimum time to submit: the page carries a signed timestamp of when it was served, and a
  human needs more than MIN_SECONDS to type an address and tick a box. Signed, so a robot
  cannot simply send an old time; with a maximum age, so a served page cannot be replayed for
  ever;
- a rate limit per IP address, counted in the cache;
- the form's allowed origins: when the browser says where the post comes from (Origin, or
  Referer), it must be one of the sites the form was meant to be embedded on.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from liant.animation import contests, meetups
from liant.animation.models import Entry
from liant.leads import inbox
from liant.leads.models import UTM_KEYS, Form, Lead, LeadSettings, Purpose, Submission
from liant.members.models import Consent
from liant.members.people import member_for_email
from liant.newsletters import subscriptions

STAMP_SALT = "liant.leads.form-served"
MIN_SECONDS = 3
MAX_AGE_SECONDS = 86400  # a page left open for a day is served again, not trusted
HONEYPOT = "website"
STAMP = "ts"
# The cache is per process with the default local-memory backend; with several web processes
# each counts on its own, which still bounds a flood. REDIS_URL makes it one shared count.
PER_IP_PER_HOUR = 20


class Refused(Exception):
    """Why a submission was dropped; the visitor is never told which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def stamp() -> str:
    return signing.TimestampSigner(salt=STAMP_SALT).sign(str(int(timezone.now().timestamp())))


def check_stamp(value: str) -> None:
    try:
        served = int(
            signing.TimestampSigner(salt=STAMP_SALT).unsign(value, max_age=MAX_AGE_SECONDS)
        )
    except (signing.BadSignature, ValueError):
        raise Refused("stamp") from None
    if timezone.now().timestamp() - served < MIN_SECONDS:
        raise Refused("too_fast")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(form: Form, origin: str, referer: str, own: set[str]) -> str:
    """The site the post came from, refused when the form names its sites and this is not one.

    Browsers omit both headers in some privacy settings: a post without them is let through
    (the other checks still apply), since refusing it would refuse real people.
    """
    seen = origin_of(origin) if origin and origin != "null" else origin_of(referer)
    allowed = form.origins()
    if seen and allowed and seen not in allowed and seen not in own:
        raise Refused("origin")
    return seen


def check_rate(ip: str | None) -> None:
    if not ip:
        return
    key = f"leads:ip:{ip}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > PER_IP_PER_HOUR:
        raise Refused("rate")


class Closed(Exception):
    """The contest or the event the form joins no longer takes anyone."""


def check_open(form: Form) -> None:
    """Said before anything is stored, so the person reads why instead of a thank-you."""
    now = timezone.now()
    if form.purpose == Purpose.CONTEST and (
        form.contest is None or not contests.accepts_entries(form.contest, now)
    ):
        raise Closed
    if form.purpose == Purpose.EVENT and form.meetup is not None and form.meetup.starts_at <= now:
        raise Closed
    if form.purpose == Purpose.NEWSLETTER and form.mailing_list is None:
        raise Closed


# The consent each purpose records at once. A newsletter sign-up records none here: the
# newsletters' double opt-in writes Consent(purpose="newsletter") when the person confirms,
# with the words, time, form and IP kept meanwhile on the pending subscriber.
CONSENT_PURPOSE = {
    Purpose.CONTACT: Consent.Purpose.CONTACT,
    Purpose.LEAD: Consent.Purpose.CONTACT,
    Purpose.EVENT: Consent.Purpose.CONTACT,
    Purpose.CONTEST: Consent.Purpose.CONTEST_RULES,
}


@dataclass
class Captured:
    submission: Submission
    lead: Lead | None


def record(
    form: Form,
    data: dict[str, str],
    utm: dict[str, str],
    language: str,
    ip: str | None,
    origin: str,
) -> Captured:
    """Store the submission, find or create the member, record the consent with its exact
    words, and open a lead for the purposes that are about selling."""
    workspace = form.workspace
    consent_text = form.consent_text(language)
    now = timezone.now()
    with transaction.atomic():
        member, identity = member_for_email(workspace, data["email"], data.get("name", ""))
        submission = Submission.objects.create(
            workspace=workspace,
            form=form,
            member=member,
            data=data,
            utm={k: v for k, v in utm.items() if k in UTM_KEYS and v},
            consent_text=consent_text,
            language=language,
            ip=ip,
            origin=origin[:300],
            created_at=now,
        )
        if consent_text and form.purpose in CONSENT_PURPOSE:
            Consent.objects.create(
                member=member,
                purpose=CONSENT_PURPOSE[Purpose(form.purpose)],
                granted=True,
                text=consent_text,
                source=f"form: {form.name}"[:200],
                ip=ip,
                at=now,
            )
        lead = None
        if form.purpose in (Purpose.CONTACT, Purpose.LEAD):
            lead = Lead.objects.create(
                workspace=workspace,
                member=member,
                submission=submission,
                name=data.get("name", "") or member.name,
                email=data["email"].strip().lower(),
                company=data.get("company", "")[:200],
                phone=data.get("phone", "")[:50],
                source=f"form: {form.name}"[:150],
                campaign=form.campaign or utm.get("utm_campaign", "")[:150],
                currency=LeadSettings.of(workspace.pk).currency or "EUR",
                notes=data.get("message", ""),
                created_at=now,
                stage_changed_at=now,
                **{k: utm.get(k, "")[:150] for k in UTM_KEYS},
            )
        if form.purpose == Purpose.CONTEST and form.contest is not None:
            # Closed between check_open and now: the submission is kept, there is no entry.
            with suppress(contests.ContestClosed):
                contests.add_entry(form.contest, member, Entry.Source.FORM, now, identity)
        if form.purpose == Purpose.EVENT and form.meetup is not None:
            name = data.get("name", "") or member.name
            meetups.rsvp(form.meetup, member, name, data["email"].strip().lower())
        # A contact form is someone writing to the brand: it becomes an inbox message.
        inbox.publish(submission)
    # After the commit: it mails the confirmation link. The newsletters' own limit per IP
    # applies too (it sends mail to any address typed in); the answer is the same.
    if (
        form.purpose == Purpose.NEWSLETTER
        and form.mailing_list is not None
        and not subscriptions.too_many_from(ip)
    ):
        subscriptions.request_subscription(
            form.mailing_list,
            data["email"],
            data.get("name", ""),
            language,
            ip,
            text=consent_text or form.mailing_list.consent_text,
            source=f"form: {form.name}"[:200],
        )
    return Captured(submission, lead)
