"""`make bench [AREA=core]`: measured figures, printed as `bench: <area>.<figure> = <value> <unit>`.

Each area is a module in bench/ with `run(report)`. Benchmarks run on a throw-away SQLite
database in a temporary ./var (or on DATABASE_URL when set, or on a PostgreSQL database
created and dropped for the run with LIANT_BENCH_POSTGRES: see bench/_database.py), never on
your data.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

from bench._database import throwaway_postgres


def report(area: str, figure: str, value: float, unit: str, note: str = "") -> None:
    if note:
        print(f"# {note}")
    print(f"bench: {area}.{figure} = {value:.4g} {unit}", flush=True)


def main(argv: list[str]) -> int:
    wanted = argv[0].replace("-", "_") if argv else ""
    var = tempfile.mkdtemp(prefix="liant-bench-")
    os.environ["LIANT_VAR_DIR"] = var
    os.environ.setdefault("LIANT_SECRET_KEY", "bench-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "liant.settings"
    with throwaway_postgres():
        return _run(wanted)


def _run(wanted: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    areas = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    )
    if wanted and wanted not in areas:
        print(f"Unknown area {wanted!r}; areas: {', '.join(areas)}", file=sys.stderr)
        return 2
    migrated = False
    for area in [wanted] if wanted else areas:
        module = importlib.import_module(f"bench.{area}")
        # A load test of minutes (EXPLICIT) runs only when named; one that makes its own
        # database (OWN_DATABASE) or reads none (DATABASE = False) needs no throw-away SQLite,
        # whose migrations alone take half a minute.
        if getattr(module, "EXPLICIT", False) and not wanted:
            print(f"# {area}: skipped, run it with `make bench AREA={area}`", flush=True)
            continue
        needs_database = getattr(module, "DATABASE", True)
        if not migrated and needs_database and not getattr(module, "OWN_DATABASE", False):
            call_command("migrate", verbosity=0)
            migrated = True
        module.run(lambda *a, area=area, **k: report(area, *a, **k))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
