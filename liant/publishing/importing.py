"""CSV import of a month of posts: every row is checked first, and either every row is
imported (in one transaction) or none is, with a report of each refused row and why.

Columns (a header line names them, in any order; only date, channels and text are needed):
    date (YYYY-MM-DD or DD/MM/YYYY), time (HH:MM, default 09:00), channels (names separated
    by |), text, link, title, pillar, campaign, tags (separated by |)
Spreadsheets save with commas or semicolons (the French default): both are read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.publishing import editorial
from liant.publishing.models import Post, Variant
from liant.publishing.validation import can_publish, check_variant

MAX_ROWS = 1000
MAX_BYTES = 1_000_000
REQUIRED = ("date", "channels", "text")
KNOWN = frozenset({*REQUIRED, "time", "link", "title", "pillar", "campaign", "tags"})


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is line 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    at: datetime | None = None
    channels: list[Channel] = field(default_factory=list)


@dataclass
class Report:
    rows: list[Row]
    problems: list[str] = field(default_factory=list)  # about the whole file
    imported: int = 0

    @property
    def refused(self) -> list[Row]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refused and bool(self.rows)


def read(data: bytes) -> tuple[list[dict[str, str]], list[str]]:
    if len(data) > MAX_BYTES:
        return [], [_("The file is larger than 1 MB; split it by month.")]
    try:
        text = data.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        return [], [_('The file is not UTF-8 text; save it as "CSV UTF-8".')]
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [
            _("Missing columns: %(columns)s. The first line must name the columns.")
            % {"columns": ", ".join(missing)}
        ]
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for values in reader:
        if len(rows) >= MAX_ROWS:
            return [], [_("More than %(count)d rows; split the file.") % {"count": MAX_ROWS}]
        clean = {k: (v or "").strip() for k, v in values.items() if k in KNOWN}
        if any(clean.values()):
            rows.append(clean)
    return rows, []


def parse_date(value: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def parse_time(value: str) -> time | None:
    if not value:
        return time(9, 0)
    for pattern in ("%H:%M", "%Hh%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).time()
        except ValueError:
            continue
    return None


def check_rows(workspace: Workspace, rows: list[dict[str, str]], now: datetime) -> list[Row]:
    zone = ZoneInfo(workspace.timezone)
    channels = {c.name.lower(): c for c in Channel.objects.filter(workspace=workspace)}
    checked = []
    for number, values in enumerate(rows, start=2):
        row = Row(number, values)
        day, clock = parse_date(values.get("date", "")), parse_time(values.get("time", ""))
        if day is None:
            row.problems.append(
                _('"%(value)s" is not a date (YYYY-MM-DD or DD/MM/YYYY).')
                % {"value": values.get("date", "")}
            )
        if clock is None:
            row.problems.append(
                _('"%(value)s" is not a time (HH:MM).') % {"value": values.get("time", "")}
            )
        if day and clock:
            row.at = datetime.combine(day, clock, tzinfo=zone)
            if row.at < now:
                row.problems.append(_("This time has passed."))
        names = list(
            dict.fromkeys(n.strip() for n in values.get("channels", "").split("|") if n.strip())
        )
        if not names:
            row.problems.append(_("No channel."))
        for name in names:
            channel = channels.get(name.lower())
            if channel is None:
                row.problems.append(_('No channel is called "%(name)s".') % {"name": name})
            elif not can_publish(channel):
                row.problems.append(_("%(name)s cannot publish.") % {"name": channel.name})
            else:
                row.channels.append(channel)
                found = check_variant(channel, values.get("text", ""), values.get("link", ""))
                row.problems += [f"{channel.name}: {p}" for p in found.problems]
        for name, limit in (("title", 200), ("pillar", 100), ("campaign", 100)):
            if len(values.get(name, "")) > limit:
                row.problems.append(
                    _("%(column)s is longer than %(limit)d characters.")
                    % {"column": name, "limit": limit}
                )
        link = values.get("link", "")
        if link and not link.startswith(("http://", "https://")):
            row.problems.append(_('"%(value)s" is not a web address.') % {"value": link})
        checked.append(row)
    return checked


def import_csv(
    workspace: Workspace, data: bytes, actor: Any, schedule: bool, now: datetime | None = None
) -> Report:
    """Check everything; import only if every row is right. Scheduling goes through the
    same checks as the composer (editorial.schedule_post)."""
    now = now or timezone.now()
    rows, problems = read(data)
    if problems:
        return Report([], problems)
    if not rows:
        return Report([], [_("The file has no row after its header.")])
    report = Report(check_rows(workspace, rows, now))
    if not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            values = row.values
            post = Post.objects.create(
                workspace=workspace,
                owner=actor,
                title=values.get("title", ""),
                pillar=values.get("pillar", ""),
                campaign=values.get("campaign", ""),
                tags=[t.strip() for t in values.get("tags", "").split("|") if t.strip()],
            )
            for channel in row.channels:
                Variant.objects.create(
                    post=post,
                    channel=channel,
                    text=values.get("text", ""),
                    link=values.get("link", ""),
                    scheduled_at=row.at,
                )
            if schedule:
                assert row.at is not None
                refused = editorial.schedule_post(post, row.at, actor)
                if refused:  # cannot happen after the checks above; never half-import
                    transaction.set_rollback(True)
                    row.problems += refused
                    return Report(report.rows)
        report.imported = len(report.rows)
    return report
