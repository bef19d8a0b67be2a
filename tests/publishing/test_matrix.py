"""The publisher against a real Synapse homeserver: what it publishes can be read back, and a
worker killed at any step neither loses the post nor posts it twice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.utils import timezone

from liant.channels.models import Channel
from liant.publishing import publisher
from liant.publishing.models import Variant
from liant.publishing.states import State
from tests.connectors.matrix.conftest import Room
from tests.core.test_worker import worker_env
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(synapse) -> Room:
    return Room(synapse)


@pytest.fixture
def matrix_channel(workspace, owner, room, synapse) -> Channel:
    channel = Channel.objects.create(
        workspace=workspace,
        kind="matrix",
        name="Le salon",
        settings={
            "homeserver": synapse.url,
            "user_id": room.brand["user_id"],
            "default_room": room.room_id,
        },
        created_by=owner,
    )
    channel.credentials = {"access_token": room.brand["access_token"]}
    channel.save()
    return channel


def brand_messages(room: Room) -> list[dict]:
    """What the member sees in the room from the brand, read from the homeserver itself."""
    answer = room.member_client._call(
        "GET",
        f"/_matrix/client/v3/rooms/{room.room_id}/messages",
        params={"dir": "b", "limit": 100},
    )
    return [
        event
        for event in answer["chunk"]
        if event["type"] == "m.room.message" and event["sender"] == room.brand["user_id"]
    ]


def later() -> timezone.datetime:
    """A moment when a claim taken now counts as left behind by a dead worker."""
    return timezone.now() + publisher.STUCK_AFTER + timedelta(minutes=1)


def test_a_published_variant_reads_back_from_the_homeserver(matrix_channel, room):
    variant = scheduled_variant(matrix_channel, "La torréfaction du jour : Guji lavé.")
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    variant.refresh_from_db()
    [message] = brand_messages(room)
    assert message["content"]["body"] == "La torréfaction du jour : Guji lavé."
    assert variant.remote_id == f"{room.room_id}|{message['event_id']}"


def test_a_crash_between_the_call_and_the_commit_is_recovered_without_a_second_message(
    matrix_channel, room, monkeypatch
):
    variant = scheduled_variant(matrix_channel, "Un seul message, même après une panne.")

    class WorkerDied(BaseException):
        pass

    def die(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(publisher, "record_published", die)
    with pytest.raises(WorkerDied):
        publisher.publish_variant(variant.pk)
    monkeypatch.undo()
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHING
    [sent] = brand_messages(room)  # the homeserver has it; Liant does not know yet

    now = later()
    assert publisher.sweep(now) == 1
    publisher.publish_variant(variant.pk, now=now)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert [m["event_id"] for m in brand_messages(room)] == [sent["event_id"]]
    assert variant.remote_id.endswith(sent["event_id"])


# --- A real worker process, killed (SIGKILL) at each step -----------------------------------

KILLED_WORKER = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from liant.publishing import publisher

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    step = sys.argv[2]
    if step == "after_claim":  # claimed, about to call the network
        publisher.mark_sending = killed
    elif step == "before_call":  # about to call: sending_at is written
        publisher.call_network = killed
    elif step == "after_call":  # the network has the post, the database does not
        publisher.record_published = killed
    publisher.publish_variant(int(sys.argv[1]))
    """
)


def run_and_kill(variant: Variant, step: str) -> int:
    process = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, str(variant.pk), step],
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.getcwd(),
    )
    return process.returncode


@pytest.mark.worker
@pytest.mark.parametrize("step", ["after_claim", "before_call", "after_call"])
def test_a_worker_killed_at_any_step_neither_loses_nor_doubles_the_post(matrix_channel, room, step):
    text = f"Killed at {step}, published once."
    variant = scheduled_variant(matrix_channel, text)
    assert run_and_kill(variant, step) == -9
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHING  # what a dead worker leaves behind
    before = brand_messages(room)
    assert len(before) == (1 if step == "after_call" else 0)

    assert publisher.sweep(timezone.now()) == 0  # a live worker might still hold it
    now = later()
    assert publisher.sweep(now) == 1
    assert publisher.publish_variant(variant.pk, now=now).state == State.PUBLISHED

    messages = brand_messages(room)
    assert [m["content"]["body"] for m in messages] == [text]  # not lost, not doubled
    variant.refresh_from_db()
    assert variant.remote_id == f"{room.room_id}|{messages[0]['event_id']}"
    if before:
        # The retry got the first message back from the homeserver, not a new one.
        assert messages[0]["event_id"] == before[0]["event_id"]


@pytest.mark.worker
def test_a_real_worker_publishes_a_job_sent_twice_once(matrix_channel, room):
    from liant.publishing import tasks
    from tests.core.test_worker import real_worker, wait_for

    variant = scheduled_variant(matrix_channel, "Par le vrai worker, une fois.")
    with real_worker():
        tasks.publish_variant(variant.pk)
        tasks.publish_variant(variant.pk)
        assert wait_for(lambda: Variant.objects.get(pk=variant.pk).state == State.PUBLISHED)
        # the second job finds the variant already taken; give it its moment
        assert wait_for(lambda: len(brand_messages(room)) >= 1)
    assert [m["content"]["body"] for m in brand_messages(room)] == ["Par le vrai worker, une fois."]
    assert Variant.objects.get(pk=variant.pk).attempts == 1


def test_a_thread_reads_back_as_a_matrix_thread_under_the_post(matrix_channel, room):
    variant = scheduled_variant(matrix_channel, "Portes ouvertes samedi")
    Variant.objects.filter(pk=variant.pk).update(thread=["Programme : dégustation à 11 h"])
    publisher.publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    answer, post = brand_messages(room)  # newest first
    assert post["content"]["body"] == "Portes ouvertes samedi"
    relation = answer["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread"
    assert relation["event_id"] == post["event_id"]
    assert variant.parts_out == [
        f"{room.room_id}|{post['event_id']}",
        f"{room.room_id}|{answer['event_id']}",
    ]
