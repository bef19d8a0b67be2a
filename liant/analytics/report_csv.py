"""A report as CSV: its figures as one file, and the bundle, a zip of one CSV per part.

The numbers are the report's own (read like `reports.build` reads them: the stored days of
its period and of its comparison period), written raw rather than formatted, so a
spreadsheet can add them up; labels and headers are in the active language.

The bundle holds:
- `indicators.csv`: each section's KPIs over the period, the comparison period, the change;
- `days.csv`: each KPI day by day, with the comparison period's day in the same position;
- `best_posts.csv` and `objectives.csv` when the report has those sections;
- `commentary.csv`: each section's commentary as written (Markdown).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

from liant.analytics import rollup
from liant.analytics.models import Report, SectionKind
from liant.analytics.objectives import progress_of
from liant.analytics.registry import KpiDef, Measure, combine, value_of
from liant.analytics.reports import (
    BEST_POSTS,
    comparison,
    kpis_of,
    section_title,
    span_of_report,
)
from liant.core import csvexport
from liant.publishing.kpis import best_posts

Table = tuple[list[str], list[list[Any]]]


def _change(value: float | None, before: float | None) -> tuple[Any, Any]:
    if value is None or before is None:
        return "", ""
    delta = value - before
    percent = round(100 * delta / before, 1) if before else ""
    return round(delta, 4), percent


class Figures:
    """The daily measures a report reads, fetched once for all its parts."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.workspace = report.workspace
        self.span = span_of_report(report)
        self.previous = comparison(self.span, report.period, report.compare)
        self.sections = list(report.sections.all())
        wanted: dict[str, KpiDef] = {}
        for section in self.sections:
            for kpi in kpis_of(section):
                wanted[kpi.key] = kpi
        self.kpis = list(wanted.values())
        self.now: dict[str, list[Measure]] = {}
        self.before: dict[str, list[Measure]] = {}
        if self.kpis:
            self.now = rollup.daily_measures(
                self.workspace, self.kpis, self.span.start, self.span.end
            )
            self.before = rollup.daily_measures(
                self.workspace, self.kpis, self.previous.start, self.previous.end
            )

    def indicators(self) -> Table:
        header = [
            _("Section"), _("Indicator"), _("Key"), _("Unit"), _("Value"),
            _("Previous period"), _("Change"), _("Change (%)"), _("First day"),
            _("Last day"), _("Comparison from"), _("Comparison to"),
        ]  # fmt: skip
        rows = []
        for section in self.sections:
            for kpi in kpis_of(section):
                value = value_of(kpi, combine(kpi, self.now[kpi.key]))
                before = value_of(kpi, combine(kpi, self.before[kpi.key]))
                rows.append(
                    [
                        section_title(section.kind), str(kpi.label), kpi.key, str(kpi.unit),
                        "" if value is None else value, "" if before is None else before,
                        *_change(value, before), self.span.start, self.span.last_day,
                        self.previous.start, self.previous.last_day,
                    ]
                )  # fmt: skip
        return header, rows

    def days(self) -> Table:
        header = [
            _("Day"),
            _("Indicator"),
            _("Key"),
            _("Value"),
            _("Comparison day"),
            _("Value then"),
        ]
        rows = []
        for kpi in self.kpis:
            before = self.before[kpi.key]
            for n, measure in enumerate(self.now[kpi.key]):
                value = value_of(kpi, measure)
                then = value_of(kpi, before[n]) if n < len(before) else None
                rows.append(
                    [
                        self.span.start + timedelta(days=n), str(kpi.label), kpi.key,
                        "" if value is None else value,
                        self.previous.start + timedelta(days=n) if n < len(before) else "",
                        "" if then is None else then,
                    ]
                )  # fmt: skip
        return header, rows

    def best_posts(self) -> Table:
        header = [_("Publication"), _("Channel"), _("Published"), _("Interactions"), _("Link")]
        begin, _end = rollup.day_bounds(self.workspace, self.span.start)
        _begin, finish = rollup.day_bounds(self.workspace, self.span.last_day)
        rows = [
            [
                v.post.title or v.text, v.channel.name, v.published_at, v.metrics.engagement,
                v.remote_url,
            ]
            for v in best_posts(self.workspace, begin, finish, BEST_POSTS)
        ]  # fmt: skip
        return header, rows

    def objectives(self) -> Table:
        header = [
            _("Objective"), _("Indicator"), _("Target"), _("Unit"), _("Expected"), _("Actual"),
            _("Status"), _("Measured by"),
        ]  # fmt: skip
        on = min(self.span.last_day, rollup.today(self.workspace))
        rows = []
        for objective, progress in progress_of(self.workspace, on):
            for p in progress:
                rows.append(
                    [
                        objective.name, p.kpi.name, p.kpi.target, p.kpi.unit,
                        "" if p.expected is None else p.expected,
                        "" if p.actual is None else p.actual, p.status,
                        p.measured_by.key if p.measured_by else "",
                    ]
                )  # fmt: skip
        return header, rows

    def commentary(self) -> Table:
        return [_("Section"), _("Commentary")], [
            [section_title(s.kind), s.commentary] for s in self.sections
        ]

    def files(self) -> Iterator[tuple[str, Table]]:
        kinds = {s.kind for s in self.sections}
        yield "indicators.csv", self.indicators()
        yield "days.csv", self.days()
        if SectionKind.TOP_POSTS in kinds:
            yield "best_posts.csv", self.best_posts()
        if SectionKind.OBJECTIVES in kinds:
            yield "objectives.csv", self.objectives()
        yield "commentary.csv", self.commentary()


def bundle(report: Report) -> bytes:
    """The zip of the report's CSV files."""
    out = io.BytesIO()
    tz = csvexport.zone_of(report.workspace)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in Figures(report).files():
            archive.writestr(name, csvexport.text(header, rows, tz).encode("utf-8"))
    return out.getvalue()
