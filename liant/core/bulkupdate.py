"""Writing many rows, fast, on SQLite and PostgreSQL alike.

Django's `bulk_update` builds one CASE WHEN per field over every row, which costs seconds of
query building for a few thousand rows. Here one parametrised UPDATE per row goes through the
driver's `executemany`: the statement is prepared once and only the values travel.

`bulk_create` prepares each value of each row through its field (`get_db_prep_save`) and
needs model instances: for listening's ingestion that was 40 % of the time of a batch.
`insert_many` takes plain tuples and prepares only the values that need it (date-times and
JSON); everything else goes to the driver as given.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

SQLITE_PARAMETERS = 999  # a statement's limit, when the backend does not say


def update_many(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """`rows` are (value for each field…, pk). Returns how many rows were given."""
    concrete: list[Any] = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in concrete)
    pk: Any = model._meta.pk
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608 - names come from the model; values are parameters
    prepared = [
        (
            *(
                f.get_db_prep_save(value, connection)
                for f, value in zip(concrete, row[:-1], strict=True)
            ),
            row[-1],
        )
        for row in rows
    ]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)


def _preparer(field: Any) -> Any:
    if isinstance(field, models.DateTimeField):
        # Django's PostgreSQL adapter returns a date-time unchanged (psycopg adapts it): a
        # call per value for nothing.
        if connection.vendor == "postgresql":
            return None
        if connection.timezone is UTC:
            return _sqlite_utc_datetime
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        # What the backends' adapt_json_value writes, without a trip through the field and
        # the connection per value (a third of the writing of ingestion's matches). COPY's text
        # format hands the string to the server, which parses it as the column's JSON type.
        return functools.partial(json.dumps, cls=field.encoder)
    return None


def _sqlite_utc_datetime(value: Any) -> Any:
    """What Django's SQLite adapter writes for a date-time, when the connection's time zone
    is UTC. A UTC date-time (every timezone.now(), every parsed feed date) is written as its
    text without the "+00:00": 1.5 µs instead of 5.7, and a mention has three date-times."""
    if value.tzinfo is UTC and type(value) is datetime:
        return str(value)[:-6]
    return connection.ops.adapt_datetimefield_value(value)


def insert_many(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    returning_pk: bool = False,
) -> list[Any]:
    """INSERT `rows` (one value per field, in `fields` order; attnames such as
    "workspace_id" for foreign keys). Every column without a database default must be
    named: nothing fills in model defaults. With `returning_pk`, the new primary keys in the
    order of `rows`.

    SQLite: multi-row INSERT … RETURNING, as bulk_create does. PostgreSQL: COPY, with the
    keys taken from the table's sequence first (one query): psycopg binds parameters on the
    client for Django, so a 500-row INSERT was 9,000 values quoted into SQL text in Python,
    which made ingestion on PostgreSQL half as fast as on SQLite."""
    if not rows:
        return []
    concrete: list[Any] = [model._meta.get_field(name) for name in fields]
    preparers = [_preparer(f) for f in concrete]
    prepared: Sequence[Sequence[Any]] = rows
    if any(preparers):
        prepared = [
            [
                value if prepare is None or value is None else prepare(value)
                for prepare, value in zip(preparers, row, strict=True)
            ]
            for row in rows
        ]
    elif any(len(row) != len(concrete) for row in rows):  # as zip(strict=True) checks
        raise ValueError("insert_many: a row does not have one value per field")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk: Any = model._meta.pk
    if connection.vendor == "postgresql":
        return _copy(model._meta.db_table, pk, [f.column for f in concrete], prepared, returning_pk)
    columns = ", ".join(quote(f.column) for f in concrete)
    placeholder = "(" + ", ".join(["%s"] * len(concrete)) + ")"
    returning = f" RETURNING {quote(pk.column)}" if returning_pk else ""
    limit = connection.features.max_query_params or SQLITE_PARAMETERS
    per_statement = max(1, limit // len(concrete))
    pks: list[Any] = []
    with connection.cursor() as cursor:
        for first in range(0, len(prepared), per_statement):
            batch = prepared[first : first + per_statement]
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names come from the model; values are parameters
                + ", ".join([placeholder] * len(batch))
                + returning
            )
            cursor.execute(sql, [value for row in batch for value in row])
            if returning_pk:
                pks.extend(row[0] for row in cursor.fetchall())
    return pks


def _copy(
    db_table: str,
    pk: Any,
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    returning_pk: bool,
) -> list[Any]:
    quote = connection.ops.quote_name
    pks: list[Any] = []
    with connection.cursor() as cursor:
        if returning_pk:
            # Keys from the sequence the column's default draws on, so concurrent inserts
            # never get the same ones; gaps are possible, as with any rolled-back insert.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [db_table, pk.column, len(rows)],
            )
            pks = [row[0] for row in cursor.fetchall()]
            columns = [pk.column, *columns]
            rows = [[key, *row] for key, row in zip(pks, rows, strict=True)]
        names = ", ".join(quote(c) for c in columns)
        # The driver's own cursor, so its errors are turned into Django's here (a unique
        # violation must be an IntegrityError to callers, as with an INSERT).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(db_table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    return pks
