"""`liant export members`: rows written per second and peak Python memory, against a bare
`values_list` iteration writing the same columns as CSV (the least any export must do).

Scale: LIANT_BENCH_CLI_ROWS members (default 100,000), each with a network account and a third
with a tag, so the export's prefetches do their real work. Peak memory is traced (tracemalloc)
in separate runs from the timed ones, since tracing slows Python down; it is also measured on
a tenth of the rows: a streaming export's peak must not grow with the number of rows.
"""

from __future__ import annotations

import csv
import os
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

ROWS = int(os.environ.get("LIANT_BENCH_CLI_ROWS", "100000"))


class Sink:
    """A file that keeps nothing: the figures are about reading and formatting, not disks."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def _setup(rows: int, slug: str) -> Any:
    from liant.core.models import Organisation, Workspace
    from liant.members.models import Identity, Member, Tag

    org, _ = Organisation.objects.get_or_create(slug="bench-cli", defaults={"name": "Bench"})
    workspace = Workspace.objects.create(organisation=org, slug=slug, name=slug)
    tags = [Tag.objects.create(workspace=workspace, name=f"tag{n}") for n in range(5)]
    batch = 5000
    for start in range(0, rows, batch):
        members = Member.objects.bulk_create(
            [
                Member(
                    workspace=workspace,
                    name=f"Person {n}",
                    email=f"person{n}@example.org",
                    language="fr",
                    country="FR",
                )
                for n in range(start, min(rows, start + batch))
            ]
        )
        Identity.objects.bulk_create(
            [
                Identity(
                    workspace=workspace,
                    member=m,
                    network="mastodon",
                    key=f"https://piaille.example/@p{m.pk}",
                    handle=f"p{m.pk}",
                )
                for m in members
            ]
        )
        Member.tags.through.objects.bulk_create(
            [
                Member.tags.through(member_id=m.pk, tag_id=tags[m.pk % 5].pk)
                for m in members
                if m.pk % 3 == 0
            ]
        )
    return workspace


def _baseline(workspace: Any, out: Sink) -> int:
    from liant.members.models import Member

    writer = csv.writer(out)
    written = 0
    for row in (
        Member.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("pk", "name", "email", "language", "country", "level", "score")
        .iterator(chunk_size=2000)
    ):
        writer.writerow(row)
        written += 1
    return written


def _export(workspace: Any, out: Sink, fmt: str = "csv") -> int:
    from liant.transfer import export

    return export.write(workspace, "members", fmt, out)


def _timed(work: Callable[[], int]) -> float:
    started = time.perf_counter()
    written = work()
    return written / (time.perf_counter() - started)


def _peak(work: Callable[[], int]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(report: Callable[..., None]) -> None:
    big = _setup(ROWS, "bench-cli")
    small = _setup(max(1, ROWS // 10), "bench-cli-small")
    note = f"{ROWS} members, each with an account, a third tagged; output discarded"
    report(
        "baseline_values_list_rows_per_s", _timed(lambda: _baseline(big, Sink())), "rows/s", note
    )
    report("export_members_csv_rows_per_s", _timed(lambda: _export(big, Sink())), "rows/s")
    report("export_members_json_rows_per_s", _timed(lambda: _export(big, Sink(), "json")), "rows/s")
    report("baseline_values_list_peak", _peak(lambda: _baseline(big, Sink())), "MB")
    report("export_members_csv_peak", _peak(lambda: _export(big, Sink())), "MB")
    report(
        "export_members_csv_peak_tenth",
        _peak(lambda: _export(small, Sink())),
        "MB",
        f"the same export on {max(1, ROWS // 10)} members: a streaming peak does not grow",
    )
