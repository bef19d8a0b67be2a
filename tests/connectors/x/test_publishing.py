"""An X thread through the real publisher: a part lost half-way is never posted twice, and
publishing again resumes after the last part that went out."""

from __future__ import annotations

import httpx
import pytest

from liant.channels import fetching
from liant.channels.models import Channel
from liant.publishing import publisher
from liant.publishing.models import State, Variant
from tests.connectors.x.conftest import ACCOUNT, TOKEN, client_for
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_channel(workspace, owner, fake, monkeypatch) -> Channel:
    channel = Channel(workspace=workspace, kind="x", name="@maisonlumiere", created_by=owner)
    channel.settings = {"account_id": ACCOUNT, "username": "maisonlumiere"}
    channel.credentials = {"access_token": TOKEN, "refresh_token": "refresh-1"}
    channel.save()
    real = fetching.connector_for
    monkeypatch.setattr(fetching, "connector_for", lambda c, http=None: real(c, client_for(fake)))
    return channel


def test_a_thread_cut_half_way_resumes_without_a_double(x_channel, fake):
    fake.script("POST", r"/2/tweets", fake._create, httpx.Response(503))
    variant = scheduled_variant(x_channel, "1/3 Le Guji arrive")
    Variant.objects.filter(pk=variant.pk).update(thread=["2/3 Notes de pêche", "3/3 Samedi"])

    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    # X has no idempotency key: a part whose answer was lost is left to a person.
    assert variant.state == State.UNCONFIRMED
    assert len(variant.parts_out) == 1
    assert [p["text"] for p in fake.posted] == ["1/3 Le Guji arrive"]

    publisher.retry(variant)
    publisher.publish_variant(variant.pk)

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert [p["text"] for p in fake.posted] == [
        "1/3 Le Guji arrive",
        "2/3 Notes de pêche",
        "3/3 Samedi",
    ]
    first, second, third = variant.parts_out
    assert [p.get("reply", {}).get("in_reply_to_tweet_id") for p in fake.posted] == [
        None,
        first,
        second,
    ]
    assert variant.remote_id == first
    assert variant.remote_url == f"https://x.com/maisonlumiere/status/{first}"
