"""Jobs run in a real `liant worker` process, on whichever backend the suite runs on."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from liant.core.models import WorkerHeartbeat, WorkerPing

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_env() -> dict[str, str]:
    """The environment of a worker that sees the test database and the test queue."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "liant.settings"
    env["LIANT_HUEY_NAME"] = settings.HUEY["name"]
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["LIANT_SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    if "url" in settings.HUEY:
        env["REDIS_URL"] = settings.HUEY["url"]
    return env


@contextlib.contextmanager
def real_worker() -> Iterator[subprocess.Popen]:
    HUEY.immediate = False
    HUEY.flush()  # nothing left over from an earlier run
    process = subprocess.Popen(
        [sys.executable, "-m", "liant.cli", "worker", "--workers", "1"],
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        HUEY.flush()
        HUEY.immediate = True
        if os.environ.get("LIANT_SHOW_WORKER_LOG"):
            print(output)


def wait_for(predicate, limit: float = 60.0) -> bool:
    """Poll until the worker has done its part; the limit only bounds a broken run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_job_sent_from_the_web_process_is_done_by_a_real_worker(owner_client, workspace):
    with real_worker() as worker:
        response = owner_client.post(f"/w/{workspace.slug}/status/")
        assert response.status_code == 302
        ping = WorkerPing.objects.get()
        assert ping.handled_at is None  # queued, not run inline

        def handled() -> bool:
            ping.refresh_from_db()
            return ping.handled_at is not None

        assert wait_for(handled), "the worker never handled the job"
        assert ping.handled_by.endswith(f":{worker.pid}")  # the worker, not this process
        assert WorkerHeartbeat.objects.exists()


def test_the_status_page_says_the_worker_runs_once_it_has_been_seen(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/status/")
    assert b"Not running" in page.content
    with real_worker():
        owner_client.post(f"/w/{workspace.slug}/status/")
        assert wait_for(lambda: WorkerHeartbeat.objects.exists())
    page = owner_client.get(f"/w/{workspace.slug}/status/")
    assert b"Running" in page.content


def test_a_job_sent_twice_is_done_once(owner_client, workspace):
    ping = WorkerPing.objects.create()
    from liant.core.tasks import handle_ping

    with real_worker():
        handle_ping(ping.pk)
        handle_ping(ping.pk)
        assert wait_for(lambda: WorkerPing.objects.filter(handled_at__isnull=False).exists())
        first = WorkerPing.objects.get().handled_at
        assert wait_for(lambda: HUEY.pending_count() == 0)
        time.sleep(0.5)  # the second job was taken; give it the moment it needs to finish
    assert WorkerPing.objects.get().handled_at == first
