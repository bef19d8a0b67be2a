"""Full-text search over messages, one interface for SQLite FTS5 and PostgreSQL.

Both read `Message.search_text`, the text folded by liant.text (case, accents, NFKC), and the
typed words are folded the same way, so "cafe" finds "Café" on both.
SQLite: an FTS5 table `inbox_message_fts` (rowid = message id) kept in step by triggers
(migration 0002). PostgreSQL: a stored tsvector column `search_vector` with a GIN index, in
the 'simple' configuration because a workspace's messages mix French and English and
stemming one language would spoil the other.

Both take the words a person typed: every word must appear, the last one as a prefix
(search as you type). Nothing typed is ever passed to the engine's own query syntax.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from liant.inbox.models import Conversation
from liant.text import fold

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8

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


def matching(conversations: QuerySet[Conversation], query: str) -> QuerySet[Conversation]:
    """Conversations of `conversations` with a message that contains every word of `query`."""
    words = words_of(query)
    if not words:
        return conversations
    if connection.vendor == "postgresql":
        # PG_DOCUMENT is a constant of this module; only `params` carry what was typed.
        sql = PG_SQL
        params: list[object] = [postgres_query(words)]
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
