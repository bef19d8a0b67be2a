"""Full-text search over messages, one interface for SQLite FTS5 and PostgreSQL.

Both read `Message.search_text`, the text folded by liant.text (case, accents, NFKC), and the
typed words are folded the same way, so "cafe" finds "Café" on both.
SQLite: an FTS5 table `inbox_message_fts` (rowid = message id) kept in step by triggers
(migration 0002). PostgreSQL: a stored tsvector column `search_vector` with a GIN index, in
the 'simple' configuration because a workspace's messages mix French and English and
stemming one language would spoil the other.

Both take the words a person typed: every word must appear, the last one as a prefix
(search as you type). Nothing typed is ever passed to the engine's own query syntax.

On PostgreSQL the planner cannot tell how rare a prefix term is, and guesses "common": it walks
the conversations newest first and checks each one's messages, which finds a page at once for
a common word but reads every conversation when the word is rare or absent (88 ms at 200,000
messages, growing with the table). The column's own statistics (pg_stats.most_common_elems,
kept by ANALYZE) say which words are common; for any other query the GIN index is asked first
for up to RARE_HITS matching messages, and the page is read from those conversations alone.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from liant.inbox.models import Conversation
from liant.text import fold

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
RARE_HITS = 2000
COMMON_FOR = 600.0  # seconds the list of common words is kept before it is read again
_common: tuple[float, frozenset[str]] = (0.0, frozenset())

PG_DOCUMENT = "search_vector"  # to_tsvector('simple', search_text), stored (migration 0002)
PG_SQL = (
    "SELECT conversation_id FROM inbox_message "  # noqa: S608 - constants only; input is a param
    f"WHERE {PG_DOCUMENT} @@ to_tsquery('simple', %s)"
)


def words_of(query: str) -> list[str]:
    return WORD.findall(fold(query))[:MAX_WORDS]


def sqlite_match(words: list[str]) -> str:
    """An FTS5 expression of quoted terms: a typed OR, NEAR or quote stays a word."""
    terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " AND ".join(terms)


def postgres_query(words: list[str]) -> str:
    """A to_tsquery expression of the words (only \\w characters), the last one a prefix."""
    terms = [*words[:-1], f"{words[-1]}:*"]
    return " & ".join(terms)


def common_words() -> frozenset[str]:
    """The most frequent words of the messages, as PostgreSQL's statistics list them."""
    global _common
    now = time.monotonic()
    if now - _common[0] < COMMON_FOR:
        return _common[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[] FROM pg_stats "
            "WHERE tablename = 'inbox_message' AND attname = %s",
            [PG_DOCUMENT],
        )
        row = cursor.fetchone()
    found = frozenset(row[0] or ()) if row else frozenset()
    _common = (now, found)
    return found


def looks_common(words: list[str]) -> bool:
    """One word, listed as common (as typed so far: a prefix of one). Several words must all be
    in a message, so even common ones may meet rarely ("delivery late refund"): the index is
    asked first, which costs a little when they do meet often and saves a walk through every
    conversation when they do not."""
    if len(words) != 1:
        return False
    return any(c.startswith(words[0]) for c in common_words())


def rare_hits(tsquery: str, workspace_id: int | None) -> set[int] | None:
    """The conversations of the matching messages when there are at most RARE_HITS of them
    (the GIN index answers that in a bitmap scan); None when the words are common."""
    where = f"{PG_DOCUMENT} @@ to_tsquery('simple', %s)"
    params: list[Any] = [tsquery]
    if workspace_id is not None:
        where += " AND workspace_id = %s"
        params.append(workspace_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT conversation_id FROM inbox_message WHERE {where} LIMIT %s",  # noqa: S608 - constants only; what was typed is a parameter
            [*params, RARE_HITS + 1],
        )
        rows = cursor.fetchall()
    if len(rows) > RARE_HITS:
        return None
    return {row[0] for row in rows}


def matching(
    conversations: QuerySet[Conversation], query: str, workspace_id: int | None = None
) -> QuerySet[Conversation]:
    """Conversations of `conversations` with a message that contains every word of `query`."""
    words = words_of(query)
    if not words:
        return conversations
    if connection.vendor == "postgresql":
        tsquery = postgres_query(words)
        if not looks_common(words):
            found = rare_hits(tsquery, workspace_id)
            if found is not None:
                return conversations.filter(pk__in=found)
        # PG_DOCUMENT is a constant of this module; only `params` carry what was typed.
        sql = PG_SQL
        params: list[object] = [tsquery]
    elif connection.vendor == "sqlite":
        sql = (
            "SELECT m.conversation_id FROM inbox_message_fts f "
            "JOIN inbox_message m ON m.id = f.rowid WHERE inbox_message_fts MATCH %s"
        )
        params = [sqlite_match(words)]
    else:  # another database: correct, slower
        filtered = conversations
        for word in words:
            filtered = filtered.filter(messages__search_text__contains=word)
        return filtered.distinct()
    return conversations.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - constant SQL, bound params
