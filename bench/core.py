"""Core: what the access checks cost per page, and how fast the real job queue drains."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.test import Client

N_REQUESTS = 300
N_JOBS = 300


def timed(fn: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def run(report: Callable[..., None]) -> None:
    from liant.core.models import Membership, Organisation, User, WorkerPing, Workspace

    org = Organisation.objects.create(name="Bench", slug="bench")
    workspace = Workspace.objects.create(organisation=org, name="Bench", slug="bench")
    user = User.objects.create_user("bench@example.org", "x")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def get(url: str) -> Callable[[], None]:
        def fetch() -> None:
            status = client.get(url).status_code
            if status != 200:  # a figure measured on error pages would be a lie
                raise RuntimeError(f"{url} answered {status}")

        return fetch

    get("/w/bench/")()
    baseline = timed(get("/healthz"), N_REQUESTS)
    dashboard = timed(get("/w/bench/"), N_REQUESTS)
    note = f"{N_REQUESTS} requests through the Django test client, {connection.vendor}"
    report("healthz_rate", baseline, "req/s", note=f"baseline: /healthz (one SELECT), {note}")
    report(
        "dashboard_rate",
        dashboard,
        "req/s",
        note=f"signed-in dashboard: session, membership check, page, {note}",
    )
    report("dashboard_vs_healthz", dashboard / baseline, "ratio")

    # Queue: enqueue N jobs from this process, time a real `liant worker` draining them.
    from huey.contrib.djhuey import HUEY

    from liant.core.tasks import handle_ping

    # Baseline: the same work done inline, without the queue.
    inline = WorkerPing.objects.bulk_create([WorkerPing() for _ in range(N_JOBS)])
    start = time.perf_counter()
    for ping in inline:
        handle_ping.call_local(ping.pk)
    inline_rate = N_JOBS / (time.perf_counter() - start)

    pings = WorkerPing.objects.bulk_create([WorkerPing() for _ in range(N_JOBS)])
    start = time.perf_counter()
    for ping in pings:
        handle_ping(ping.pk)
    enqueue_rate = N_JOBS / (time.perf_counter() - start)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liant.settings",
        "LIANT_HUEY_NAME": settings.HUEY["name"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "liant.cli", "worker", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        start = time.perf_counter()
        deadline = start + 300
        while time.perf_counter() < deadline:
            if not WorkerPing.objects.filter(handled_at__isnull=True).exists():
                break
            time.sleep(0.05)
        drain_rate = N_JOBS / (time.perf_counter() - start)  # includes the worker's start-up
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        HUEY.flush()
    queue = settings.HUEY["huey_class"].rsplit(".", 1)[-1]
    report("job_enqueue_rate", enqueue_rate, "jobs/s", note=f"{N_JOBS} jobs enqueued into {queue}")
    report(
        "job_inline_rate", inline_rate, "jobs/s", note="baseline: the same job run inline, no queue"
    )
    report(
        "job_drain_rate",
        drain_rate,
        "jobs/s",
        note=(
            f"real worker (2 threads) draining {N_JOBS} jobs, start-up included, "
            f"{connection.vendor}"
        ),
    )
    report("job_drain_vs_inline", drain_rate / inline_rate, "ratio")
