"""`liant import members|posts|mentions --workspace SLUG FILE [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from liant.core.management.commands.export import progress_bar, workspace_of
from liant.transfer import export, load


class Command(BaseCommand):
    help = (
        "Reads members, posts (as drafts) or mentions from a CSV or JSON Lines file into one "
        "workspace, row by row; refused rows are listed with their line and reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", choices=export.AREAS)
        parser.add_argument("file", help=".csv, or .jsonl/.json (JSON Lines)")
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--dry-run", action="store_true", help="check every row, store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_of(options["workspace"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        area = options["area"]
        stored = refused = 0
        try:
            # One outer transaction, a savepoint per row inside: a dry run is a real run
            # (database constraints included) that is rolled back at the end.
            with transaction.atomic(), progress_bar(None, area) as bar:
                rows = load.read(path)
                if area == "members":
                    outcomes = load.members(workspace, rows, f"import {path.name}")
                elif area == "posts":
                    outcomes = load.posts(workspace, rows)
                else:
                    outcomes = load.mentions(workspace, rows)
                for outcome in outcomes:
                    bar.update()
                    if outcome.stored:
                        stored += 1
                    else:
                        refused += 1
                        self.stderr.write(f"line {outcome.line}: {outcome.reason}")
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except load.FileRefused as error:
            raise CommandError(str(error)) from None
        verb = "would be stored (dry run: nothing was written)" if options["dry_run"] else "stored"
        self.stdout.write(f"{area}: {stored} rows {verb}, {refused} refused.")
        if refused:
            raise CommandError(f"{refused} rows were refused; the lines above say why.")
