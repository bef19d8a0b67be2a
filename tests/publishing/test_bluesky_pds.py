"""The publisher against the reference Bluesky PDS: a worker killed at any step, including in
the middle of uploading images, leaves exactly one post in the account's repository."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from liant.channels.models import Channel
from liant.connectors.bluesky.connector import create_session
from liant.connectors.http import HttpClient
from liant.publishing import publisher
from liant.publishing.models import Variant, VariantMedia
from liant.publishing.states import State
from tests.connectors.bluesky.test_reference_pds import png, posts_of
from tests.core.test_worker import worker_env
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(reference_pds) -> dict:
    return reference_pds.create_account("lumiere")


@pytest.fixture
def bluesky_channel(workspace, owner, reference_pds, account) -> Channel:
    """What the connect page stores: the session's tokens, never the app password."""
    session = create_session(
        HttpClient(), reference_pds.url, account["handle"], account["app_password"]
    )
    channel = Channel.objects.create(
        workspace=workspace,
        kind="bluesky",
        name=f"@{account['handle']}",
        settings={"service": reference_pds.url, "handle": account["handle"], "did": account["did"]},
        created_by=owner,
    )
    channel.credentials = session
    channel.save()
    return channel


def later() -> timezone.datetime:
    """A moment when a claim taken now counts as left behind by a dead worker."""
    return timezone.now() + publisher.STUCK_AFTER + timedelta(minutes=1)


def with_images(variant: Variant, count: int) -> list[bytes]:
    images = [png(2 + n, 2) for n in range(count)]
    for n, data in enumerate(images):
        VariantMedia.objects.create(
            variant=variant,
            file=ContentFile(data, name=f"photo-{n}.png"),
            content_type="image/png",
            size=len(data),
            alt_text=f"Photo {n + 1}",
            position=n,
        )
    return images


def test_a_published_variant_is_one_record_in_the_repository(bluesky_channel, reference_pds):
    variant = scheduled_variant(bluesky_channel, "Torréfaction du jour : Guji lavé.")
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    variant.refresh_from_db()
    [record] = posts_of(reference_pds, bluesky_channel.settings["did"])
    assert record["value"]["text"] == "Torréfaction du jour : Guji lavé."
    assert variant.remote_id == record["uri"]


def test_the_variants_images_go_out_as_blobs_in_their_order(bluesky_channel, reference_pds):
    variant = scheduled_variant(bluesky_channel, "La nouvelle salle")
    images = with_images(variant, 2)
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    [record] = posts_of(reference_pds, bluesky_channel.settings["did"])
    embedded = record["value"]["embed"]["images"]
    assert [i["alt"] for i in embedded] == ["Photo 1", "Photo 2"]
    assert [i["image"]["size"] for i in embedded] == [len(data) for data in images]


def test_a_crash_between_the_call_and_the_commit_leaves_one_post(
    bluesky_channel, reference_pds, monkeypatch
):
    variant = scheduled_variant(bluesky_channel, "Un seul post, même après une panne.")

    class WorkerDied(BaseException):
        pass

    def die(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(publisher, "record_published", die)
    with pytest.raises(WorkerDied):
        publisher.publish_variant(variant.pk)
    monkeypatch.undo()
    [sent] = posts_of(reference_pds, bluesky_channel.settings["did"])  # Liant does not know

    now = later()
    assert publisher.sweep(now) == 1
    assert publisher.publish_variant(variant.pk, now=now).state == State.PUBLISHED
    variant.refresh_from_db()
    assert [r["uri"] for r in posts_of(reference_pds, bluesky_channel.settings["did"])] == [
        sent["uri"]
    ]
    assert variant.remote_id == sent["uri"]


# --- A real worker process, killed (SIGKILL) at each step -----------------------------------

KILLED_WORKER = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from liant.connectors.bluesky import connector as bluesky
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
    elif step == "during_upload":  # the first image is on the PDS, the second is not, no post
        xrpc = bluesky.BlueskyConnector._xrpc
        uploaded = []

        def upload_then_die(self, method, nsid, **kwargs):
            answer = xrpc(self, method, nsid, **kwargs)
            if nsid == "com.atproto.repo.uploadBlob":
                uploaded.append(answer)
                if len(uploaded) == 1:
                    killed()
            return answer

        bluesky.BlueskyConnector._xrpc = upload_then_die
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
@pytest.mark.parametrize("step", ["after_claim", "before_call", "after_call", "during_upload"])
def test_a_worker_killed_at_any_step_neither_loses_nor_doubles_the_post(
    bluesky_channel, reference_pds, step
):
    did = bluesky_channel.settings["did"]
    text = f"Killed at {step}, published once."
    variant = scheduled_variant(bluesky_channel, text)
    images = with_images(variant, 2) if step == "during_upload" else []
    assert run_and_kill(variant, step) == -9
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHING  # what a dead worker leaves behind
    before = posts_of(reference_pds, did)
    assert len(before) == (1 if step == "after_call" else 0)

    assert publisher.sweep(timezone.now()) == 0  # a live worker might still hold it
    now = later()
    assert publisher.sweep(now) == 1
    assert publisher.publish_variant(variant.pk, now=now).state == State.PUBLISHED

    records = posts_of(reference_pds, did)
    assert [r["value"]["text"] for r in records] == [text]  # not lost, not doubled
    variant.refresh_from_db()
    assert variant.remote_id == records[0]["uri"]
    if before:
        # The retry wrote to the same record key and got the first post back.
        assert records[0]["cid"] == before[0]["cid"]
    if images:
        # Uploading the first image again gave the same blob; both are in the one post.
        embedded = records[0]["value"]["embed"]["images"]
        assert [i["image"]["size"] for i in embedded] == [len(data) for data in images]
