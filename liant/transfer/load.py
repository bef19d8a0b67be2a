"""Rows read from a CSV or JSON Lines file, each stored in its own savepoint by the code the
web app uses for the same data; every refused row comes back with its line and reason."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.channels.models import Channel, Health
from liant.core.models import Workspace
from liant.feedback.verbatims import FORMULA_STARTS
from liant.listening import ingest
from liant.listening.models import Mention
from liant.members import importing
from liant.publishing.models import Post, Variant
from liant.publishing.validation import can_publish

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
MENTION_CHUNK = 200  # rows given to listening's ingestion at once (it analyses in batches)

Rows = Iterator[tuple[int, dict[str, Any]]]


class FileRefused(Exception):
    """The whole file cannot be read."""


@dataclass
class Outcome:
    line: int
    stored: bool
    reason: str = ""


def _unquote(value: str) -> str:
    """Undoes the export's formula neutralising: "'=x" was written for "=x"."""
    if value[:1] == "'" and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def read(path: Path) -> Rows:
    """(line, row) pairs: CSV (`,` or `;`) by its header, else JSON Lines by extension."""
    if path.suffix.lower() in JSON_SUFFIXES:
        return _json_rows(path)
    if path.suffix.lower() != ".csv":
        raise FileRefused(_("Give a .csv or a .jsonl (JSON Lines) file."))
    return _csv_rows(path)


def _csv_rows(path: Path) -> Rows:
    text, _encoding = importing.decode(path.read_bytes())
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    reader = csv.reader(text.splitlines(keepends=True), delimiter=importing.delimiter_of(text))
    header = [(c or "").strip().lower() for c in next(reader)]
    last = reader.line_num
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield last + 1, {h: _unquote(c) for h, c in zip(header, cells, strict=False)}
            last = reader.line_num
    except csv.Error as error:
        raise FileRefused(
            _("Line %(line)s cannot be read: %(error)s") % {"line": last + 1, "error": error}
        ) from None


def _json_rows(path: Path) -> Rows:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            # A bad line is reported like a bad row, not a reason to drop the file.
            yield number, row if isinstance(row, dict) else {"__invalid__": True}


def _invalid(row: dict[str, Any]) -> str:
    return _("This line is not a JSON object.") if row.get("__invalid__") else ""


# --- members: the members CSV import, row by row ---------------------------------------------


