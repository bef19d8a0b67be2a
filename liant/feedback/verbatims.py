"""Keeping a verbatim, and writing a collection out as CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liant.core.csvexport import FORMULA_STARTS, neutralise
from liant.feedback.models import Verbatim
from liant.feedback.sources import Said, member_of

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# a member who writes "=HYPERLINK(…)" must not get code run on the reader's machine. The rule
# lives in core.csvexport; the names stay here for the modules that import them.
__all__ = ["FORMULA_STARTS", "neutralise"]


def keep(workspace_id: int, said: Said, user: Any = None) -> tuple[Verbatim, bool]:
    """The verbatim of this message or mention: made once, whoever clicks first."""
    existing = _existing(workspace_id, said)
    if existing is not None:
        return existing, False
    member, _identity = member_of(workspace_id, said)
    try:
        with transaction.atomic():
            verbatim = Verbatim.objects.create(
                workspace_id=workspace_id,
                text=said.text,
                author_name=said.author_name[:300],
                channel_name=said.channel_name[:150],
                network=said.network[:40],
                url=said.url[:1000],
                said_at=said.at,
                sentiment=said.sentiment,
                language=said.language[:16],
                message=said.message,
                mention=said.mention,
                member=member,
                kept_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # Two people clicked at once: the unique constraint let one of them in.
        found = _existing(workspace_id, said)
        if found is None:
            raise
        return found, False
    return verbatim, True


def _existing(workspace_id: int, said: Said) -> Verbatim | None:
    rows = Verbatim.objects.filter(workspace_id=workspace_id)
    if said.message is not None:
        return rows.filter(message=said.message).first()
    if said.mention is not None:
        return rows.filter(mention=said.mention).first()
    return None


def csv_header() -> list[str]:
    return [
        _("Date"),
        _("Author"),
        _("Member"),
        _("Channel"),
        _("Network"),
        _("Language"),
        _("Sentiment"),
        _("Themes"),
        _("Departments"),
        _("Exact words"),
        _("Link"),
    ]


def csv_rows(verbatims: Iterable[Verbatim]) -> Iterator[list[Any]]:
    """One row per verbatim, under csv_header(); core.csvexport neutralises the cells."""
    for v in verbatims:
        yield [
            v.said_at,
            v.author_name,
            str(v.member) if v.member_id else "",
            v.channel_name,
            v.network,
            v.language,
            v.get_sentiment_display() if v.sentiment else "",
            ", ".join(t.name for t in v.themes.all()),
            ", ".join(d.name for d in v.departments.all()),
            v.text,
            v.url,
        ]
