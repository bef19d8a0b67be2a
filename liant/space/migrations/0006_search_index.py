"""Full-text search of posts: an FTS5 table kept by triggers on SQLite, a trigger-filled
tsvector column with a GIN index on PostgreSQL (the statements are in liant/space/search.py).

Caution: on SQLite a later migration that rebuilds space_post or space_topic (most ALTERs
do) drops their triggers; `search.repair_sqlite` puts them back after every `migrate`."""

from django.db import migrations

from liant.space import search


def run(statements: dict):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    # After every other change to space_post and space_topic: on SQLite, a migration that
    # rebuilds one of these tables (Django copies it to a new table, drops the old one and
    # renames) fails while a trigger of the other refers to it. A later migration that alters
    # them must drop the triggers first and let `repair_sqlite` put them back (apps.py).
    dependencies = [
        ("space", "0005_access_limits_signing"),
        ("space", "0005_theme_welcome_pins"),
    ]

    operations = [
        migrations.RunPython(
            run(
                {"sqlite": [*search.SQLITE, *search.SQLITE_REINDEX], "postgresql": search.POSTGRES}
            ),
            run({"sqlite": search.SQLITE_UNDO, "postgresql": search.POSTGRES_UNDO}),
        )
    ]
