"""What the publisher does around a connector: claims, error kinds, the sweep, lateness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from liant.channels.models import Channel, Health
from liant.connectors.base import ConnectorError
from liant.publishing import publisher, tasks
from liant.publishing.models import PublishingSettings, Transition, Variant
from liant.publishing.publisher import claim, publish_variant, sweep
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import KeylessPublisher, ScriptedPublisher

pytestmark = pytest.mark.django_db(transaction=True)


def error(kind: str, message: str = "boom", **kw) -> ConnectorError:
    return ConnectorError(message, kind, **kw)


def test_a_due_variant_is_published_once_with_its_key_and_its_remote_id_kept(channel, owner):
    variant = scheduled_variant(channel, "Nouveau café !", owner=owner)
    assert publish_variant(variant.pk).state == State.PUBLISHED
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert (variant.remote_id, variant.remote_url) == ("r1", "https://net.example/p/1")
    assert variant.claimed_at is None and variant.attempts == 1
    [draft] = ScriptedPublisher.drafts
    assert draft.text == "Nouveau café !"
    assert draft.idempotency_key == variant.idempotency_key
    assert list(variant.history.values_list("from_state", "to_state")) == [
        ("scheduled", "publishing"),
        ("publishing", "published"),
    ]
    variant.post.refresh_from_db()
    assert variant.post.state == State.PUBLISHED  # its only variant is out
    assert publish_variant(variant.pk).skipped  # a second job finds nothing to do
    assert len(ScriptedPublisher.drafts) == 1


def test_a_variant_not_yet_due_is_left_alone(channel):
    variant = scheduled_variant(channel, at=timezone.now() + timedelta(hours=1))
    assert publish_variant(variant.pk).skipped
    assert publisher.due_variant_ids() == []
    assert ScriptedPublisher.drafts == []


def test_of_two_claims_on_one_variant_only_one_wins(channel):
    variant = scheduled_variant(channel)
    first, second = Variant.objects.get(pk=variant.pk), Variant.objects.get(pk=variant.pk)
    now = timezone.now()
    assert claim(first, now) is True
    assert claim(second, now) is False
    assert Variant.objects.get(pk=variant.pk).attempts == 1
    assert Transition.objects.filter(variant=variant, to_state="publishing").count() == 1


def test_a_job_sent_twice_publishes_once(channel):
    variant = scheduled_variant(channel)
    tasks.publish_variant(variant.pk)
    tasks.publish_variant(variant.pk)
    assert len(ScriptedPublisher.drafts) == 1
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHED


def test_a_transient_error_is_retried_later_with_backoff_then_succeeds(channel):
    ScriptedPublisher.script = [error("transient", "The network failed (503).", status=503)]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    assert variant.last_error == "The network failed (503)."
    assert variant.last_error_kind == "transient"
    wait = variant.due_at - timezone.now()
    assert timedelta(seconds=50) < wait <= publisher.FIRST_BACKOFF
    assert publish_variant(variant.pk).skipped  # not before the backoff
    publish_variant(variant.pk, now=variant.due_at)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED and variant.attempts == 2
    keys = {d.idempotency_key for d in ScriptedPublisher.drafts}
    assert keys == {variant.idempotency_key}  # the same key both times
    assert len(ScriptedPublisher.posts) == 1


def test_a_rate_limit_waits_as_long_as_the_network_says(channel):
    ScriptedPublisher.script = [error("rate_limited", "Slow down.", retry_after=600)]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    assert timedelta(seconds=590) < variant.due_at - timezone.now() <= timedelta(seconds=600)


def test_retries_stop_at_the_cap_and_the_variant_fails_with_the_reason(channel):
    ScriptedPublisher.script = [
        error("transient", f"down {n}", status=503) for n in range(publisher.MAX_ATTEMPTS)
    ]
    variant = scheduled_variant(channel)
    for _ in range(publisher.MAX_ATTEMPTS):
        variant.refresh_from_db()
        publish_variant(variant.pk, now=variant.due_at)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.attempts == publisher.MAX_ATTEMPTS
    assert f"down {publisher.MAX_ATTEMPTS - 1}" in variant.last_error
    assert "gave up after 5 attempts" in variant.last_error  # the stored English
    with translation.override("fr"):  # and each reader's language
        assert "5 tentatives" in variant.last_error_display


def test_a_permanent_error_fails_at_once_with_the_networks_words(channel):
    ScriptedPublisher.script = [error("permanent", "Validation failed: Text is too long")]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.last_error == "Validation failed: Text is too long"
    assert len(ScriptedPublisher.drafts) == 1


def test_a_failed_variant_is_retried_by_hand_and_keeps_its_key(channel, owner):
    ScriptedPublisher.script = [error("permanent", "Text is too long")]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert publisher.retry(variant, owner)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    retried = variant.history.get(from_state="failed")
    assert retried.actor == owner and retried.to_state == "scheduled"
    assert {d.idempotency_key for d in ScriptedPublisher.drafts} == {variant.idempotency_key}


def test_an_expired_sign_in_marks_the_channel_and_tells_its_owner(channel, owner):
    ScriptedPublisher.script = [error("auth_expired", "The access token expired")]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    channel.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.last_error == "The access token expired"
    assert channel.health == Health.AUTH_EXPIRED
    # One mail says the channel needs reconnecting, one that the post did not go out.
    assert [m.to for m in mail.outbox] == [[owner.email], [owner.email]]
    assert all("The access token expired" in m.body for m in mail.outbox)
    assert "Scripted" in mail.outbox[0].subject and "/channels/" in mail.outbox[0].body
    assert "/publishing/" in mail.outbox[1].body
    # While it stays expired, the next variant fails without calling the network.
    other = scheduled_variant(channel)
    publish_variant(other.pk)
    other.refresh_from_db()
    assert other.state == State.FAILED and "reconnect" in other.last_error
    assert len(mail.outbox) == 3  # the channel's owners were told once, the post's again
    assert len(ScriptedPublisher.drafts) == 1


def test_an_expired_sign_in_that_can_be_refreshed_publishes_anyway(channel):
    ScriptedPublisher.script = [error("auth_expired", "expired")]
    ScriptedPublisher.refreshed = {"token": "new"}
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    channel.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert channel.credentials == {"token": "new"}
    assert channel.health == Health.OK
    assert mail.outbox == []


def test_a_failure_after_sending_on_a_network_without_keys_is_left_to_a_person(
    keyless_channel,
):
    KeylessPublisher.script = [error("transient", "The network did not answer (ReadTimeout).")]
    variant = scheduled_variant(keyless_channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.UNCONFIRMED  # retrying might post twice
    assert "ReadTimeout" in variant.last_error
    assert publisher.due_variant_ids() == []


def test_a_request_that_never_left_is_retried_even_without_keys(keyless_channel):
    KeylessPublisher.script = [error("transient", "Connection refused", status=-1)]
    variant = scheduled_variant(keyless_channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED


def test_a_connector_bug_is_treated_as_an_unknown_outcome(keyless_channel, channel):
    KeylessPublisher.script = [KeyError("id")]
    ScriptedPublisher.script = [KeyError("id")]
    keyless = scheduled_variant(keyless_channel)
    keyed = scheduled_variant(channel)
    publish_variant(keyless.pk)
    publish_variant(keyed.pk)
    keyless.refresh_from_db()
    keyed.refresh_from_db()
    assert keyless.state == State.UNCONFIRMED
    assert keyed.state == State.SCHEDULED  # the key makes another try safe


def test_an_unconfirmed_variant_is_confirmed_by_a_person(keyless_channel, owner):
    KeylessPublisher.script = [error("transient", "timeout")]
    variant = scheduled_variant(keyless_channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert publisher.confirm_published(variant, owner, "https://keyless.example/p/1")
    variant.refresh_from_db()
    variant.post.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert variant.post.state == State.PUBLISHED


# --- Lateness ---------------------------------------------------------------------------------


def test_a_slightly_late_post_goes_out_and_a_very_late_one_is_held(channel, workspace):
    PublishingSettings.objects.create(workspace=workspace, publish_late_minutes=30)
    now = timezone.now()
    late = scheduled_variant(channel, "late", at=now - timedelta(minutes=20))
    too_late = scheduled_variant(channel, "too late", at=now - timedelta(minutes=45))
    tasks.publish_due.call_local()
    late.refresh_from_db()
    too_late.refresh_from_db()
    assert late.state == State.PUBLISHED
    assert too_late.state == State.HELD
    assert "45" in too_late.history.get(to_state="held").note
    assert [d.text for d in ScriptedPublisher.drafts] == ["late"]


def test_a_held_post_goes_out_when_a_person_says_so(channel, owner):
    variant = scheduled_variant(channel, at=timezone.now() - timedelta(days=1))
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.HELD
    publisher.retry(variant, owner)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED


def test_without_settings_a_workspace_allows_an_hour(channel):
    assert PublishingSettings.of(channel.workspace_id).late_limit == timedelta(hours=1)
    variant = scheduled_variant(channel, at=timezone.now() - timedelta(minutes=50))
    publish_variant(variant.pk)
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHED


# --- The sweep --------------------------------------------------------------------------------


def stuck(variant: Variant, *, sent: bool, minutes_ago: int = 15) -> Variant:
    """Leave `variant` as a worker killed mid-publish would: claimed (and maybe sending)."""
    when = timezone.now() - timedelta(minutes=minutes_ago)
    claim(variant, timezone.now())
    Variant.objects.filter(pk=variant.pk).update(
        claimed_at=when, sending_at=when if sent else None, first_sent_at=when if sent else None
    )
    variant.refresh_from_db()
    return variant


def test_the_sweep_leaves_a_recent_claim_alone(channel):
    variant = stuck(scheduled_variant(channel), sent=True, minutes_ago=2)
    assert sweep() == 0
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHING


def test_a_worker_dead_before_the_call_is_retried_on_any_network(keyless_channel):
    variant = stuck(scheduled_variant(keyless_channel), sent=False)
    assert sweep() == 1
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert len(KeylessPublisher.posts) == 1


def test_a_worker_dead_after_the_call_is_retried_with_the_same_key_and_posts_once(channel):
    variant = scheduled_variant(channel)
    # The network got the post; the worker died before recording it.
    ScriptedPublisher({}, {}, None).publish(publisher.draft_of(variant))  # type: ignore[arg-type]
    stuck(variant, sent=True)
    assert sweep() == 1
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED and variant.remote_id == "r1"
    assert len(ScriptedPublisher.posts) == 1


def test_a_worker_dead_after_the_call_on_a_network_without_keys_asks_a_person(
    keyless_channel,
):
    variant = stuck(scheduled_variant(keyless_channel), sent=True)
    assert sweep() == 1
    variant.refresh_from_db()
    assert variant.state == State.UNCONFIRMED
    assert publisher.due_variant_ids() == []
    assert KeylessPublisher.drafts == []


def test_once_the_network_has_forgotten_the_key_the_sweep_asks_a_person(channel):
    variant = stuck(scheduled_variant(channel), sent=True, minutes_ago=58)  # window: 60 min
    assert sweep() == 1
    variant.refresh_from_db()
    assert variant.state == State.UNCONFIRMED


def test_two_sweeps_resolve_a_stuck_variant_once(channel):
    variant = stuck(scheduled_variant(channel), sent=False)
    [seen_by_first] = publisher.stuck_variants(timezone.now())
    [seen_by_second] = publisher.stuck_variants(timezone.now())
    assert publisher.resolve_stuck(seen_by_first, timezone.now())
    assert not publisher.resolve_stuck(seen_by_second, timezone.now())
    assert Transition.objects.filter(variant=variant, from_state="publishing").count() == 1


def test_the_periodic_task_sweeps_then_publishes(channel):
    variant = stuck(scheduled_variant(channel), sent=False)
    fresh = scheduled_variant(channel, "fresh")
    assert tasks.publish_due.call_local() == 2
    assert set(Variant.objects.values_list("state", flat=True)) == {State.PUBLISHED}
    assert Channel.objects.get(pk=channel.pk).health == Health.OK
    assert {variant.pk, fresh.pk} == set(Variant.objects.values_list("pk", flat=True))


def test_workers_racing_for_one_variant_publish_it_once(channel):
    import threading

    from django.db import connection

    variant = scheduled_variant(channel)
    start = threading.Barrier(4)
    outcomes = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(publish_variant(variant.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ScriptedPublisher.drafts) == 1
    assert sorted(o.skipped for o in outcomes) == [False, True, True, True]
    assert Variant.objects.get(pk=variant.pk).state == State.PUBLISHED


# --- Batches: what the periodic task hands out ---------------------------------------------


def test_a_batch_publishes_each_due_variant_once_and_leaves_the_others(channel, owner):
    due = [scheduled_variant(channel, f"due {n}") for n in range(5)]
    later = scheduled_variant(channel, "later", at=timezone.now() + timedelta(hours=1))
    done = scheduled_variant(channel, "done")
    publish_variant(done.pk)
    ScriptedPublisher.drafts.clear()

    outcomes = publisher.publish_batch([v.pk for v in [*due, later, done]], parallel=3)

    assert sorted(d.text for d in ScriptedPublisher.drafts) == [f"due {n}" for n in range(5)]
    assert sum(not o.skipped and o.state == State.PUBLISHED for o in outcomes) == 5
    assert sum(o.skipped for o in outcomes) == 2
    for variant in due:
        variant.refresh_from_db()
        assert variant.state == State.PUBLISHED and variant.remote_id
        # The same history as one at a time: claimed, then published.
        assert list(variant.history.values_list("from_state", "to_state")) == [
            (State.SCHEDULED, State.PUBLISHING),
            (State.PUBLISHING, State.PUBLISHED),
        ]
    assert Variant.objects.get(pk=later.pk).state == State.SCHEDULED


def test_a_batch_handed_out_twice_at_once_publishes_each_variant_once(channel):
    import threading

    from django.db import connection

    ids = [scheduled_variant(channel, f"twice {n}").pk for n in range(8)]
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            publisher.publish_batch(ids, parallel=4)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [d.idempotency_key for d in ScriptedPublisher.drafts]
    assert len(keys) == len(set(keys)) == 8
    assert set(Variant.objects.values_list("state", flat=True)) == {State.PUBLISHED}
    assert Transition.objects.filter(to_state=State.PUBLISHING).count() == 8


def test_in_a_batch_a_very_late_variant_is_held_and_a_disconnected_channel_fails(
    channel, keyless_channel, workspace
):
    held = scheduled_variant(channel, "held", at=timezone.now() - timedelta(hours=3))
    Channel.objects.filter(pk=keyless_channel.pk).update(health=Health.DISCONNECTED)
    cut_off = scheduled_variant(Channel.objects.get(pk=keyless_channel.pk), "cut off")
    fine = scheduled_variant(channel, "fine")
    publisher.publish_batch([held.pk, cut_off.pk, fine.pk], parallel=2)
    states = dict(Variant.objects.values_list("text", "state"))
    assert states == {"held": State.HELD, "cut off": State.FAILED, "fine": State.PUBLISHED}
    assert [d.text for d in ScriptedPublisher.drafts] == ["fine"]
    assert KeylessPublisher.drafts == []


def test_a_batch_variant_that_waited_past_the_sweep_is_left_to_whoever_has_it(channel):
    """A batch's variants wait for a free thread after the claim. One that waited so long
    that the sweep took it back is not sent by this worker (another may publish it); one
    that waited long but is still claimed has its claim renewed, then goes out."""
    now = timezone.now()
    gone = scheduled_variant(channel, "gone", at=now - timedelta(minutes=12))
    kept = scheduled_variant(channel, "kept", at=now - timedelta(minutes=12))
    [stale] = publisher.claim_many([Variant.objects.get(pk=gone.pk)], now - timedelta(minutes=11))
    [waited] = publisher.claim_many([Variant.objects.get(pk=kept.pk)], now - timedelta(minutes=6))
    assert sweep(now) == 1  # the 11-minute-old claim looks like a dead worker's
    outcomes = publisher.run_side_by_side([stale, waited], parallel=1)
    assert [o.skipped for o in outcomes] == [True, False]
    assert [d.text for d in ScriptedPublisher.drafts] == ["kept"]
    assert Variant.objects.get(pk=gone.pk).state == State.SCHEDULED  # for the next worker
    assert Variant.objects.get(pk=kept.pk).state == State.PUBLISHED


# --- Threads and first comments -----------------------------------------------------------


def test_a_thread_goes_out_as_answers_each_with_its_own_key(channel):
    variant = scheduled_variant(channel, "1/3 Le Guji")
    Variant.objects.filter(pk=variant.pk).update(thread=["2/3 lavé", "3/3 en boutique"])
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    drafts = ScriptedPublisher.drafts
    assert [d.text for d in drafts] == ["1/3 Le Guji", "2/3 lavé", "3/3 en boutique"]
    assert [d.reply_to for d in drafts] == ["", "r1", "r2"]
    key = variant.idempotency_key
    assert [d.idempotency_key for d in drafts] == [key, f"{key}-1", f"{key}-2"]
    assert variant.remote_id == "r1" and variant.parts_out == ["r1", "r2", "r3"]


def test_a_thread_that_fails_half_way_resumes_after_the_last_part_out(keyless_channel):
    # A network without keys: resending a part already out would show it twice.
    KeylessPublisher.script = [None, error("permanent", "Reply refused")]
    variant = scheduled_variant(keyless_channel, "Début")
    Variant.objects.filter(pk=variant.pk).update(thread=["Suite", "Fin"])
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.parts_out == ["k1"] and variant.remote_id == "k1"
    publisher.retry(variant)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    texts = [d.text for d in KeylessPublisher.drafts]
    assert texts == ["Début", "Suite", "Suite", "Fin"]  # "Début" was never sent again
    assert len(KeylessPublisher.posts) == 3
    assert variant.remote_id == "k1"


def test_a_link_from_the_network_is_kept_only_if_it_is_http(channel):
    from liant.connectors.base import RemotePost

    ScriptedPublisher.script = [RemotePost("r9", "javascript:alert(1)")]
    variant = scheduled_variant(channel)
    publish_variant(variant.pk)
    variant.refresh_from_db()
    assert (variant.state, variant.remote_id, variant.remote_url) == (State.PUBLISHED, "r9", "")


# --- Someone is told -------------------------------------------------------------------------


def test_the_posts_owner_is_told_why_it_failed_in_their_language(channel, owner, member, outsider):
    member.language = "en"
    member.save(update_fields=["language"])
    ScriptedPublisher.script = [error("permanent", "Validation failed: Text is too long")]
    variant = scheduled_variant(channel, owner=member)
    publish_variant(variant.pk)
    [message] = mail.outbox
    assert message.to == [member.email]  # the post's owner, not every owner of the workspace
    assert message.subject.startswith("Not published on Scripted")
    assert "Validation failed: Text is too long" in message.body
    assert f"/w/{channel.workspace.slug}/publishing/{variant.post_id}/" in message.body
    assert outsider.email not in {to for m in mail.outbox for to in m.to}


def test_a_held_post_and_an_unconfirmed_one_are_told_too(channel, keyless_channel, owner):
    held = scheduled_variant(channel, owner=owner, at=timezone.now() - timedelta(days=1))
    publish_variant(held.pk)
    unsure = stuck(scheduled_variant(keyless_channel, owner=owner), sent=True)
    sweep()
    # The owner chose no language: the workspace's, French.
    assert sorted(m.subject for m in mail.outbox) == [
        "En attente, trop tard pour Scripted : Bonjour !",
        "À vérifier sur Keyless : Bonjour !",
    ]
    assert Variant.objects.get(pk=unsure.pk).state == State.UNCONFIRMED


def test_a_mail_server_that_is_down_does_not_undo_the_failure(channel, owner, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("liant.publishing.notify.send_mail", down)
    ScriptedPublisher.script = [error("permanent", "nope")]
    variant = scheduled_variant(channel, owner=owner)
    publish_variant(variant.pk)
    assert Variant.objects.get(pk=variant.pk).state == State.FAILED


def test_a_slow_worker_whose_claim_was_swept_still_records_what_the_network_answered(
    keyless_channel,
):
    variant = scheduled_variant(keyless_channel)
    slow = Variant.objects.get(pk=variant.pk)
    claim(slow, timezone.now())
    publisher.mark_sending(slow)
    # Meanwhile the sweep decides the worker is dead and asks a person.
    later = timezone.now() + publisher.STUCK_AFTER + timedelta(minutes=1)
    assert sweep(later) == 1
    assert Variant.objects.get(pk=variant.pk).state == State.UNCONFIRMED
    # ... but the worker was only slow: the network answers, and that settles it.
    remote = publisher.call_network(slow)
    publisher.record_published(slow, remote)
    variant.refresh_from_db()
    assert (variant.state, variant.remote_id) == (State.PUBLISHED, "k1")
    assert len(KeylessPublisher.posts) == 1
