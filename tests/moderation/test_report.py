"""The weekly moderation report: counted from the log, items and appeals of one week in the
workspace's zone, shown as a page and e-mailed on Monday to owners and administrators in
their language, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from liant.core.permissions import Role
from liant.moderation import report
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import (
    Action,
    Appeal,
    AppealState,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Reason,
)
from tests.conftest import client_for, make_user
from tests.moderation.conftest import WHEN, rule, store

pytestmark = pytest.mark.django_db
MONDAY_AFTER = datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.fixture
def week(workspace, channel, charter, owner, member):
    """A week: an insult rule held 2 messages, a spam rule removed 1 (and 1 was refused by
    the network), the classifiers flagged 1; a person decided 2 items (10 and 30 minutes
    after they arrived) and 1 decision was undone; 1 appeal, reversed."""
    insults = rule(workspace, name="Insultes", article=1, action=Action.HOLD)
    spam = rule(workspace, name="Pub", article=2, action=Action.DELETE)

    def item(text, when, reason=Reason.HELD, rule=None):
        event = store(channel, text)
        return Item.objects.create(
            workspace=workspace, event=event, channel=channel, reason=reason, rule=rule,
            text=text, created_at=when, state=ItemState.DONE,
        )  # fmt: skip

    def entry(action, when, outcome=Outcome.APPLIED, **fields):
        return LogEntry.objects.create(
            workspace=workspace, action=action, outcome=outcome, created_at=when, **fields
        )

    first = item("a", WHEN, rule=insults)
    second = item("b", WHEN, rule=insults)
    entry(Action.HOLD, WHEN, Outcome.RECORDED, rule=insults, article=1, item=first)
    entry(Action.HOLD, WHEN, Outcome.RECORDED, rule=insults, article=1, item=second)
    entry(Action.DELETE, WHEN, rule=spam, article=2)
    item("c", WHEN, reason=Reason.NOT_APPLIED, rule=spam)
    entry(Action.DELETE, WHEN, Outcome.NOT_APPLIED, rule=spam, article=2)
    item("d", WHEN, reason=Reason.FLAGGED)
    removal = entry(
        Decision.REMOVE, WHEN + timedelta(minutes=10), rule=insults, article=1, item=first,
        actor=owner,
    )  # fmt: skip
    entry(Decision.APPROVE, WHEN + timedelta(minutes=30), Outcome.RECORDED, item=second,
          actor=member)  # fmt: skip
    entry(Decision.BAN, WHEN + timedelta(minutes=1), Outcome.UNDONE, item=second, actor=owner)
    Appeal.objects.create(
        workspace=workspace, entry=removal, text="x", state=AppealState.REVERSED,
        created_at=WHEN + timedelta(hours=1), decided_at=WHEN + timedelta(hours=2),
    )  # fmt: skip
    entry(Action.DELETE, WHEN + timedelta(days=7), rule=spam, article=2)  # the next week
    return insults, spam


def test_the_week_is_counted_per_rule_and_article(workspace, week):
    insults, spam = week
    start, end = report.week_of(workspace, date(2026, 11, 20))
    assert start.isoformat() == "2026-11-16T00:00:00+01:00" and end - start == timedelta(days=7)
    found = report.build(workspace, start, end)
    assert (found.totals.held, found.totals.removed, found.totals.flagged) == (2, 2, 2)
    lines = {line.label: line.counts for line in found.by_rule}
    assert (lines["Insultes"].held, lines["Insultes"].removed) == (2, 1)
    assert (lines["Pub"].removed, lines["Pub"].flagged) == (1, 1)
    assert lines[""].flagged == 1  # the classifiers
    articles = {line.number: (line.label, line.counts.total) for line in found.by_article}
    assert articles[1] == ("Respect", 3) and articles[2] == ("Pas de publicité", 2)
    assert (found.appeals, found.upheld, found.reversed) == (1, 0, 1)
    assert found.decided == 2 and found.median_decision == timedelta(minutes=20)
    assert report.duration(found.median_decision) == "20 min"


def test_messages_judged_are_those_the_rules_read(workspace, channel):
    for n in range(3):
        store(channel, f"message {n}")
    moderate_new_events(workspace)
    store(channel, "not read yet")
    start, end = report.week_of(workspace, datetime.now(UTC).date())
    assert report.build(workspace, start, end).judged == 3


def test_the_report_page(member_client, workspace, week):
    page = member_client.get(
        f"/w/{workspace.slug}/moderation/report/", {"week": "2026-11-18"}
    ).content.decode()
    assert "Insultes" in page and "Respect" in page and "20 min" in page
    assert "?week=2026-11-09" in page and "?week=2026-11-23" in page
    answer = member_client.get(f"/w/{workspace.slug}/moderation/report/", {"week": "nope"})
    assert answer.status_code == 200


def test_an_analyst_cannot_see_the_report(workspace):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(f"/w/{workspace.slug}/moderation/report/").status_code == 403


def test_owners_and_admins_get_it_once_in_their_language(workspace, week, owner):
    owner.language = "en"
    owner.save()
    admin = make_user("admin@brand.example", workspace, Role.ADMIN)
    admin.language = "fr"
    admin.save()
    assert report.send_weekly(now=MONDAY_AFTER) == 2
    assert report.send_weekly(now=MONDAY_AFTER) == 0
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {"owner@brand.example", "admin@brand.example"}  # not the manager
    english = to["owner@brand.example"]
    assert "Moderation report of Brand" in english.subject
    assert "Insultes" in english.body and "held 2, removed 1" in english.body
    assert "/moderation/report/?week=2026-11-16" in english.body
    assert "&#" not in english.body  # plain text, not HTML-escaped


def test_a_quiet_week_sends_nothing(workspace, channel, owner):
    rule(workspace, words="x")
    assert report.send_weekly(now=MONDAY_AFTER) == 0
    assert not mail.outbox
