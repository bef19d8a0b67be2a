from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from liant.core.management.commands.backup import pg_env


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
            check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise CommandError(f"{source} is not a sound SQLite database.")
            except sqlite3.DatabaseError as exc:
                raise CommandError(f"{source} is not a SQLite database: {exc}") from exc
            finally:
                check.close()
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