def _member_cells(row: dict[str, Any]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, value in row.items():
        if key == "custom_fields" and isinstance(value, dict):
            for name, field in value.items():
                cells[importing.FIELD_PREFIX + str(name)] = str(field)
        elif isinstance(value, bool):
            cells[importing._header_key(key)] = "yes" if value else "no"
        elif isinstance(value, list):
            cells[importing._header_key(key)] = ";".join(str(v) for v in value)
        else:
            cells[importing._header_key(key)] = "" if value is None else str(value)
    return cells


def members(workspace: Workspace, rows: Rows, source: str) -> Iterator[Outcome]:
    invalid: list[tuple[int, dict[str, str]]] = []

    def checked() -> Iterator[tuple[int, dict[str, str]]]:
        for line, row in rows:
            if _invalid(row):
                invalid.append((line, {}))
                continue
            yield line, _member_cells(row)

    for result in importing.import_rows(workspace, checked(), source):
        while invalid and invalid[0][0] < result.line:
            yield Outcome(invalid.pop(0)[0], False, _("This line is not a JSON object."))
        yield Outcome(result.line, result.outcome != "refused", " ".join(result.reasons))
    for line, _cells in invalid:
        yield Outcome(line, False, _("This line is not a JSON object."))


# --- posts: drafts, as the API's POST /posts writes them ------------------------------------


def _groups(rows: Rows) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Consecutive rows with the same `post` are the variants of one post."""
    group: list[tuple[int, dict[str, Any]]] = []
    for line, row in rows:
        key = str(row.get("post") or "")
        if group and (not key or key != str(group[0][1].get("post") or "")):
            yield group
            group = []
        group.append((line, row))
    if group:
        yield group


def _tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split("|")
    return list(dict.fromkeys(str(t).strip()[:60] for t in items if str(t).strip()))


def _post_problems(
    row: dict[str, Any], channels: dict[str, Channel], seen: set[int]
) -> tuple[Channel | None, list[str]]:
    problems = [p for p in [_invalid(row)] if p]
    if problems:
        return None, problems
    for name, limit in (("title", 200), ("pillar", 100), ("campaign", 100)):
        if len(str(row.get(name) or "")) > limit:
            problems.append(
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": name, "limit": limit}
            )
    if len(str(row.get("content_warning") or "")) > 500:
        problems.append(
            _("%(column)s is longer than %(limit)d characters.")
            % {"column": "content_warning", "limit": 500}
        )
    name = str(row.get("channel") or "").strip()
    channel = channels.get(name.lower())
    if channel is None or not can_publish(channel) or channel.health == Health.DISCONNECTED:
        problems.append(
            _('No channel of this workspace called "%(name)s" can publish.') % {"name": name}
        )
        channel = None
    elif channel.pk in seen:
        problems.append(_("One variant per channel."))
    link = str(row.get("link") or "")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            problems.append(_("Enter a valid web address."))
    return channel, problems


def posts(workspace: Workspace, rows: Rows) -> Iterator[Outcome]:
    """Every post comes in as a draft, whatever state it had where it came from: nothing is
    published or scheduled by an import."""
    channels = {c.name.lower(): c for c in Channel.objects.filter(workspace=workspace)}
    for group in _groups(rows):
        seen: set[int] = set()
        checked = []
        refused: list[Outcome] = []
        for line, row in group:
            channel, problems = _post_problems(row, channels, seen)
            if channel is not None:
                seen.add(channel.pk)
            if problems:
                refused.append(Outcome(line, False, " ".join(problems)))
            checked.append((line, row, channel))
        if refused:
            # One bad variant keeps its whole post out: a post is stored whole or not at all.
            bad = {o.line for o in refused}
            yield from refused
            for line, _row, _channel in checked:
                if line not in bad:
                    yield Outcome(line, False, _("Another row of the same post was refused."))
            continue
        first = group[0][1]
        try:
            with transaction.atomic():
                post = Post.objects.create(
                    workspace=workspace,
                    title=str(first.get("title") or ""),
                    pillar=str(first.get("pillar") or ""),
                    campaign=str(first.get("campaign") or ""),
                    tags=_tags(first.get("tags")),
                )
                for _line, row, channel in checked:
                    assert channel is not None  # rows without one were refused above
                    thread = row.get("thread")
                    parts = thread if isinstance(thread, list) else []
                    Variant.objects.create(
                        post=post,
                        channel=channel,
                        text=str(row.get("text") or ""),
                        link=str(row.get("link") or ""),
                        content_warning=str(row.get("content_warning") or ""),
                        thread=[str(p) for p in parts if str(p).strip()],
                    )
        except DatabaseError:
            for line, _row in group:
                yield Outcome(line, False, _("The database refused this row."))
            continue
        for line, _row in group:
            yield Outcome(line, True)


# --- mentions: listening's ingestion, which matches them against the workspace's queries ----


def _incoming(row: dict[str, Any]) -> ingest.Incoming:
    problems = [p for p in [_invalid(row)] if p]
    if problems:
        raise ValueError(problems[0])
    source = str(row.get("source") or "").strip()[:40]
    remote_id = str(row.get("remote_id") or "").strip()[:500]
    text = str(row.get("text") or "")
    if not source or not remote_id or not text.strip():
        raise ValueError(_("A mention needs a source, a remote_id and a text."))
    try:
        when = datetime.fromisoformat(str(row.get("occurred_at") or "").strip())
    except ValueError:
        raise ValueError(
            _("occurred_at: not a date and time (2026-03-31T09:00:00+00:00).")
        ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    followers = row.get("author_followers")
    try:
        reach = int(followers) if followers not in (None, "") else None
    except (TypeError, ValueError):
        raise ValueError(_("author_followers: not a whole number.")) from None
    url = str(row.get("url") or "")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValueError(_("Enter a valid web address.")) from None
    return ingest.Incoming(
        source=source,
        remote_id=remote_id,
        text=text,
        occurred_at=when,
        url=url[:1000],
        author_handle=str(row.get("author_handle") or ""),
        author_name=str(row.get("author_name") or ""),
        author_followers=reach if reach is None or reach >= 0 else None,
    )


def _stored(
    workspace: Workspace, items: Iterable[tuple[int, ingest.Incoming]]
) -> set[tuple[str, str]]:
    keys = {(i.source, i.remote_id) for _line, i in items}
    found = Mention.objects.filter(
        workspace=workspace, remote_id__in={r for _s, r in keys}
    ).values_list("source", "remote_id")
    return {k for k in found if k in keys}


def mentions(workspace: Workspace, rows: Rows) -> Iterator[Outcome]:
    """A mention is stored when it matches one of the workspace's active queries, as one
    brought by a channel would be; one that matches none is reported, not stored."""
    batch: list[tuple[int, ingest.Incoming]] = []

    def flush() -> Iterator[Outcome]:
        try:
            with transaction.atomic():
                ingest.ingest(workspace, [i for _line, i in batch])
        except DatabaseError:
            # Find the culprit: each row alone, in its own savepoint.
            for line, item in list(batch):
                try:
                    with transaction.atomic():
                        ingest.ingest(workspace, [item])
                except DatabaseError:
                    batch.remove((line, item))
                    yield Outcome(line, False, _("The database refused this row."))
        stored = _stored(workspace, batch)
        for line, item in batch:
            if (item.source, item.remote_id) in stored:
                yield Outcome(line, True)
            else:
                yield Outcome(line, False, _("It matches no active listening query."))
        batch.clear()

    for line, row in rows:
        try:
            batch.append((line, _incoming(row)))
        except ValueError as error:
            yield Outcome(line, False, str(error))
            continue
        if len(batch) >= MENTION_CHUNK:
            yield from flush()
    if batch:
        yield from flush()
