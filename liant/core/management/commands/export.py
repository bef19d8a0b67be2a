"""`liant export members|posts|mentions --workspace SLUG --format csv|json [--output FILE]`."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from liant.core.models import Workspace
from liant.transfer import export


def workspace_of(slug: str) -> Workspace:
    try:
        return Workspace.objects.get(slug=slug)
    except Workspace.DoesNotExist:
        raise CommandError(f"No workspace has the slug {slug!r}.") from None


def progress_bar(total: int | None, what: str) -> tqdm:
    """On stderr, and only when a person watches it: off in pipes, cron and logs."""
    return tqdm(
        total=total, desc=what, unit=" rows", file=sys.stderr, disable=not sys.stderr.isatty()
    )


class Command(BaseCommand):
    help = "Writes the members, posts or mentions of one workspace as CSV or JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", choices=export.AREAS)
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--format",
            choices=export.FORMATS,
            default="csv",
            help="csv, or json: JSON Lines, one object a line",
        )
        parser.add_argument("--output", help="a file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_of(options["workspace"])
        area = options["area"]
        with ExitStack() as stack:
            out: TextIO
            if options["output"]:
                out = stack.enter_context(
                    # utf-8-sig for CSV so that Excel reads the accents; none in JSON Lines.
                    open(  # noqa: SIM115 - closed by the ExitStack
                        options["output"],
                        "w",
                        encoding="utf-8-sig" if options["format"] == "csv" else "utf-8",
                        newline="",
                    )
                )
            else:
                out = cast(TextIO, self.stdout._out)  # the real stream: no added line ends
            bar = stack.enter_context(progress_bar(export.count(workspace, area), area))
            written = export.write(workspace, area, options["format"], out, bar.update)
        self.stderr.write(f"{written} {area} exported from {workspace.slug}.")
