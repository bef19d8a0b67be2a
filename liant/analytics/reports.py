"""What a report shows, read from the stored daily figures with the functions the dashboard
uses (rollup.daily_measures, combine, value_of), for its period and its comparison period.

Numbers and dates are formatted here in the active language, so the caller renders a report
inside `translation.override(reader's language)` and the same report reads "1,234.5" in
English and "1 234,5" in French.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from liant.analytics import charts, rollup
from liant.analytics.models import Compare, PeriodKind, Report, ReportSection, SectionKind
from liant.analytics.objectives import Progress, progress_of
from liant.analytics.registry import REGISTRY, Kind, KpiDef, Measure, all_kpis, combine, value_of
from liant.analytics.views import _trend
from liant.publishing.kpis import best_posts
from liant.space.markup import render
from liant.strategy.models import Objective

# Sections that show a module's indicators: which modules each one reads.
MODULE_SECTIONS = {
    SectionKind.LISTENING: ("listening",),
    SectionKind.INBOX: ("inbox",),
    SectionKind.COMMUNITY: ("members", "space"),
}
# A longer period is charted by weeks: ninety bars are not read, thirteen are.
DAILY_UP_TO = 31
BEST_POSTS = 5


@dataclass(frozen=True)
class Span:
    start: date  # [start, end)
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    n = day.year * 12 + day.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def span_of(kind: str, day: date) -> Span:
    """The week (Monday first), month or quarter that contains `day`."""
    if kind == PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Span(start, start + timedelta(days=7))
    if kind == PeriodKind.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Span(start, _add_months(start, 3))
    start = _month_start(day)
    return Span(start, _add_months(start, 1))


def last_whole(kind: str, today: date) -> Span:
    """The last whole week, month or quarter before today."""
    return span_of(kind, span_of(kind, today).start - timedelta(days=1))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison(span: Span, kind: str, compare: str) -> Span:
    if compare == Compare.YEAR:
        return Span(_year_before(span.start), _year_before(span.end))
    if kind in (PeriodKind.MONTH, PeriodKind.QUARTER) and span == span_of(kind, span.start):
        return span_of(kind, span.start - timedelta(days=1))
    return Span(span.start - timedelta(days=span.days), span.start)


def span_of_report(report: Report) -> Span:
    """A report's own dates; a template, which has none, is previewed on the last whole
    period of its kind."""
    if report.starts_on is None or report.ends_on is None:
        kind = report.period if report.period != PeriodKind.CUSTOM else PeriodKind.MONTH
        return last_whole(kind, rollup.today(report.workspace))
    return Span(report.starts_on, report.ends_on + timedelta(days=1))


def title_for(template: Report, span: Span) -> str:
    """ "Monthly report — November 2026": the template's title and the period, in the active
    language (the report made from a template keeps it as its own title)."""
    if template.period == PeriodKind.MONTH:
        when = date_format(span.start, "YEAR_MONTH_FORMAT")
    elif template.period == PeriodKind.QUARTER:
        when = _("Q%(quarter)s %(year)s") % {
            "quarter": (span.start.month - 1) // 3 + 1,
            "year": span.start.year,
        }
    else:
        when = _("%(first)s – %(last)s") % {
            "first": date_format(span.start, "SHORT_DATE_FORMAT"),
            "last": date_format(span.last_day, "SHORT_DATE_FORMAT"),
        }
    return f"{template.title} — {when}"[:200]


def make_from(template: Report, span: Span, user: Any = None) -> Report:
    """A report for `span` with the template's sections, their commentary left to write."""
    report = Report.objects.create(
        workspace=template.workspace,
        title=title_for(template, span),
        template=template,
        period=template.period,
        starts_on=span.start,
        ends_on=span.last_day,
        compare=template.compare,
        created_by=user,
    )
    ReportSection.objects.bulk_create(
        ReportSection(report=report, position=s.position, kind=s.kind, kpis=s.kpis)
        for s in template.sections.all()
    )
    return report


def set_commentary(section: ReportSection, text: str) -> None:
    """Markdown as written, and its HTML rendered once and sanitized (the only HTML of a
    report a template marks safe)."""
    section.commentary = text.strip()
    section.commentary_html = render(section.commentary)
    section.save(update_fields=["commentary", "commentary_html"])


def kpis_of(section: ReportSection) -> list[KpiDef]:
    if section.kind == SectionKind.KPIS:
        return [REGISTRY[k] for k in section.kpis if k in REGISTRY]
    modules = MODULE_SECTIONS.get(SectionKind(section.kind), ())
    return [k for k in all_kpis() if k.module in modules]


