"""Newsletters: how fast a campaign leaves for a local SMTP sink, beside a bare smtplib loop.

The sink is Postfix's smtp-sink (C, one process, keeps nothing; `make bench` installs the
Debian package postfix for it, with no mail server configured or left running), started and
stopped here; without it, aiosmtpd in its own process, with a printed note (a Python sink is
itself the ceiling: 70-1,500 messages/s on 2 shared cores). Delivered messages are counted by
the sink (smtp-sink -c: its "mesg=" counter; aiosmtpd: one per DATA accepted) and must equal
both the messages sent and the rows marked sent. The bare loop sends one pre-built message per
recipient over one connection, without pipelining: the ceiling of a plain sender. The
campaign path adds, per recipient, the progress row's update (per batch: the claim and the
completions), the signed unsubscribe link and the personal copy; it pipelines (RFC 2920)
when the sink offers it, as smtp-sink does.

1 Dec 2026, 09:00 UTC (progress updates on their own connection, claim with RETURNING,
slices of consecutive keys), PostgreSQL, 100,000 prepared and sent: bare 1,209, one worker
1,637, four 2,211 in all (553 each); CPU per message with four workers: workers 284 us,
server 507, sink 77. The CPU figures count the server's ended connections (their time goes
to the postmaster's children's time) and are printed for PostgreSQL only.

1 Dec 2026 (morning, batches + progress row + pipelining), 100,000 prepared and 100,000 sent
per worker count, nothing else running: SQLite bare 2,083, one worker 1,821 (0.87), four
2,181 in all (545 each, 1.05); PostgreSQL, once a worker losing a claim race no longer
stopped, bare 2,178, one worker 1,176 (0.54), four 1,502 in all (375 each, 0.69). See
liant/newsletters/README.md. The figures further below are the code before.

The first link and rendering of a process (URL resolver, templates: 1.4-2.3 s) are done
before the workers are forked and reported apart. Sent: LIANT_BENCH_NEWSLETTERS_N (default
10,000); prepared (sending.start, the queued rows every claim works on):
LIANT_BENCH_NEWSLETTERS_PREPARE_N (default 100,000, the issue's figure).

1 Dec 2026, smtp-sink, 5,000 sent per worker count, 20,000 prepared, load average (1 min)
1.6-2.5, old sending.py (main) and new one alternated: bare loop 3,500-5,900 messages/s; one
worker SQLite 1,660-1,900 (old 1,662/1,847, new 1,722/1,902: 0.32-0.49 of the bare loop),
PostgreSQL 530-830 (old 621/674, new 828/533: 0.10-0.15); four workers in all SQLite
890-2,030, PostgreSQL 540-770. Old and new are within the run-to-run spread: the new SMTP
transaction costs 63 us of CPU instead of 107-137 (alone, same connection), less than this
machine's noise on a whole worker (~400 us per message). With the issue's 100,000 (new code,
SQLite, load average 1.4): bare loop 5,261 messages/s, one worker 1,535 (0.29), four workers
1,446 in all, 361 each (0.27); the old code right after: 4,105, 1,252 (0.31), 1,304 in all
(0.32). See liant/newsletters/README.md.

Earlier figures, aiosmtpd sink (so the bare loop was the sink's ceiling), each worker's
first-batch warm-up counted in its time:

Seen on 2 shared cores (load average 4-7, SQLite, 5,000-20,000 recipients, 30 Nov 2026):
bare loop 720-1,550 messages/s (the single-threaded Python sink is the ceiling); one worker
400-640 messages/s (0.28-0.55 of the bare loop); four workers 540-610 messages/s (0.38-0.74).
Before the per-language MessageTemplate one worker did 159 messages/s (0.21): building an
EmailMessage per recipient was most of the time. What is left per copy: the claim and the
completion UPDATEs and the signed unsubscribe link; the wait on the sink dominates.

30 Nov 2026, load average ~9.6 (other benches and test runs), SQLite:
- preparing 100,000: 237 s and a 241 MiB Python peak when start() built every Send from
  Subscriber+Member instances; 40.5 s (2,469 rows/s) and 2.8 MiB once it pages by primary
  key over plain values. The forked workers' peak RSS fell from 460 to 175 MiB with it.
- sending 10,000: bare smtplib 440 messages/s, one worker 191 (0.43), four workers 127 in
  all, 32 per worker (0.29); SQLite takes one writer at a time, so the claims of four
  workers queue on its lock. The issue's 500 messages/s per worker is not reached here.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import resource
import shutil
import smtplib
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from django.db import connection, connections

N = int(os.environ.get("LIANT_BENCH_NEWSLETTERS_N", "10000"))  # sent, per worker count
# Prepared (one queued Send row per subscriber, sending.start): the 100,000.
PREPARE_N = int(os.environ.get("LIANT_BENCH_NEWSLETTERS_PREPARE_N", "100000"))


def _aiosmtpd(port: int, count, ready) -> None:  # type: ignore[no-untyped-def]
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per command otherwise

    class Counting:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            with count.get_lock():
                count.value += len(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class Sink:
    """The SMTP server the bench sends to, on 127.0.0.1, and how many messages it accepted.

    Postfix's smtp-sink (C, one process, no disk) when installed (`make bench` installs the
    `postfix` package for it): it answers far faster than the senders, so the bare loop
    measures the sending side. Otherwise aiosmtpd in its own process, a single-threaded
    Python server that is itself the ceiling (70-1,500 messages/s on 2 shared cores) and
    takes CPU from the senders.
    """

    def __init__(self) -> None:
        from tests.servers import free_port, wait_for_port

        self.port = free_port()
        self.binary = shutil.which("smtp-sink") or shutil.which("smtp-sink", path="/usr/sbin")
        self._dir = tempfile.mkdtemp(prefix="liant-bench-sink-")
        self._out = Path(self._dir) / "counters"
        self._process: subprocess.Popen | mp.process.BaseProcess
        if self.binary:
            # -c: running counters ("sess=… quit=… mesg=…", one update per "." received),
            # written to a file read by accepted(). -u: required when run as root.
            user = ["-u", "nobody"] if os.geteuid() == 0 else []
            command = [self.binary, "-c", *user, f"127.0.0.1:{self.port}", "1000"]
            with self._out.open("wb") as out:
                self._process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            self.name = "Postfix smtp-sink (C)"
            self.counted = "messages counted by smtp-sink itself (-c, its 'mesg=' counter)"
        else:
            ctx = mp.get_context("fork")
            self._count = ctx.Value("l", 0)
            ready = ctx.Event()
            self._process = ctx.Process(
                target=_aiosmtpd, args=(self.port, self._count, ready), daemon=True
            )
            self._process.start()
            ready.wait(20)
            self.name = "aiosmtpd in its own process (Python)"
            self.counted = "messages counted by the aiosmtpd handler (one per DATA accepted)"
            print(
                "# smtp-sink not found (Debian package postfix, installed by `make bench`): "
                "falling back to aiosmtpd, a Python sink that is itself the ceiling here",
                flush=True,
            )
        wait_for_port(self.port)

    def accepted(self) -> int:
        """Messages the sink has taken so far (ended with "." and answered 250)."""
        if not self.binary:
            return int(self._count.value)
        # Counters are rewritten in place with \r after each message: the last one counts.
        time.sleep(0.2)  # the sink writes its counter after its reply to "."
        with self._out.open("rb") as f:
            f.seek(max(0, self._out.stat().st_size - 200))
            found = re.findall(rb"mesg=(\d+)", f.read())
        return int(found[-1]) if found else 0

    def stop(self) -> None:
        if isinstance(self._process, subprocess.Popen):
            self._process.terminate()
            self._process.wait(10)
        else:
            self._process.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


def _raw(port: int, n: int) -> float:
    message = EmailMessage()
    message["From"] = "news@bench.example"
    message["Subject"] = "Bench"
    message.set_content(("Bonjour, un café de saison. " * 3 + "\n") * 40)
    message.add_alternative(
        "<p>" + "Un <b>café</b> de saison.<br>\n" * 120 + "</p>", subtype="html"
    )
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            smtp.sendmail("news@bench.example", [f"raw{i}@people.example"], data)
    return n / (time.perf_counter() - started)


def _cpu_seconds(name: str) -> float:
    """User + system CPU so far of every process called `name` (Linux /proc): where the time
    goes when workers, sink and database server share the cores. 0.0 where /proc is not."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        command, _, rest = text.partition(") ")
        if command.partition(" (")[2] == name:
            fields = rest.split()
            # utime, stime, and the same of its children that ended: a server's connection
            # process ends when its worker disconnects, and its time goes to the parent's.
            total += sum(int(f) for f in fields[11:15])
    return total / tick


