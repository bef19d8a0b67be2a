import django.db.models.deletion
from django.db import migrations, models

# Each key's own index duplicates the start of a composite index (see models.py). Dropped by
# name rather than by AlterField, which on SQLite copies the whole table to change an index.
INDEXES = [
    ("listening_mention_workspace_id_307456bc", "listening_mention", "workspace_id"),
    ("listening_mentionmatch_mention_id_fc381228", "listening_mentionmatch", "mention_id"),
    ("listening_mentionmatch_query_id_c7773531", "listening_mentionmatch", "query_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("listening", "0003_mention_dedupe_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="mention",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="core.workspace",
                    ),
                ),
                migrations.AlterField(
                    model_name="mentionmatch",
                    name="mention",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="listening.mention",
                    ),
                ),
                migrations.AlterField(
                    model_name="mentionmatch",
                    name="query",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="listening.query",
                    ),
                ),
            ],
        )
    ]
