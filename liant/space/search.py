"""Full-text search over the space's posts, ranked, one function for SQLite and PostgreSQL.

What is indexed is a post's `search_text` and its topic's `search_title`, both already folded
by liant.text (case, accents, NFKC, typographic apostrophes), and the words typed are folded
the same way: "cafe" finds "Café" and "ete" finds "l'été" on both databases, with no
`unaccent` extension to install. The 'simple' configuration (no stemming), as in the inbox:
a space mixes French and English, often in one topic, and a post has no language of its own.

- SQLite: an FTS5 table `space_post_fts(title, body)`, rowid = post id, kept in step by
  triggers on `space_post` (insert, update of the text, delete) and `space_topic` (a title
  changed). Ranked by bm25, a word in the title counting 4 times one in the body.
- PostgreSQL: a `search_vector` column on `space_post` (title weighted A, body B) that a
  trigger fills, with a GIN index. Ranked by ts_rank.

Both built by migration 0005. Triggers rather than the save path because posts are also
written by `update()` (erasure, moderation) and `bulk_create` (imports, benches), which skip
`save()`. On SQLite, a later migration that rebuilds one of the two tables (most ALTERs there
do) drops its triggers silently: `repair_sqlite` (run after every `migrate`) puts them back
and re-reads every post when one was missing.

Every word typed must be found (in the post or its topic's title), the last one as a prefix
(search as you type); French elisions typed ("l'été", "qu'il") are dropped from the query, and
the indexes split "l'été" into "l" and "ete", so "été" finds it. Nothing typed is ever passed
to an engine's own query syntax: words are `\\w` runs, quoted for FTS5.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection as default_connection
from django.db.models import Q, QuerySet

from liant.space.models import Post, Space, SpaceAccount
from liant.text import fold

WORD = re.compile(r"\w+", re.UNICODE)
# "l'", "d'", "qu'", "jusqu'"... at the start of a word, after folding (’ is ' by then).
ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)'")
MAX_WORDS = 8
TITLE_WEIGHT = 4.0  # bm25 weight of the title column on SQLite (the body's is 1)

SQLITE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS space_post_fts USING fts5(
        title, body, tokenize = 'unicode61'
    )""",
    """CREATE TRIGGER IF NOT EXISTS space_post_fts_insert AFTER INSERT ON space_post BEGIN
        INSERT INTO space_post_fts(rowid, title, body) VALUES (
            new.id,
            (SELECT search_title FROM space_topic WHERE id = new.topic_id),
            new.search_text
        );
    END""",
    """CREATE TRIGGER IF NOT EXISTS space_post_fts_update
        AFTER UPDATE OF search_text, topic_id ON space_post BEGIN
        DELETE FROM space_post_fts WHERE rowid = old.id;
        INSERT INTO space_post_fts(rowid, title, body) VALUES (
            new.id,
            (SELECT search_title FROM space_topic WHERE id = new.topic_id),
            new.search_text
        );
    END""",
    """CREATE TRIGGER IF NOT EXISTS space_post_fts_delete AFTER DELETE ON space_post BEGIN
        DELETE FROM space_post_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS space_topic_fts_title
        AFTER UPDATE OF search_title ON space_topic
        WHEN old.search_title IS NOT new.search_title BEGIN
        UPDATE space_post_fts SET title = new.search_title
            WHERE rowid IN (SELECT id FROM space_post WHERE topic_id = new.id);
    END""",
]
SQLITE_TRIGGERS = [
    "space_post_fts_insert",
    "space_post_fts_update",
    "space_post_fts_delete",
    "space_topic_fts_title",
]
SQLITE_REINDEX = [
    "DELETE FROM space_post_fts",
    """INSERT INTO space_post_fts(rowid, title, body)
        SELECT p.id, t.search_title, p.search_text
        FROM space_post p JOIN space_topic t ON t.id = p.topic_id""",
]
SQLITE_UNDO = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS space_post_fts",
]

