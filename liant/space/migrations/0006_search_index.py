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
    dependencies = [("space", "0004_merge_0003_capture_forms_0003_category_kind")]

    operations = [
        migrations.RunPython(
            run(
                {"sqlite": [*search.SQLITE, *search.SQLITE_REINDEX], "postgresql": search.POSTGRES}
            ),
            run({"sqlite": search.SQLITE_UNDO, "postgresql": search.POSTGRES_UNDO}),
        )
    ]
