"""Scheduled reports: due at 8:00 in the workspace's zone, e-mailed with the PDF, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core import mail

from liant.analytics import scheduling, tasks
from liant.analytics.models import (
    Frequency,
    Report,
    ReportDelivery,
    ReportSchedule,
    ReportSection,
    SectionKind,
)
from liant.analytics.reports import make_from, set_commentary, span_of
from tests.analytics.test_reports import empty_days, pdf_text, seed
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 8:30 in Paris: the first Monday of December, after 8:00.
FIRST_MONDAY = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
SUNDAY = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def template(workspace) -> Report:
    template = Report.objects.create(
        workspace=workspace, title="Monthly report", is_template=True, period="month"
    )
    ReportSection.objects.create(
        report=template, kind=SectionKind.KPIS, kpis=["listening.mentions"]
    )
    return template


@pytest.fixture
def schedule(workspace, template, owner, member) -> ReportSchedule:
    schedule = ReportSchedule.objects.create(
        workspace=workspace,
        template=template,
        frequency=Frequency.MONTHLY,
        extra_emails="director@brand.example\nDirector@brand.example",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    owner.language = "fr"
    owner.save(update_fields=["language"])
    schedule.members.set([owner, member])
    empty_days(workspace, date(2026, 10, 1), date(2026, 12, 1))
    seed(workspace, "listening.mentions", date(2026, 11, 3), 4321)
    return schedule


def test_the_moment_and_the_period(schedule):
    moment, span = scheduling.due(schedule, FIRST_MONDAY)
    assert moment == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 8:00 in Paris
    assert (span.start, span.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    moment, span = scheduling.due(schedule, SUNDAY)  # before it: November's first Monday
    assert moment.date() == date(2026, 11, 2)
    assert span.start == date(2026, 10, 1)
    schedule.frequency = Frequency.WEEKLY
    moment, span = scheduling.due(schedule, FIRST_MONDAY)
    assert (span.start, span.last_day) == (date(2026, 11, 30), date(2026, 12, 6))


def test_it_sends_the_pdf_once_even_when_the_task_runs_twice(schedule, workspace):
    assert scheduling.send_due(FIRST_MONDAY) == 3
    assert scheduling.send_due(FIRST_MONDAY) == 0  # a retry, or a second worker
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "director@brand.example",
        "member@brand.example",
        "owner@brand.example",
    ]
    delivery = ReportDelivery.objects.get(schedule=schedule)
    assert (delivery.period_start, delivery.sent, delivery.error) == (date(2026, 11, 1), 3, "")
    report = delivery.report
    assert (report.starts_on, report.template) == (date(2026, 11, 1), schedule.template)
    for message in mail.outbox:
        name, content, kind = message.attachments[0]
        assert kind == "application/pdf"
        text = pdf_text(content).replace("\u202f", " ").replace("\xa0", " ")
        # The owner reads French, the others the workspace's language (French by default).
        assert "4 321" in text or "4,321" in text


def test_a_claimed_period_is_not_sent_again_by_another_worker(schedule):
    ReportDelivery.objects.create(schedule=schedule, period_start=date(2026, 11, 1))
    assert scheduling.send_due(FIRST_MONDAY) == 0
    assert mail.outbox == []


def test_the_periodic_task_sends_through_the_same_claim(schedule, monkeypatch):
    monkeypatch.setattr(scheduling.timezone, "now", lambda: FIRST_MONDAY)
    tasks.send_scheduled_reports.call_local()
    tasks.send_scheduled_reports.call_local()
    assert len(mail.outbox) == 3


def test_it_sends_the_report_the_community_manager_wrote(schedule, template):
    written = make_from(template, span_of("month", date(2026, 11, 1)))
    set_commentary(written.sections.get(), "Un **excellent** mois.")
    scheduling.send_due(FIRST_MONDAY)
    assert ReportDelivery.objects.get().report == written
    assert "excellent" in pdf_text(mail.outbox[0].attachments[0][1])


def test_nothing_before_the_moment_nor_for_a_period_before_the_schedule(schedule):
    schedule.created_at = datetime(2026, 11, 3, tzinfo=UTC)  # after November's sending
    schedule.save()
    assert scheduling.send_due(datetime(2026, 12, 7, 6, 59, tzinfo=UTC)) == 0  # 7:59
    schedule.created_at = datetime(2026, 12, 7, 7, 10, tzinfo=UTC)
    schedule.save()
    assert scheduling.send_due(FIRST_MONDAY) == 0
    schedule.active = False
    schedule.created_at = datetime(2026, 11, 3, tzinfo=UTC)
    schedule.save()
    assert scheduling.send_due(FIRST_MONDAY) == 0
    assert mail.outbox == []


def test_a_member_who_left_gets_nothing(schedule, member, workspace):
    member.memberships.filter(workspace=workspace).delete()
    assert scheduling.send_due(FIRST_MONDAY) == 2
    assert "member@brand.example" not in [m.to[0] for m in mail.outbox]


def test_the_schedule_form_checks_addresses_and_workspace(
    owner_client, workspace, template, outsider_client, schedule, other_workspace
):
    url = f"/w/{workspace.slug}/analytics/schedules/new/"
    response = owner_client.post(
        url, {"template": template.pk, "frequency": "weekly", "extra_emails": "not an address"}
    )
    assert response.status_code == 200
    assert "n’est pas une adresse e-mail" in response.content.decode()  # the owner reads French
    stranger = make_user("someone@rival.example", other_workspace)
    response = owner_client.post(
        url, {"template": template.pk, "frequency": "weekly", "members": [stranger.pk]}
    )
    assert response.status_code == 200  # not a member here: not a choice
    response = owner_client.post(
        url,
        {"template": template.pk, "frequency": "weekly", "extra_emails": "a@b.example"},
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.filter(frequency="weekly").count() == 1
    edit = f"/w/{workspace.slug}/analytics/schedules/{schedule.pk}/"
    assert outsider_client.get(edit).status_code == 404
    assert outsider_client.post(edit + "delete/").status_code == 404
    other = client_for(make_user("cm@rival.example", other_workspace))
    assert other.get(f"/w/rival-brand/analytics/schedules/{schedule.pk}/").status_code == 404
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()
