"""A real worker process killed with SIGKILL halfway through a campaign of 1,000: the
campaign is resumed and no address receives two messages (counted by the aiosmtpd peer)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from liant.newsletters import sending
from liant.newsletters.models import Send
from tests.core.test_worker import worker_env
from tests.newsletters.conftest import per_recipient, subscribe

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

N = 1000
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from liant.newsletters import sending

    campaign_id, step = int(sys.argv[1]), sys.argv[2]
    count = {"n": 0}

    def die_at_500(real, after):
        def wrapper(line, token, row_pk):
            count["n"] += 1
            if count["n"] == 500 and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            real(line, token, row_pk)
            if count["n"] == 500:
                line.settled()  # the server has recorded it (on PostgreSQL, answered later)
                os.kill(os.getpid(), signal.SIGKILL)
        return wrapper

    # The progress line names the row whose data is about to leave, once its envelope is
    # sent and while the server answers the data of the row before it.
    Line = sending._ProgressLine
    if step == "after_claim":  # row 500 is named, its data has not left
        Line.name = die_at_500(Line.name, after=True)
    elif step == "after_call":  # the server has row 499's data, nothing recorded its answer
        Line.name = die_at_500(Line.name, after=False)
    print("ready", flush=True)
    while sending.send_due(campaign_id).sent:
        pass
    """
)


@pytest.mark.parametrize("step", ["after_claim", "after_call", "from_outside"])
def test_a_killed_worker_sends_nobody_twice_and_the_campaign_resumes(
    step, campaign, mailing_list, sending_settings, outbox
):
    subscribe(mailing_list, N)
    sending.start(campaign)
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(campaign.pk), step],
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=os.getcwd(),
    )
    if step == "from_outside":
        deadline = time.monotonic() + 120
        while len(outbox.messages) < N // 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    delivered_by_dead_worker = len(outbox.messages)
    assert N // 2 - 1 <= delivered_by_dead_worker < N

    # Another worker resumes; the sweep later takes over the dead one's batch (what it had
    # not touched goes back to the queue), and the workers send that too.
    while sending.send_due(campaign.pk).sent:
        pass
    sending.sweep(timezone.now() + timedelta(minutes=10))
    while sending.send_due(campaign.pk).sent:
        pass
    campaign.refresh_from_db()
    assert campaign.state == "sent"

    counts = per_recipient(outbox)
    assert max(counts.values()) == 1  # nobody got two messages
    states = dict(
        Send.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk"))
    )
    assert states.get("unknown", 0) <= 1  # at most the row the worker died holding
    assert states["sent"] + states.get("unknown", 0) == N
    assert len(counts) >= N - 1
