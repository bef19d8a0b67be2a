"""Rows of one workspace, streamed, written as CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TextIO

from django.db.models import QuerySet

from liant.core.models import Workspace
from liant.feedback.verbatims import neutralise
from liant.listening.models import Mention, MentionMatch
from liant.members.models import Identity, Member
from liant.publishing.models import Post, Variant

AREAS = ("members", "posts", "mentions")
FORMATS = ("csv", "json")
# Rows read per database round trip (and their tags, accounts...): memory stays at one chunk.
CHUNK = 2000

MEMBER_COLUMNS = (
    "id",
    "name",
    "email",
    "handle",
    "network",
    "language",
    "country",
    "tags",
    "level",
    "score",
    "created_at",
)
POST_COLUMNS = (
    "post",
    "title",
    "pillar",
    "campaign",
    "tags",
    "state",
    "channel",
    "text",
    "link",
    "content_warning",
    "scheduled_at",
    "published_at",
    "remote_url",
)
MENTION_COLUMNS = (
    "source",
    "remote_id",
    "occurred_at",
    "url",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "language",
    "sentiment",
    "queries",
)


def _chunks(rows: QuerySet[Any], *fields: str) -> Iterator[list[dict[str, Any]]]:
    """The rows as dicts, CHUNK at a time, each chunk after the last primary key seen
    (keyset paging: every query is an index range, whatever the depth, and no cursor is held
    open between chunks). Related rows are then read for a whole chunk in one query: Django's
    prefetch_related builds a queryset per object and ran 50 times slower here."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["pk"]


def members(workspace: Workspace, full: bool = True) -> Iterator[dict[str, Any]]:
    """`full` adds the custom fields, which only JSON has room for (CSV columns are fixed
    before the first row); decoding them is a fifth of the export's time, so CSV skips it."""
    rows = Member.objects.filter(
        workspace=workspace, merged_into__isnull=True, erased_at__isnull=True
    )
    fields = ("name", "email", "language", "country", "level", "score", "created_at")
    for chunk in _chunks(rows, *fields, *(["custom_fields"] if full else [])):
        ids = [m["pk"] for m in chunk]
        tags: dict[int, list[str]] = {}
        for member_id, name in Member.tags.through.objects.filter(member_id__in=ids).values_list(
            "member_id", "tag__name"
        ):
            tags.setdefault(member_id, []).append(name)
        # The e-mail address has its own column; the first other account is the handle.
        accounts: dict[int, tuple[str, str]] = {}
        for member_id, handle, network in (
            Identity.objects.filter(member_id__in=ids)
            .exclude(network="email")
            .order_by("-pk")
            .values_list("member_id", "handle", "network")
        ):
            accounts[member_id] = (handle, network)
        for member in chunk:
            handle, network = accounts.get(member["pk"], ("", ""))
            yield {
                "id": member["pk"],
                **{name: member[name] for name in fields[:4]},
                "handle": handle,
                "network": network,
                "tags": ";".join(sorted(tags.get(member["pk"], []))),
                **{name: member[name] for name in fields[4:]},
                **({"custom_fields": member["custom_fields"] or {}} if full else {}),
            }


def posts(workspace: Workspace, full: bool = True) -> Iterator[dict[str, Any]]:
    """One row per variant; rows of the same post follow each other and share `post`."""
    rows = Post.objects.filter(workspace=workspace)
    for chunk in _chunks(rows, "title", "pillar", "campaign", "tags"):
        of_post = {p["pk"]: p for p in chunk}
        for variant in (
            Variant.objects.filter(post_id__in=list(of_post))
            .order_by("post_id", "pk")
            .values(
                "post_id",
                "state",
                "channel__name",
                "text",
                "link",
                "content_warning",
                "scheduled_at",
                "published_at",
                "remote_url",
                "thread",
            )
        ):
            post = of_post[variant["post_id"]]
            yield {
                "post": post["pk"],
                "title": post["title"],
                "pillar": post["pillar"],
                "campaign": post["campaign"],
                "tags": "|".join(str(t) for t in post["tags"] or []),
                "state": variant["state"],
                "channel": variant["channel__name"],
                **{
                    name: variant[name]
                    for name in (
                        "text",
                        "link",
                        "content_warning",
                        "scheduled_at",
                        "published_at",
                        "remote_url",
                    )
                },
                "thread": list(variant["thread"] or []),
            }


def mentions(workspace: Workspace, full: bool = True) -> Iterator[dict[str, Any]]:
    rows = Mention.objects.filter(workspace=workspace)
    fields = MENTION_COLUMNS[:-1]
    for chunk in _chunks(rows, *fields):
        queries: dict[int, list[str]] = {}
        for mention_id, name in MentionMatch.objects.filter(
            mention_id__in=[m["pk"] for m in chunk]
        ).values_list("mention_id", "query__name"):
            queries.setdefault(mention_id, []).append(name)
        for mention in chunk:
            yield {
                **{name: mention[name] for name in fields},
                "queries": "|".join(sorted(queries.get(mention["pk"], []))),
            }


SOURCES: dict[
    str, tuple[Callable[[Workspace, bool], Iterator[dict[str, Any]]], tuple[str, ...]]
] = {
    "members": (members, MEMBER_COLUMNS),
    "posts": (posts, POST_COLUMNS),
    "mentions": (mentions, MENTION_COLUMNS),
}


def count(workspace: Workspace, area: str) -> int:
    """How many rows an export will write (for the progress bar's total)."""
    if area == "members":
        return Member.objects.filter(
            workspace=workspace, merged_into__isnull=True, erased_at__isnull=True
        ).count()
    if area == "posts":
        return Variant.objects.filter(post__workspace=workspace).count()
    return Mention.objects.filter(workspace=workspace).count()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def write(
    workspace: Workspace,
    area: str,
    fmt: str,
    out: TextIO,
    tick: Callable[[], None] = lambda: None,
) -> int:
    """Writes every row of the area to `out`; returns how many. JSON is JSON Lines (one object
    a line): it streams, and a reader can take it line by line as well."""
    source, columns = SOURCES[area]
    written = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in source(workspace, False):
            # A cell a spreadsheet would run as a formula is kept as text (CSV injection).
            writer.writerow([neutralise(_text(row.get(c))) for c in columns])
            written += 1
            tick()
    else:
        for row in source(workspace, True):
            out.write(json.dumps(row, ensure_ascii=False, default=_text))
            out.write("\n")
            written += 1
            tick()
    return written
