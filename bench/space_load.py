"""Community space under load (issue 11): `make bench AREA=space-load`.

PostgreSQL with 100,000 topics and 1,000,000 replies, in a database made for the run and
dropped after it; the server Liant runs in production (`liant run --no-worker`: gunicorn, its
default two sync workers, WhiteNoise for static files) on loopback; wrk (Debian's package:
`apt-get install wrk`) with 50 connections for 60 s against, one after the other in the same
server run: a static file, the topic list (a category's first page) and topic pages (a random
topic each request). Prints requests/s, p50 and p95 and each page's ratio to the static file.

wrk rather than locust: it is written in C and keeps up with 50 connections on one thread,
where a Python load generator would take the core the server needs on a 2-core machine.

Smaller runs: SPACE_LOAD_TOPICS, SPACE_LOAD_REPLIES, SPACE_LOAD_SECONDS, SPACE_LOAD_CLIENTS,
SPACE_LOAD_WORKERS (gunicorn workers, default 2 as `liant run`). The PostgreSQL server is
LIANT_BENCH_POSTGRES (an URL whose user may create databases; default the local one).

A run of minutes: `make bench` with no area skips it (EXPLICIT), name it to run it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EXPLICIT = True  # `make bench` without an area skips it
OWN_DATABASE = True  # bench/__main__ need not migrate its throw-away SQLite for it
ROOT = Path(__file__).resolve().parent.parent
STATIC = "/static/liant/app.css"

# wrk's Lua: a random topic per request, and the figures printed as one JSON line at the end.
WRK_SCRIPT = """
local first, count = tonumber(os.getenv("FIRST_TOPIC")), tonumber(os.getenv("TOPICS"))
local prefix = os.getenv("TOPIC_PREFIX")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
init = function(args)
  math.randomseed(os.time() * 100 + (seed or 0))
end
if prefix ~= nil and prefix ~= "" then
  request = function()
    return wrk.format("GET", prefix .. (first + math.random(0, count - 1)) .. "/")
  end
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, '
    .. '"p99_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not answer /healthz")
        time.sleep(0.5)


def load(base: str, path: str, script: Path, env: dict[str, str]) -> dict:
    clients = setting("SPACE_LOAD_CLIENTS", 50)
    seconds = setting("SPACE_LOAD_SECONDS", 60)
    threads = min(2, clients)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        base + path,
    ]
    out = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout} {out.stderr}")
    found = json.loads(line.removeprefix("RESULT "))
    found["rps"] = found["requests"] / found["seconds"]
    return found


def run(report: Callable[..., None]) -> None:
    import psycopg

    if shutil.which("wrk") is None:
        print("# space_load: wrk is missing (apt-get install wrk); skipped", flush=True)
        return
    topics = setting("SPACE_LOAD_TOPICS", 100_000)
    replies = setting("SPACE_LOAD_REPLIES", 1_000_000)
    workers = setting("SPACE_LOAD_WORKERS", 2)
    admin = os.environ.get("LIANT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"liant_bench_space_{os.getpid()}"
    database = with_database(admin, name)
    var = tempfile.mkdtemp(prefix="liant-space-load-")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "LIANT_VAR_DIR": var,
        "LIANT_SECRET_KEY": os.environ.get("LIANT_SECRET_KEY", "bench-secret"),
        "DJANGO_SETTINGS_MODULE": "liant.settings",
    }
    env.pop("REDIS_URL", None)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "liant.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True
        )
        migrated = time.perf_counter() - began
        seeded = subprocess.run(
            [sys.executable, "-m", "bench._space_load_seed", str(topics), str(replies)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if seeded.returncode:  # its output was captured: show why it failed
            sys.stderr.write(seeded.stderr[-4000:])
            raise SystemExit(f"seeding failed (exit {seeded.returncode})")
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        report(
            "seed_seconds",
            data["seconds"],
            "s",
            f"{data['topics']} topics, {data['posts']} posts (openings + replies) by COPY, "
            f"PostgreSQL; migrate took {migrated:.0f} s",
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "liant.cli",
                "run",
                "--no-worker",
                "--bind",
                f"127.0.0.1:{port}",
                "--web-workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # gunicorn's access log: written, as in production
            start_new_session=True,
        )
        wait_until_up(base)
        script = Path(var) / "space.lua"
        script.write_text(WRK_SCRIPT)
        space = f"/space/{data['slug']}"
        topic_env = {
            "FIRST_TOPIC": str(data["first_topic"]),
            "TOPICS": str(data["topics"]),
            "TOPIC_PREFIX": f"{space}/t/",
        }
        targets = [
            ("static", STATIC, {}),
            ("topic_list", f"{space}/c/{data['categories'][0]}/", {}),
            ("topic_page", f"{space}/t/", topic_env),
        ]
        # One warm-up request each (the first pays for imports and connections).
        for _, path, extra in targets:
            target = path if not extra else f"{path}{data['first_topic']}/"
            urllib.request.urlopen(base + target, timeout=60).read()  # noqa: S310 - loopback
        load_before = os.getloadavg()[0]
        results = {}
        for label, path, extra in targets:
            results[label] = load(base, path, script, extra)
            # wrk closes its connections at the end, but gunicorn's sync workers still answer
            # the requests already queued: wait for them (this request queues behind them) so
            # the next target starts on an idle server.
            urllib.request.urlopen(f"{base}/healthz", timeout=600).read()  # noqa: S310
        load_after = os.getloadavg()[0]
        clients = setting("SPACE_LOAD_CLIENTS", 50)
        seconds = setting("SPACE_LOAD_SECONDS", 60)
        note = (
            f"wrk, {clients} connections, {seconds} s each, gunicorn {workers} sync workers, "
            f"loopback; load average {load_before:.1f} before, {load_after:.1f} after "
            f"({os.cpu_count()} cores, shared)"
        )
        for label, found in results.items():
            report(f"{label}_rps", found["rps"], "req/s", note if label == "static" else "")
            report(f"{label}_p50", found["p50_ms"], "ms")
            report(f"{label}_p95", found["p95_ms"], "ms")
            if found["non_2xx"] or found["socket_errors"]:
                report(f"{label}_errors", found["non_2xx"] + found["socket_errors"], "responses")
        for label in ("topic_list", "topic_page"):
            report(
                f"{label}_vs_static_rps",
                results[label]["rps"] / results["static"]["rps"],
                "ratio",
                "requests/s of the page over the static file's, same server, same run",
            )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var, ignore_errors=True)
