"""`liant analytics_backfill --days 180 [--workspace slug]`: compute and keep the daily KPI
values of past days, e.g. after installing Liant on a workspace that already has history."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liant.analytics import rollup
from liant.core.models import Workspace


class Command(BaseCommand):
    help = "Compute the daily KPI values of the last N days (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument("--workspace", help="a workspace's slug; all workspaces if omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}")
        for workspace in workspaces:
            began = time.perf_counter()
            written = rollup.backfill(workspace, options["days"])
            took = time.perf_counter() - began
            self.stdout.write(f"{workspace.slug}: {written} values in {took:.1f} s")
