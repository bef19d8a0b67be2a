"""Cursor pagination, the one way every list of the API pages.

A page is read after the last row of the previous one on (ordering key, id), so rows added
meanwhile never shift a page nor show twice. The cursor is that pair, signed (a client
cannot forge one to read around the filters) and salted per list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from liant.api.problems import Problem

MAX_LIMIT = 200
# OpenAPI descriptions are for developers and stay in English, like the code.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (at most 200).")]
Cursor = Annotated[
    str | None,
    Query(max_length=1000, description="Leave out; the `next` address of a page carries it."),
]


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def page(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    name: str,
    limit: int,
    cursor: str | None,
    key: str = "id",
    descending: bool = True,
) -> tuple[list[Any], str | None]:
    """The rows of this page and the address of the next one (None on the last page)."""
    salt = f"liant.api.cursor.{name}"
    if cursor:
        try:
            value, last_id = signing.loads(cursor, salt=salt)
            last_id = int(last_id)
            if key != "id":
                value = rows.model._meta.get_field(key).to_python(value)
        except (signing.BadSignature, ValueError, TypeError, ValidationError) as exc:
            raise Problem(
                422,
                _("This cursor is not one this list gave."),
                slug="validation",
                errors=[{"field": "cursor", "in": "query", "message": _("Invalid cursor.")}],
            ) from exc
        op = "lt" if descending else "gt"
        if key == "id":
            rows = rows.filter(**{f"id__{op}": last_id})
        else:
            rows = rows.filter(
                Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"id__{op}": last_id})
            )
    sign = "-" if descending else ""
    order = [f"{sign}id"] if key == "id" else [f"{sign}{key}", f"{sign}id"]
    found = list(rows.order_by(*order)[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    last: Model = found[-1]
    token = signing.dumps([_encode(getattr(last, key)), last.pk], salt=salt, compress=True)
    query = request.GET.copy()
    query["cursor"] = token
    return found, request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
