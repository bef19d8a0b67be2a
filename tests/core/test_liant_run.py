"""`liant run`: the web server and the job worker together, on a fresh machine's SQLite.

These tests share one migrated var dir (`migrated`), so under pytest-xdist they go to one
process (tests/conftest.py SHARED_SETUP)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port


def children_of(pid: int) -> list[int]:
    result = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    )
    return [int(x) for x in result.stdout.split()]


def descendants_of(pid: int) -> list[int]:
    found: list[int] = []
    for child in children_of(pid):
        found += [child, *descendants_of(child)]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def alive(pid: int) -> bool:
    """Still running: a zombie waiting for its (dead) parent to be reaped counts as gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] not in {"Z", "X"}


def run_env(var_dir: Path) -> dict[str, str]:
    """A fresh machine's environment: no DATABASE_URL/REDIS_URL, nothing from the test run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIANT_")
        and k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "liant.settings",
        "LIANT_VAR_DIR": str(var_dir),
        "LIANT_SECRET_KEY": "run-test-secret-not-for-production",
    }
    return env


@dataclass
class Running:
    process: subprocess.Popen[str]
    children: dict[str, int]  # "web" (gunicorn master) and "worker" (huey consumer)
    everyone: list[int]  # every descendant, gunicorn's own worker included

    def wait_until_all_gone(self) -> list[str]:
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in self.everyone) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [command_line(pid) for pid in self.everyone if alive(pid)]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A fresh machine's var dir after `liant migrate`, made once: the migrations take half a
    minute, and each test starts from a copy."""
    var_dir = tmp_path_factory.mktemp("migrated")
    cli = [sys.executable, "-m", "liant.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=run_env(var_dir), check=True, timeout=300)
    assert (var_dir / "liant.sqlite3").is_file()  # SQLite in the var dir, not the test DB
    return var_dir


@contextlib.contextmanager
def liant_run(var_dir: Path, migrated: Path) -> Iterator[Running]:
    """`liant run` on a fresh, migrated machine (SQLite in var_dir), once /healthz answers
    200."""
    shutil.copytree(migrated, var_dir, dirs_exist_ok=True)
    env = run_env(var_dir)
    cli = [sys.executable, "-m", "liant.cli"]
    port = free_port()
    process = subprocess.Popen(
        [*cli, "run", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own session, as in a terminal: Ctrl-C there signals the whole group.
        start_new_session=True,
    )
    everyone: list[int] = []
    try:
        deadline = time.monotonic() + 60
        status = None
        while status != 200 and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.3)
        assert status == 200, "GET /healthz never answered 200 within 60 s"

        children = {command_line(pid): pid for pid in children_of(process.pid)}
        assert len(children) == 2, list(children)
        web = [pid for line, pid in children.items() if "gunicorn liant.wsgi:application" in line]
        worker = [pid for line, pid in children.items() if "liant.cli worker" in line]
        assert len(web) == 1 and len(worker) == 1, list(children)
        everyone = descendants_of(process.pid)
        assert len(everyone) >= 3  # gunicorn master + its worker, and the job worker
        yield Running(process, {"web": web[0], "worker": worker[0]}, everyone)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in everyone:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        output, _ = process.communicate()
        if os.environ.get("LIANT_SHOW_WORKER_LOG"):
            print(output)


@pytest.mark.worker
@pytest.mark.parametrize("ctrl_c", ["to-liant-run", "to-the-process-group"])
def test_liant_run_starts_web_and_worker_and_ctrl_c_stops_both(tmp_path, migrated, ctrl_c):
    with liant_run(tmp_path, migrated) as run:
        if ctrl_c == "to-liant-run":
            run.process.send_signal(signal.SIGINT)
        else:
            os.killpg(run.process.pid, signal.SIGINT)
        assert run.process.wait(timeout=30) == 0
        assert run.wait_until_all_gone() == []


@pytest.mark.worker
def test_when_the_worker_dies_liant_run_stops_the_web_server_and_fails(tmp_path, migrated):
    with liant_run(tmp_path, migrated) as run:
        os.kill(run.children["worker"], signal.SIGKILL)
        assert run.process.wait(timeout=30) != 0  # a supervisor sees it and restarts it
        assert run.wait_until_all_gone() == []
