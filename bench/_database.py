"""A throw-away PostgreSQL database for one bench run.

`LIANT_BENCH_POSTGRES=postgres://user@host:5432/` (a server, no database name): the bench
creates `liant_bench_<pid>` there, points DATABASE_URL at it, and drops it at the end, even
after a failure, so a run never touches an existing database and leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    server = os.environ.get("LIANT_BENCH_POSTGRES", "")
    if not server:
        yield ""
        return
    import psycopg

    name = f"liant_bench_{os.getpid()}"
    admin = server.rstrip("/") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        # LIANT_BENCH_POSTGRES_TEMPLATE: an empty, migrated database to copy, which saves the
        # migrations (minutes on a busy machine); it must have no open connection.
        template = os.environ.get("LIANT_BENCH_POSTGRES_TEMPLATE", "")
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    os.environ["DATABASE_URL"] = server.rstrip("/") + f"/{name}"
    # A run stopped with SIGTERM (kill) still drops its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