def _worker(campaign_id: int, peak) -> None:  # type: ignore[no-untyped-def]
    from liant.newsletters import sending

    connections.close_all()  # a forked process opens its own connection
    while True:
        report = sending.send_due(campaign_id)
        if not (report.sent or report.failed or report.deferred):
            break
    connections.close_all()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with peak.get_lock():
        peak.value = max(peak.value, rss)


def _campaign(workspace, port: int, n: int, tag: str, start: bool = True):  # type: ignore[no-untyped-def]
    from liant.members.models import Member
    from liant.newsletters import sending
    from liant.newsletters.models import (
        Campaign,
        MailingList,
        SendingSettings,
        Subscriber,
    )

    settings = SendingSettings.of(workspace.pk)
    settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", port, "none"
    settings.per_minute = 10_000_000
    settings.bounce_address = "bounces@bench.example"
    settings.save()
    mailing_list = MailingList.objects.create(workspace=workspace, name=f"Bench {tag}")
    members = Member.objects.bulk_create(
        (
            Member(workspace=workspace, email=f"{tag}{i}@people.example", language="fr")
            for i in range(n)
        ),
        batch_size=1000,
    )
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                workspace=workspace,
                mailing_list=mailing_list,
                member=m,
                email=m.email,
                state="subscribed",
            )
            for m in members
        ),
        batch_size=1000,
    )
    campaign = Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name=tag,
        sender_name="Bench",
        sender_address="news@bench.example",
        subject_fr="Bench",
        body_fr="# Bonjour\n\n" + "Un **café** de saison. " * 60,
    )
    if start:
        sending.start(campaign)
    return campaign


