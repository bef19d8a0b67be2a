from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from liant.core.management.commands.backup import pg_env


def check_sqlite_backup(source: Path) -> None:
    """Refuse anything that is not a sound SQLite database made by Liant.

    SQLite happily opens an empty file (or any other app's database) as a valid empty
    database; copying that over ours would silently wipe every table, so the backup must
    also hold Django's migration record for Liant's core app.
    """
    # as_uri() percent-encodes '?', '#' and '%', which would otherwise cut the URI short.
    check = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise CommandError(f"{source} is not a sound SQLite database; nothing was changed.")
        has_migrations = check.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        has_liant = bool(has_migrations) and bool(
            check.execute("SELECT 1 FROM django_migrations WHERE app = 'core' LIMIT 1").fetchone()
        )
    except sqlite3.DatabaseError as exc:
        raise CommandError(
            f"{source} is not a SQLite database ({exc}); nothing was changed."
        ) from exc
    finally:
        check.close()
    if not has_liant:
        raise CommandError(f"{source} is not a Liant backup; nothing was changed.")


def check_pg_backup(source: Path) -> None:
    """Refuse a file pg_restore cannot read, or a dump of another app, before touching data."""
    listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise CommandError(
            f"{source} is not a pg_dump archive ({listing.stderr.strip()}); nothing was changed."
        )
    if not re.search(r"\bTABLE DATA \S+ django_migrations\b", listing.stdout):
        raise CommandError(f"{source} is not a Liant backup; nothing was changed.")


class Command(BaseCommand):
    help = "Restore a backup made by `liant backup`. Stop the web server and workers first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        db = connection.settings_dict
        if not options["yes"]:
            answer = input(f"This replaces everything in {db['NAME']}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        connection.close()
        if connection.vendor == "sqlite":
            check_sqlite_backup(source)
            src = sqlite3.connect(str(source))
            dest = sqlite3.connect(str(db["NAME"]))
            try:
                src.backup(dest)
            finally:
                dest.close()
                src.close()
        elif connection.vendor == "postgresql":
            if not shutil.which("pg_restore"):
                raise CommandError("pg_restore is not installed (Debian: postgresql-client).")
            check_pg_backup(source)
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={db['NAME']}",
                    str(source),
                ],
                env=pg_env(db),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"Restore is not supported for {connection.vendor}.")
        self.stdout.write(self.style.SUCCESS(f"Restored {source}."))
