"""The publisher against replayed Mastodon answers (documented payloads, tests/connectors/
mastodon/fixtures), with the Idempotency-Key honoured as Mastodon does for an hour."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from liant.channels import fetching
from liant.channels.models import Channel, ChannelRecorder, Health
from liant.connectors.http import HttpClient
from liant.publishing import publisher
from liant.publishing.models import Variant
from liant.publishing.states import State
from tests.connectors.mastodon.conftest import OUR_ACCOUNT, TOKEN, FakeInstance, error
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db(transaction=True)


class KeyedInstance(FakeInstance):
    """Mastodon keeps the status made for an Idempotency-Key and answers a repeat with it."""

    def __init__(self) -> None:
        super().__init__()
        self.by_key: dict[str, httpx.Response] = {}
        self.created: list[str] = []
        self.route("POST", "/api/v1/statuses", self._keyed_status)

    def _keyed_status(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.by_key:
            return self.by_key[key]
        answer = self._post_status(request)
        if answer.status_code == 200:
            self.created.append(answer.json()["id"])
            if key:
                self.by_key[key] = answer
        return answer

    def created_then_lost(self, request: httpx.Request) -> httpx.Response:
        """The status is made, then the answer never arrives (a proxy's 502)."""
        self._keyed_status(request)
        return httpx.Response(502, text="Bad Gateway")


@pytest.fixture
def instance(monkeypatch) -> KeyedInstance:
    fake = KeyedInstance()
    real = fetching.connector_for

    def connector_for(channel: Channel, http=None):
        http = HttpClient(
            ChannelRecorder(channel),
            transport=fake.transport(),
            sleep=lambda s: None,
            check_urls=False,
        )
        return real(channel, http)

    monkeypatch.setattr(fetching, "connector_for", connector_for)
    return fake


@pytest.fixture
def mastodon_channel(workspace, owner) -> Channel:
    channel = Channel.objects.create(
        workspace=workspace,
        kind="mastodon",
        name="Maison Lumière (Mastodon)",
        settings={"instance_url": "mastodon.example/", "account_id": OUR_ACCOUNT},
        created_by=owner,
    )
    channel.credentials = {"access_token": TOKEN, "client_id": "cid", "client_secret": "secret"}
    channel.save()
    return channel


def statuses_sent(instance: FakeInstance) -> list[httpx.Request]:
    return instance.sent("POST", "/api/v1/statuses")


def test_it_publishes_with_the_variants_key_and_keeps_the_status_id(instance, mastodon_channel):
    variant = scheduled_variant(mastodon_channel, "Portes ouvertes samedi !")
    Variant.objects.filter(pk=variant.pk).update(
        content_warning="Annonce", link="https://maison-lumiere.example/portes-ouvertes"
    )
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    variant.refresh_from_db()
    [sent] = statuses_sent(instance)
    assert sent.headers["Idempotency-Key"] == variant.idempotency_key
    form = dict(instance.form(sent))
    assert form["spoiler_text"] == "Annonce"
    assert form["status"].endswith("https://maison-lumiere.example/portes-ouvertes")
    assert variant.remote_id == instance.created[0]
    assert variant.remote_url == f"https://mastodon.example/@maisonlumiere/{variant.remote_id}"


def test_a_status_made_whose_answer_was_lost_is_not_made_twice(instance, mastodon_channel):
    # Every try of the first attempt ends in a 502, the first one after Mastodon made it.
    instance.script(
        "POST",
        "/api/v1/statuses",
        instance.created_then_lost,
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(502, text="Bad Gateway"),
    )
    variant = scheduled_variant(mastodon_channel, "Une fois, pas deux.")
    publisher.publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED  # transient: tried again later
    assert "502" in variant.last_error
    publisher.publish_variant(variant.pk, now=variant.due_at)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert len(instance.created) == 1
    assert variant.remote_id == instance.created[0]
    keys = {r.headers["Idempotency-Key"] for r in statuses_sent(instance)}
    assert keys == {variant.idempotency_key}


def test_a_worker_dead_after_mastodon_answered_is_recovered_by_the_sweep(
    instance, mastodon_channel, monkeypatch
):
    variant = scheduled_variant(mastodon_channel, "Recovered once.")

    class WorkerDied(BaseException):
        pass

    def die(*args, **kwargs):
        raise WorkerDied

    record_published = publisher.record_published
    monkeypatch.setattr(publisher, "record_published", die)
    with pytest.raises(WorkerDied):
        publisher.publish_variant(variant.pk)
    monkeypatch.setattr(publisher, "record_published", record_published)
    later = timezone.now() + publisher.STUCK_AFTER + timedelta(minutes=1)
    assert publisher.sweep(later) == 1
    publisher.publish_variant(variant.pk, now=later)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert len(statuses_sent(instance)) == 2 and len(instance.created) == 1
    assert variant.remote_id == instance.created[0]


def test_a_validation_error_fails_with_mastodons_words(instance, mastodon_channel):
    instance.script("POST", "/api/v1/statuses", error(422, "error_validation.json"))
    variant = scheduled_variant(mastodon_channel, "x")
    publisher.publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert "Validation failed: Text can't be blank" in variant.last_error
    assert len(statuses_sent(instance)) == 1


def test_a_revoked_token_marks_the_channel_and_mails_its_owner(instance, mastodon_channel, owner):
    instance.script("POST", "/api/v1/statuses", error(401, "error_token_invalid.json"))
    variant = scheduled_variant(mastodon_channel, "x")
    publisher.publish_variant(variant.pk)
    variant.refresh_from_db()
    mastodon_channel.refresh_from_db()
    assert variant.state == State.FAILED
    assert "The access token is invalid" in variant.last_error
    assert mastodon_channel.health == Health.AUTH_EXPIRED
    assert [m.to for m in mail.outbox] == [[owner.email], [owner.email]]  # channel, post


def test_a_429_waits_for_the_time_mastodon_gives(instance, mastodon_channel):
    instance.script(
        "POST",
        "/api/v1/statuses",
        error(429, "error_rate_limited.json", **{"Retry-After": "300"}),
    )
    variant = scheduled_variant(mastodon_channel, "x")
    publisher.publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    assert variant.last_error_kind == "rate_limited"
    assert variant.due_at - timezone.now() > timedelta(seconds=280)
    assert instance.created == []
