"""The moderation report of one period (a week, Monday to Monday in the workspace's zone).

Everything is counted from what moderation already writes, in a few grouped queries:
- judged: stored messages of the period that the rules have read (up to the cursor);
- held / removed: the log's entries of the period (a rule's "hold"; a removal that the network
  applied, by a rule or a person), per rule and per charter article;
- flagged: items of the period that wait for a person because the classifiers flagged them or
  a rule's action could not be applied;
- appeals received, upheld and reversed in the period;
- time to decision: from an item entering the queue to a person's first decision on it that
  was not undone; the median, because one item forgotten over a weekend would swamp a mean.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from liant.channels.models import Event
from liant.core.models import Membership, Workspace
from liant.core.permissions import Role
from liant.moderation.engine import MODERATED_KINDS
from liant.moderation.models import (
    Action,
    Appeal,
    AppealState,
    Charter,
    Decision,
    Item,
    LogEntry,
    ModerationState,
    Outcome,
    Reason,
    ReportSent,
    Rule,
)

log = logging.getLogger(__name__)

REMOVING = (
    Action.HIDE,
    Action.DELETE,
    Action.BAN,
    Decision.REMOVE,
    Decision.REMOVE_WARN,
    Decision.REMOVE_MUTE,
)
FLAGGING = (Reason.FLAGGED, Reason.NOT_APPLIED)


@dataclass
class Counts:
    held: int = 0
    removed: int = 0
    flagged: int = 0

    @property
    def total(self) -> int:
        return self.held + self.removed + self.flagged


@dataclass
class Line:
    label: str  # a rule's name or an article's title; "" for "no rule" / "no article"
    number: int | None  # the rule's article, or the article itself
    counts: Counts


@dataclass
class ModerationReport:
    workspace: Workspace
    start: datetime
    end: datetime
    judged: int = 0
    totals: Counts = field(default_factory=Counts)
    by_rule: list[Line] = field(default_factory=list)
    by_article: list[Line] = field(default_factory=list)
    by_moderator: list[tuple[str, int]] = field(default_factory=list)
    appeals: int = 0
    upheld: int = 0
    reversed: int = 0
    decided: int = 0  # items a person decided in the period
    median_decision: timedelta | None = None

    @property
    def empty(self) -> bool:
        return not (self.judged or self.totals.total or self.appeals or self.decided)

    # Dates in the workspace's zone, whatever zone the reader's page is shown in.
    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def week_of(
    workspace: Workspace, day: date | None = None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, in the workspace's zone, of the week holding
    `day` (by default the last complete week before `now`)."""
    zone = ZoneInfo(workspace.timezone or "UTC")
    if day is None:
        day = (now or timezone.now()).astimezone(zone).date() - timedelta(days=7)
    monday = day - timedelta(days=day.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    return start, start + timedelta(days=7)


def build(workspace: Workspace, start: datetime, end: datetime) -> ModerationReport:
    found = ModerationReport(workspace, start, end)
    cursor = ModerationState.of(workspace).last_event_id
    found.judged = Event.objects.filter(
        workspace=workspace,
        kind__in=MODERATED_KINDS,
        fetched_at__gte=start,
        fetched_at__lt=end,
        pk__lte=cursor,
    ).count()

    per_rule: dict[int | None, Counts] = defaultdict(Counts)
    per_article: dict[int | None, Counts] = defaultdict(Counts)
    entries = LogEntry.objects.filter(
        workspace=workspace, created_at__gte=start, created_at__lt=end
    )
    held = entries.filter(action=Action.HOLD).values("rule_id", "article").annotate(n=Count("pk"))
    for row in held:
        per_rule[row["rule_id"]].held += row["n"]
        per_article[row["article"]].held += row["n"]
    removed = (
        entries.filter(action__in=REMOVING, outcome=Outcome.APPLIED)
        .values("rule_id", "article")
        .annotate(n=Count("pk"))
    )
    for row in removed:
        per_rule[row["rule_id"]].removed += row["n"]
        per_article[row["article"]].removed += row["n"]
    flagged = (
        Item.objects.filter(
            workspace=workspace, created_at__gte=start, created_at__lt=end, reason__in=FLAGGING
        )
        .values("rule_id", "rule__article")
        .annotate(n=Count("pk"))
    )
    for item_row in flagged:
        per_rule[item_row["rule_id"]].flagged += item_row["n"]
        per_article[item_row["rule__article"]].flagged += item_row["n"]

    rules = Rule.objects.filter(workspace=workspace).in_bulk([k for k in per_rule if k])
    found.by_rule = sorted(
        (
            Line(rules[k].name if k in rules else "", rules[k].article if k in rules else None, c)
            for k, c in per_rule.items()
        ),
        key=lambda line: (-line.counts.total, line.label),
    )
    charter = Charter.current(workspace)
    titles = charter.articles(workspace.language) if charter else {}
    found.by_article = sorted(
        (Line(titles.get(k, "") if k else "", k, c) for k, c in per_article.items()),
        key=lambda line: (line.number is None, line.number or 0),
    )
    for counts in per_rule.values():
        found.totals.held += counts.held
        found.totals.removed += counts.removed
        found.totals.flagged += counts.flagged

    decisions = entries.filter(actor__isnull=False, action__in=Decision.values).exclude(
        outcome=Outcome.UNDONE
    )
    found.by_moderator = [
        (row["actor__name"] or row["actor__email"], row["n"])
        for row in decisions.values("actor__name", "actor__email")
        .annotate(n=Count("pk"))
        .order_by("-n", "actor__email")
    ]
    firsts = (
        decisions.filter(item__isnull=False)
        .values("item_id", "item__created_at")
        .annotate(first=Min("created_at"))
    )
    waits = [(row["first"] - row["item__created_at"]).total_seconds() for row in firsts]
    found.decided = len(waits)
    if waits:
        found.median_decision = timedelta(seconds=round(statistics.median(waits)))

    appeals = Appeal.objects.filter(workspace=workspace)
    found.appeals = appeals.filter(created_at__gte=start, created_at__lt=end).count()
    outcomes = {
        row["state"]: row["n"]
        for row in appeals.filter(decided_at__gte=start, decided_at__lt=end)
        .values("state")
        .annotate(n=Count("pk"))
    }
    found.upheld = outcomes.get(AppealState.UPHELD, 0)
    found.reversed = outcomes.get(AppealState.REVERSED, 0)
    return found


def duration(value: timedelta | None) -> str:
    """'2 h 05 min', '45 min', '30 s': written the same in French and English."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def send_weekly(now: datetime | None = None) -> int:
    """Last week's report to the owners and administrators of every workspace that uses
    moderation, each in their language; a week with nothing to say sends nothing. Returns
    the number of e-mails sent."""
    sent = 0
    used = Workspace.objects.filter(
        Q(moderation_rules__isnull=False) | Q(moderation_items__isnull=False)
    ).distinct()
    for workspace in used:
        start, end = week_of(workspace, now=now)
        try:
            with transaction.atomic():
                ReportSent.objects.create(workspace=workspace, week=start.date())
        except IntegrityError:
            continue  # another worker sent it
        found = build(workspace, start, end)
        if found.empty:
            continue
        sent += _mail(found)
    return sent


def _mail(found: ModerationReport) -> int:
    workspace = found.workspace
    people = {
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=[Role.OWNER, Role.ADMIN]
        ).select_related("user")
    }
    query = urlencode({"week": found.start.date().isoformat()})
    link = settings.SITE_URL + reverse("moderation_report", kwargs={"ws": workspace.slug})
    sent = 0
    for person in sorted(people, key=lambda p: p.email):
        with (
            translation.override(person.language or workspace.language),
            timezone.override(workspace.timezone),
        ):
            subject = _("Moderation report of %(workspace)s, week of %(day)s") % {
                "workspace": workspace.name,
                "day": date_format(found.first_day, "DATE_FORMAT"),
            }
            body = render_to_string(
                "moderation/report_email.txt",
                {
                    "report": found,
                    "link": f"{link}?{query}",
                    "wait": duration(found.median_decision),
                },
            )
            try:
                send_mail(subject, body, None, [person.email])
                sent += 1
            except Exception:  # the page still shows it; the log says why no mail
                log.exception("could not send the moderation report to %s", person.email)
    return sent
