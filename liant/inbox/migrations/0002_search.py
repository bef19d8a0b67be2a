"""Full-text search: an FTS5 table kept by triggers on SQLite, a GIN index on PostgreSQL.

Caution: on SQLite, a later migration that rebuilds inbox_message (most ALTERs do) drops
the triggers; such a migration must create them again (run SQLITE below once more).

Both are written for the database the migration runs on; see liant/inbox/search.py."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE inbox_message_fts USING fts5(
        body, tokenize = 'unicode61'
    )""",
    """CREATE TRIGGER inbox_message_fts_insert AFTER INSERT ON inbox_message BEGIN
        INSERT INTO inbox_message_fts(rowid, body)
        VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER inbox_message_fts_update AFTER UPDATE OF search_text
        ON inbox_message BEGIN
        DELETE FROM inbox_message_fts WHERE rowid = old.id;
        INSERT INTO inbox_message_fts(rowid, body)
        VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER inbox_message_fts_delete AFTER DELETE ON inbox_message BEGIN
        DELETE FROM inbox_message_fts WHERE rowid = old.id;
    END""",
    # Messages stored before this migration are indexed too.
    """INSERT INTO inbox_message_fts(rowid, body)
        SELECT id, search_text FROM inbox_message""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS inbox_message_fts_insert",
    "DROP TRIGGER IF EXISTS inbox_message_fts_update",
    "DROP TRIGGER IF EXISTS inbox_message_fts_delete",
    "DROP TABLE IF EXISTS inbox_message_fts",
]
# A stored vector: a search that matches many rows rechecks them without parsing each text
# again (at 1M messages: 780 ms → see bench/inbox.py). Django never writes it.
POSTGRES = [
    """ALTER TABLE inbox_message ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED""",
    "CREATE INDEX inbox_message_search ON inbox_message USING gin (search_vector)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS inbox_message_search",
    "ALTER TABLE inbox_message DROP COLUMN IF EXISTS search_vector",
]


def run(statements: dict):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}),
        )
    ]