def figure(kpi: KpiDef, value: float | None) -> str:
    """A KPI's number in the active language, with the KPI's decimals."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=kpi.decimals, use_l10n=True, force_grouping=True)


@dataclass
class Block:
    kpi: KpiDef
    value: str
    before: str
    trend: dict[str, Any]
    chart: SafeString
    rows: list[tuple[str, str, str]]  # (day or week, value, comparison value)
    parts: list[tuple[str, str]]
    by_week: bool


@dataclass
class Shown:
    section: ReportSection
    title: str
    blocks: list[Block] = field(default_factory=list)
    objectives: list[tuple[Objective, list[Progress]]] = field(default_factory=list)
    posts: list[Any] = field(default_factory=list)


@dataclass
class Built:
    report: Report
    span: Span
    previous: Span
    sections: list[Shown]
    objectives_on: date | None = None


def _buckets(span: Span) -> list[tuple[int, int]]:
    """(offset, length) of each day, or of each 7-day stretch for a long period."""
    step = 1 if span.days <= DAILY_UP_TO else 7
    return [(n, min(step, span.days - n)) for n in range(0, span.days, step)]


def _series(kpi: KpiDef, measures: list[Measure], buckets: list[tuple[int, int]]) -> list:
    return [value_of(kpi, combine(kpi, measures[n : n + size])) for n, size in buckets]


def _block(
    workspace: Any, kpi: KpiDef, span: Span, previous: Span, now: list, before: list
) -> Block:
    buckets = _buckets(span)
    by_week = len(buckets) < span.days
    measure = combine(kpi, now)
    value, earlier = value_of(kpi, measure), value_of(kpi, combine(kpi, before))
    series = _series(kpi, now, buckets)
    before_buckets = [(n, s) for n, s in _buckets(previous)][: len(buckets)]
    before_series = _series(kpi, before, before_buckets)
    trend = _trend(kpi, value, earlier)
    if trend["delta"] is not None and value is not None and earlier is not None:
        trend["delta"] = figure(kpi, abs(value - earlier))
    labels = [
        date_format(span.start + timedelta(days=n), "SHORT_DATE_FORMAT") for n, _size in buckets
    ]
    rows = [
        (
            labels[i],
            figure(kpi, v),
            figure(kpi, before_series[i]) if i < len(before_series) else "—",
        )
        for i, v in enumerate(series)
    ]
    parts: list[tuple[str, str]] = []
    if kpi.part_labels and measure.parts:
        names = kpi.part_labels(workspace, measure.parts)
        parts = [
            (names.get(k, k), figure(kpi, v))
            for k, v in sorted(measure.parts.items(), key=lambda p: -p[1])
            if v
        ]
    return Block(
        kpi=kpi,
        value=figure(kpi, value),
        before=figure(kpi, earlier),
        trend=trend,
        chart=charts.chart(
            str(kpi.label),
            labels,
            series,
            before_series,
            bars=kpi.kind == Kind.SUM,
            decimals=kpi.decimals,
        ),
        rows=rows,
        parts=parts,
        by_week=by_week,
    )


def section_title(kind: str) -> str:
    return str(SectionKind(kind).label)


def build(report: Report) -> Built:
    workspace = report.workspace
    span = span_of_report(report)
    previous = comparison(span, report.period, report.compare)
    sections = list(report.sections.all())
    wanted: dict[str, KpiDef] = {}
    for section in sections:
        for kpi in kpis_of(section):
            wanted[kpi.key] = kpi
    kpis = list(wanted.values())
    now = rollup.daily_measures(workspace, kpis, span.start, span.end) if kpis else {}
    before = rollup.daily_measures(workspace, kpis, previous.start, previous.end) if kpis else {}
    today = rollup.today(workspace)
    objectives_on = min(span.last_day, today)
    shown = []
    for section in sections:
        item = Shown(section, section_title(section.kind))
        if section.kind == SectionKind.OBJECTIVES:
            item.objectives = progress_of(workspace, objectives_on)
        elif section.kind == SectionKind.TOP_POSTS:
            begin, _end = rollup.day_bounds(workspace, span.start)
            _begin, finish = rollup.day_bounds(workspace, span.last_day)
            item.posts = best_posts(workspace, begin, finish, BEST_POSTS)
        else:
            item.blocks = [
                _block(workspace, k, span, previous, now[k.key], before[k.key])
                for k in kpis_of(section)
            ]
        shown.append(item)
    return Built(report, span, previous, shown, objectives_on)
