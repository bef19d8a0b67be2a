from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def backup_dir() -> Path:
    path = Path(os.environ.get("LIANT_BACKUP_DIR", settings.VAR_DIR / "backups"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def pg_env(db: dict) -> dict[str, str]:
    env = os.environ.copy()
    for key, var in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


class Command(BaseCommand):
    help = "Back up the database while Liant runs (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="file to write (default: var/backups/<date>)")

    def handle(self, *args: Any, **options: Any) -> None:
        db = connection.settings_dict
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        if connection.vendor == "sqlite":
            target = Path(options["output"] or backup_dir() / f"liant-{stamp}.sqlite3")
            tmp = target.with_suffix(target.suffix + ".part")
            # The online backup API copies a consistent snapshot even while others write.
            # A half-written .part from a crash is not a database the copy can open: start clean.
            tmp.unlink(missing_ok=True)
            source = sqlite3.connect(str(db["NAME"]))
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)
            except sqlite3.Error as exc:
                dest.close()
                tmp.unlink(missing_ok=True)  # never leave a half-written file behind
                raise CommandError(f"The SQLite backup failed: {exc}") from exc
            finally:
                dest.close()
                source.close()
            tmp.replace(target)  # a crash mid-copy never leaves a file that looks complete
        elif connection.vendor == "postgresql":
            if not shutil.which("pg_dump"):
                raise CommandError("pg_dump is not installed (Debian: postgresql-client).")
            target = Path(options["output"] or backup_dir() / f"liant-{stamp}.pgdump")
            tmp = target.with_suffix(target.suffix + ".part")
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}", db["NAME"]],
                env=pg_env(db),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                tmp.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            tmp.replace(target)
        else:
            raise CommandError(f"Backups are not supported for {connection.vendor}.")
        self.stdout.write(str(target))
