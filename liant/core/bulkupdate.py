"""Writing different values to many rows, fast, on SQLite and PostgreSQL alike.

Django's `bulk_update` builds one CASE WHEN per field over every row, which costs seconds of
query building for a few thousand rows. Here one parametrised UPDATE per row goes through the
driver's `executemany`: the statement is prepared once and only the values travel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


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
