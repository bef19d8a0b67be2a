"""Scheduled reports: each week or month, at 8:00 in the workspace's time zone, a template's
report for the period just over, e-mailed as a PDF.

A period is claimed before anything is sent, by creating its `ReportDelivery` row (unique on
schedule and period): a retried task, or a second worker running the same sweep, finds the
row and sends nothing. The price is at most once, not at least once: a crash between the
claim and the mail loses that period's e-mail, and the row keeps the error to say so.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liant.analytics import pdf, rollup
from liant.analytics.models import Frequency, Report, ReportDelivery, ReportSchedule
from liant.analytics.reports import Span, make_from, span_of
from liant.core.models import User

log = logging.getLogger(__name__)
SEND_AT = time(8, 0)


def _first_monday(day: date) -> date:
    first = day.replace(day=1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def due(schedule: ReportSchedule, now: datetime) -> tuple[datetime, Span]:
    """The last sending moment at or before `now`, and the period it reports on."""
    tz = rollup.zone(schedule.workspace)
    local = now.astimezone(tz)
    if schedule.frequency == Frequency.WEEKLY:
        monday = local.date() - timedelta(days=local.weekday())
        if local < datetime.combine(monday, SEND_AT, tzinfo=tz):
            monday -= timedelta(days=7)
        return datetime.combine(monday, SEND_AT, tzinfo=tz), Span(
            monday - timedelta(days=7), monday
        )
    monday = _first_monday(local.date())
    if local < datetime.combine(monday, SEND_AT, tzinfo=tz):
        monday = _first_monday(monday.replace(day=1) - timedelta(days=1))
    previous_month = span_of("month", monday.replace(day=1) - timedelta(days=1))
    return datetime.combine(monday, SEND_AT, tzinfo=tz), previous_month


def send_due(now: datetime | None = None) -> int:
    """Every active schedule whose moment has come and whose period is not yet claimed.
    Returns the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    schedules = ReportSchedule.objects.filter(active=True).select_related("workspace", "template")
    for schedule in schedules:
        moment, span = due(schedule, now)
        if moment < schedule.created_at:
            continue  # a schedule starts with the next sending, never with a past one
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(schedule=schedule, period_start=span.start)
        except IntegrityError:
            continue  # already sent (or being sent) by another run
        sent += deliver(schedule, delivery, span)
    return sent


def _report_for(schedule: ReportSchedule, span: Span) -> Report:
    """The report the community manager made from the template for this period (with their
    commentary), else one made now."""
    made = Report.objects.filter(
        template=schedule.template,
        is_template=False,
        starts_on=span.start,
        ends_on=span.last_day,
    ).first()
    if made is not None:
        return made
    with translation.override(schedule.workspace.language):
        return make_from(schedule.template, span)


def recipients(schedule: ReportSchedule) -> list[tuple[str, str]]:
    """(address, language): members still in the workspace in their own language, other
    addresses in the workspace's, each address once."""
    workspace = schedule.workspace
    found: dict[str, str] = {}
    members = User.objects.filter(
        pk__in=schedule.members.values("pk"), memberships__workspace=workspace, is_active=True
    )
    for user in members.order_by("email"):
        found.setdefault(user.email.lower(), user.language or workspace.language)
    for address in schedule.addresses:
        found.setdefault(address.lower(), workspace.language)
    return sorted(found.items())


def deliver(schedule: ReportSchedule, delivery: ReportDelivery, span: Span) -> int:
    workspace = schedule.workspace
    report = _report_for(schedule, span)
    delivery.report = report
    link = settings.SITE_URL + reverse(
        "analytics_report", kwargs={"ws": workspace.slug, "pk": report.pk}
    )
    documents: dict[str, bytes] = {}  # one PDF per language
    errors = []
    for address, language in recipients(schedule):
        try:
            if language not in documents:
                documents[language] = pdf.render_pdf(report, language)
            with translation.override(language), timezone.override(workspace.timezone):
                context = {
                    "report": report,
                    "workspace": workspace,
                    "first": date_format(span.start, "DATE_FORMAT"),
                    "last": date_format(span.last_day, "DATE_FORMAT"),
                    "link": link,
                }
                subject = _("%(title)s (%(workspace)s)") % {
                    "title": report.title,
                    "workspace": workspace.name,
                }
                body = render_to_string("analytics/report_email.txt", context)
            mail = EmailMessage(subject, body, None, [address])
            mail.attach(pdf.filename(report), documents[language], "application/pdf")
            mail.send()
            delivery.sent += 1
        except Exception as error:  # one bad address or render does not stop the others
            log.exception("could not send report %s to %s", report.pk, address)
            errors.append(f"{address}: {error}")
    delivery.error = "\n".join(errors)[:5000]
    delivery.save(update_fields=["report", "sent", "error"])
    return delivery.sent
