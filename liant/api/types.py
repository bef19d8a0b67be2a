"""Field types shared by the API's schemas: text a database can store, ids it can hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from ninja import Path
from pydantic import AfterValidator, AwareDatetime, Field


def storable(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no database stores a lone surrogate.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("contains characters that cannot be stored")
    return value


Storable = AfterValidator(storable)
Text60 = Annotated[str, Field(max_length=60), Storable]
Text100 = Annotated[str, Field(max_length=100), Storable]
Text150 = Annotated[str, Field(max_length=150), Storable]
Text200 = Annotated[str, Field(max_length=200), Storable]
Text300 = Annotated[str, Field(max_length=300), Storable]
Text500 = Annotated[str, Field(max_length=500), Storable]
Text1000 = Annotated[str, Field(max_length=1000), Storable]
Text20000 = Annotated[str, Field(max_length=20000), Storable]

MAX_ID = 2**63 - 1  # a bigint: larger ids would overflow the database driver
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def storable_moment(value: datetime) -> datetime:
    # A far date with a far offset overflows when the database driver turns it into UTC.
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None
    if not 1900 <= in_utc.year <= 9000:
        raise ValueError("out of range")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(storable_moment)]
