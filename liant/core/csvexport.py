"""Every table of the product as a CSV file, written the same way.

- Streamed: a list of 200 000 mentions goes out row by row, memory stays flat.
- UTF-8 with a byte order mark, so Excel reads accents right when the file is double-clicked.
- Formula injection: a text cell starting with = + - @, a tab or a carriage return is
  prefixed with a quote, so a name typed as `=HYPERLINK(...)` in a public form stays text
  in the spreadsheet that opens it. Numbers are written as numbers (a -3 change is not a
  formula).
- Headers in the reader's language; the file is named after the workspace and the day.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> str:
    """A text a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell(value: Any, tz: tzinfo | None = None) -> Any:
    """What one cell holds: numbers as they are, dates in ISO 8601 (a moment in the
    workspace's zone, with its offset), any text neutralised."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime) and tz is not None and timezone.is_aware(value):
        return value.astimezone(tz).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(value)


class _Line:
    """A file-like target for csv.writer that hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def lines(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], tz: tzinfo | None = None
) -> Iterator[str]:
    """The CSV text, one line at a time, the first starting with the byte order mark."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([str(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(v, tz) for v in row])


def text(header: Sequence[Any], rows: Iterable[Sequence[Any]], tz: tzinfo | None = None) -> str:
    """The whole CSV at once (for a zip of several files)."""
    return "".join(lines(header, rows, tz))


def zone_of(workspace: Any) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def local_today(workspace: Any) -> date:
    return timezone.now().astimezone(zone_of(workspace)).date()


def filename(workspace: Any, name: str, extension: str = "csv") -> str:
    """`maison-lumiere-mentions-2026-11-30.csv`: ASCII only, safe in a header."""
    parts = [slugify(workspace.slug) or "liant", slugify(name) or "export"]
    return f"{'-'.join(parts)}-{local_today(workspace).isoformat()}.{extension}"


def _in_language(language: str | None, chunks: Iterator[str]) -> Iterator[str]:
    # The rows are made while the response streams, after the view has returned: the
    # labels they translate must still be in the reader's language.
    with translation.override(language):
        yield from chunks


def response(
    workspace: Any, name: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    language = translation.get_language()
    header = [str(h) for h in header]
    streamed = StreamingHttpResponse(
        _in_language(language, lines(header, rows, zone_of(workspace))),
        content_type="text/csv; charset=utf-8",
    )
    streamed["Content-Disposition"] = f'attachment; filename="{filename(workspace, name)}"'
    return streamed


def body(streamed: StreamingHttpResponse) -> str:
    """A streamed CSV read back as text (for tests and the report bundle)."""
    return b"".join(streamed.streaming_content).decode("utf-8")  # type: ignore[arg-type]