# A stored vector (Django never writes it): a common word rechecks its rows without parsing
# each text again. Filled by a trigger because the title lives in another table, which a
# generated column cannot read.
PG_VECTOR = (
    "setweight(to_tsvector('simple', coalesce({title}, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce({body}, '')), 'B')"
)
_VECTOR_OF_NEW_POST = PG_VECTOR.format(
    title="(SELECT search_title FROM space_topic WHERE id = NEW.topic_id)", body="NEW.search_text"
)
_VECTOR_WITH_NEW_TITLE = PG_VECTOR.format(title="NEW.search_title", body="search_text")
_VECTOR_OF_JOIN = PG_VECTOR.format(title="t.search_title", body="p.search_text")
POSTGRES = [
    "ALTER TABLE space_post ADD COLUMN search_vector tsvector",
    f"""CREATE FUNCTION space_post_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := {_VECTOR_OF_NEW_POST};
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER space_post_search BEFORE INSERT OR UPDATE OF search_text, topic_id
        ON space_post FOR EACH ROW EXECUTE FUNCTION space_post_search_vector()""",
    f"""CREATE FUNCTION space_topic_search_title() RETURNS trigger AS $$
    BEGIN
        UPDATE space_post SET search_vector = {_VECTOR_WITH_NEW_TITLE} WHERE topic_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",  # noqa: S608 - constants of this module only
    """CREATE TRIGGER space_topic_search AFTER UPDATE OF search_title ON space_topic
        FOR EACH ROW WHEN (OLD.search_title IS DISTINCT FROM NEW.search_title)
        EXECUTE FUNCTION space_topic_search_title()""",
    # Posts stored before this migration are indexed too.
    f"""UPDATE space_post p SET search_vector = {_VECTOR_OF_JOIN}
        FROM space_topic t WHERE t.id = p.topic_id""",  # noqa: S608 - constants only
    "CREATE INDEX space_post_search ON space_post USING gin (search_vector)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS space_post_search",
    "DROP TRIGGER IF EXISTS space_topic_search ON space_topic",
    "DROP FUNCTION IF EXISTS space_topic_search_title()",
    "DROP TRIGGER IF EXISTS space_post_search ON space_post",
    "DROP FUNCTION IF EXISTS space_post_search_vector()",
    "ALTER TABLE space_post DROP COLUMN IF EXISTS search_vector",
]


def words_of(query: str) -> list[str]:
    """The words typed, folded, without French elisions: "L’été" → ["ete"]."""
    return WORD.findall(ELISION.sub(" ", fold(query)))[:MAX_WORDS]


def sqlite_match(words: list[str]) -> str:
    """An FTS5 expression of quoted terms: a typed OR, NEAR or quote stays a word."""
    terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " AND ".join(terms)


def postgres_query(words: list[str]) -> str:
    """A to_tsquery expression of the words (only \\w characters), the last one a prefix."""
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def matching(rows: QuerySet[Post], query: str) -> QuerySet[Post]:
    """The posts of `rows` with every word of `query` in them or their topic's title, each
    with a `score` (higher is better), best first, then newest first. Nothing typed: none."""
    words = words_of(query)
    if not words:
        return rows.none()
    vendor = default_connection.vendor
    if vendor == "sqlite":
        ranked = rows.extra(  # noqa: S610 - constant SQL; what was typed is a parameter
            tables=["space_post_fts"],
            where=["space_post_fts.rowid = space_post.id", "space_post_fts MATCH %s"],
            params=[sqlite_match(words)],
            select={"score": f"-bm25(space_post_fts, {TITLE_WEIGHT}, 1.0)"},
        )
    elif vendor == "postgresql":
        tsquery = postgres_query(words)
        ranked = rows.extra(  # noqa: S610 - constant SQL; what was typed is a parameter
            where=["space_post.search_vector @@ to_tsquery('simple', %s)"],
            params=[tsquery],
            select={"score": "ts_rank(space_post.search_vector, to_tsquery('simple', %s))"},
            select_params=[tsquery],
        )
    else:  # another database: the words found by a scan, unranked
        ranked = rows
        for word in words:
            ranked = ranked.filter(
                Q(search_text__contains=word) | Q(topic__search_title__contains=word)
            )
        ranked = ranked.extra(select={"score": "0"})
    return ranked.order_by("-score", "-created_at", "-pk")


def search(space: Space, query: str, account: SpaceAccount | None = None) -> QuerySet[Post]:
    """What `account` (None: an anonymous visitor) may read of `space` that matches `query`,
    best first: visible posts of visible topics in the categories open to it
    (permissions.py), never a held one nor another workspace's."""
    from liant.space.notifications import held_post_ids_all  # noqa: PLC0415
    from liant.space.people_views import visible_posts  # noqa: PLC0415 - it imports us

    rows = visible_posts(space, account).exclude(pk__in=held_post_ids_all(space.pk))
    return matching(rows, query).select_related("topic__category", "author")


def repair_sqlite(using: str = "default", **_kwargs: Any) -> bool:
    """After `migrate` on SQLite: create what is missing (a rebuilt table loses its triggers)
    and, when anything was, index every post again. True when something was repaired."""
    from django.db import connections  # noqa: PLC0415

    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name IN ('space_post', 'space_post_fts', %s, %s, %s, %s)",
            SQLITE_TRIGGERS,
        )
        present = {row[0] for row in cursor.fetchall()}
        if "space_post" not in present or "space_post_fts" not in present:
            return False  # before migration 0005 (or after it was undone): nothing to repair
        if present >= set(SQLITE_TRIGGERS):
            return False
        for sql in [*SQLITE, *SQLITE_REINDEX]:
            cursor.execute(sql)
    return True