def _prepare(workspace, port: int, report: Callable[..., None]):  # type: ignore[no-untyped-def]
    """sending.start on PREPARE_N subscribers: the rows every claim then works on."""
    from liant.newsletters import sending
    from liant.newsletters.models import Send

    campaign = _campaign(workspace, port, PREPARE_N, "prep-", start=False)
    tracemalloc.start()
    started = time.perf_counter()
    sending.start(campaign)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert Send.objects.filter(campaign=campaign, state="queued").count() == PREPARE_N
    note = f"{PREPARE_N} recipients, {connection.vendor}"
    report("prepare_seconds", elapsed, "s", note=f"sending.start: one queued row each, {note}")
    report("prepare_rows_rate", PREPARE_N / elapsed, "rows/s")
    report("prepare_peak_python_memory", peak / 2**20, "MiB", note="tracemalloc peak in start()")
    return campaign


def run(report: Callable[..., None]) -> None:
    from liant.core.models import Organisation, Workspace
    from liant.newsletters.models import Send

    org, _ = Organisation.objects.get_or_create(slug="bench-news", defaults={"name": "Bench"})
    workspace, _ = Workspace.objects.get_or_create(
        slug="bench-news", defaults={"name": "Bench", "organisation": org}
    )
    ctx = mp.get_context("fork")
    sink = Sink()
    port = sink.port
    print(f"# sink: {sink.name}; {sink.counted}", flush=True)
    try:
        prepared = _prepare(workspace, port, report)
        # A process's first unsubscribe link builds Django's URL resolver, which imports every
        # app's urls (WeasyPrint among them: 2.4 s of a forked worker's first batch, 1 Dec
        # 2026), and its first rendering loads templates and catalogues. Done once here,
        # before the workers are forked: the rates are a warm worker's, as a long-lived
        # worker is after its first batch.
        from liant.newsletters import rendering

        started = time.perf_counter()
        rendering.unsubscribe_url("warm-up")
        rendering.render(prepared, "fr", rendering.PLACEHOLDER)
        report(
            "worker_warm_up_seconds",
            time.perf_counter() - started,
            "s",
            note="first link and rendering in a process, done before forking the workers",
        )
        before = sink.accepted()
        raw_rate = _raw(port, N)
        assert sink.accepted() - before == N, (sink.accepted() - before, N)
        note = f"{N} recipients, {connection.vendor}, sink: {sink.name}"
        report("raw_smtplib_rate", raw_rate, "messages/s", note=f"bare smtplib loop, {note}")
        for workers in (1, 4):
            campaign = _campaign(workspace, port, N, f"w{workers}-")
            connections.close_all()
            before = sink.accepted()
            started = time.perf_counter()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            server_cpu, sink_cpu = _cpu_seconds("postgres"), _cpu_seconds("smtp-sink")
            peak = ctx.Value("l", 0)
            procs = [ctx.Process(target=_worker, args=(campaign.pk, peak)) for _ in range(workers)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = {
                "workers": after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime,
                # SQLite's work is the workers' own; a PostgreSQL server here may be idle.
                "database server": (
                    _cpu_seconds("postgres") - server_cpu
                    if connection.vendor == "postgresql"
                    else 0.0
                ),
                "sink": _cpu_seconds("smtp-sink") - sink_cpu,
            }
            delivered = sink.accepted() - before
            sent_rows = Send.objects.filter(campaign=campaign, state="sent").count()
            assert delivered == sent_rows == N, (delivered, sent_rows)
            rate = N / elapsed
            report(
                f"campaign_rate_{workers}_worker{'s' if workers > 1 else ''}",
                rate,
                "messages/s",
                note=f"campaign with claim/complete rows, {workers} worker process(es), {note}",
            )
            report(f"campaign_{workers}w_vs_raw_smtplib", rate / raw_rate, "ratio")
            if workers > 1:
                report(f"campaign_rate_per_worker_{workers}w", rate / workers, "messages/s")
            for who, seconds in cpu.items():
                if seconds:
                    report(
                        f"cpu_{who.replace(' ', '_')}_{workers}w",
                        seconds / N * 1e6,
                        "µs/message",
                        note=f"CPU of the {who} per message sent ({workers} worker(s))",
                    )
            report(
                f"worker_peak_rss_{workers}w",
                peak.value / 1024,
                "MiB",
                note="largest worker's peak resident memory (a forked child counts the "
                "parent's pages it touched)",
            )
    finally:
        sink.stop()
