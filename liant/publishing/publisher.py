"""The publisher: due variants go out once, and none is silently lost.

The database is the truth, the queue only wakes workers up. Each attempt is:

1. claim — one conditional update scheduled → publishing (`move`): two workers never both win;
2. mark `sending_at` — so a sweep can tell a worker that died before calling the network
   (safe to try again anywhere) from one that died after (only safe where the network honours
   the variant's idempotency key, and only while it still remembers it);
3. call the channel's connector with the variant's idempotency key;
4. record the remote id in the same transaction that marks the variant published.

Where the network honours keys, steps 1 and 2 are one update: for such a network "died before
the call" and "died after it" are resolved the same way (try again with the same key), and
`first_sent_at` taken at the claim is a little early, which only shortens the time the sweep
counts on the key. Networks without keys keep the separate write, which is what tells the two
apart for them. Each attempt is then three short write transactions (claim, the exchange log,
the result), and about two in a batch (`publish_batch` claims a batch in one transaction): on
SQLite every write transaction queues behind the others' lock, so fewer of them is what lets
many workers publish at once.

A crash between 3 and 4 leaves the variant in `publishing`; `sweep()` finds it and either
publishes again with the same key (the network gives back the first post) or, where the
network cannot tell, marks it unconfirmed for a person.

Notes written in the history are in the workspace's language: they are read by its people.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liant.channels import fetching
from liant.channels.models import Channel, Health
from liant.channels.sanitize import clean_url
from liant.connectors import registry
from liant.connectors.base import (
    Connector,
    ConnectorError,
    Draft,
    ErrorKind,
    Media,
    Problem,
    RemotePost,
    Translatable,
)
from liant.media.library import media_for
from liant.publishing import shortener, utm
from liant.publishing.models import (
    PublishingSettings,
    Transition,
    Variant,
    VariantMedia,
    move,
)
from liant.publishing.notify import tell_not_published
from liant.publishing.states import State, check
from liant.publishing.validation import text_with_link

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=30)
# Longer than one attempt can take (HttpClient: 20 s timeouts, a few retries, media polling):
# a variant claimed longer ago than this belongs to a worker that is gone.
STUCK_AFTER = timedelta(minutes=10)
# Between a decision to try again and the attempt itself; the key must still be honoured then.
RETRY_MARGIN = timedelta(minutes=5)
# A variant of a batch waits for a free thread after its claim. Past this wait (half of
# STUCK_AFTER, so the sweep cannot have taken it back yet), the claim is renewed before sending:
# a sweep that took it back meanwhile means another worker may publish it, so this one skips.
RENEW_CLAIM_AFTER = STUCK_AFTER / 2
# The periodic task runs every minute: being this late is normal, not downtime.
ON_TIME_GRACE = timedelta(minutes=2)
# Due variants are handed to workers in batches of this many; a batch publishes up to
# PARALLEL of them at once. A publish is mostly waiting for the network (tens to hundreds of
# ms), so a worker that published one variant at a time could not keep up with a busy minute
# (10,000 due posts with 4 workers), whatever the database did.
BATCH_SIZE = 25
PARALLEL = 8


@dataclass
class Outcome:
    state: str
    skipped: bool = False  # not due, or another worker has it
    error: str = ""


def due_variant_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Variant.objects.filter(state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )


def load(variant_id: int) -> Variant | None:
    # The workspace's settings come with it (late limit, UTM): no query of their own. get()
    # drops the default ordering (post, then channel name), which joined and sorted one row.
    try:
        return Variant.objects.select_related(
            "post", "post__workspace", "post__workspace__publishing_settings", "channel"
        ).get(pk=variant_id)
    except Variant.DoesNotExist:
        return None


def publish_variant(variant_id: int, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    variant = load(variant_id)
    if variant is None:
        return Outcome("", skipped=True)
    with translation.override(variant.post.workspace.language):
        return _publish(variant, now)


def publish_batch(
    variant_ids: Sequence[int], now: datetime | None = None, parallel: int = PARALLEL
) -> list[Outcome]:
    """Publish these variants, up to `parallel` at once, with the same guarantees as
    `publish_variant` for each.

    What a batch shares is the cheap part: the variants are read in one query, and claimed in
    one transaction (each by its own conditional update, with its own history row), so a copy
    of the batch handed out twice finds them taken with one read. Sending and recording stay
    per variant, each in its own transactions, in `parallel` threads: a publish is mostly
    waiting for the network."""
    now = now or timezone.now()
    wanted = list(dict.fromkeys(variant_ids))
    loaded = load_due(wanted, now)
    outcomes = [Outcome("", skipped=True) for _ in range(len(wanted) - len(loaded))]
    ready: list[Variant] = []
    for variant in loaded:
        with translation.override(variant.post.workspace.language):
            if hold_if_late(variant, now):
                outcomes.append(Outcome(variant.state))
            else:
                ready.append(variant)
    claimed = claim_many(ready, now)
    outcomes += [Outcome(State.SCHEDULED, skipped=True) for _ in range(len(ready) - len(claimed))]
    outcomes += run_side_by_side(claimed, parallel)
    return outcomes


def load_due(variant_ids: Sequence[int], now: datetime) -> list[Variant]:
    """The variants among these that are due, as `load` reads one, with their media."""
    return list(
        Variant.objects.select_related(
            "post", "post__workspace", "post__workspace__publishing_settings", "channel"
        )
        .prefetch_related(
            Prefetch("media", queryset=VariantMedia.objects.order_by("position", "id"))
        )
        .filter(pk__in=variant_ids, state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "id")
    )


def run_side_by_side(variants: list[Variant], parallel: int) -> list[Outcome]:
    """`send` each claimed variant, up to `parallel` at once, each thread on its own
    database connection (closed at the end: a worker thread does not keep one per batch)."""

    def send_one(variant: Variant) -> Outcome:
        try:
            if not still_ours(variant):
                return Outcome(variant.state, skipped=True)
            with translation.override(variant.post.workspace.language):
                return send(variant)
        except Exception:  # one variant's bug must not stop the others of the batch
            log.exception("publishing variant %s failed", variant.pk)
            return Outcome(variant.state, error="unexpected error")

    if parallel <= 1 or len(variants) <= 1:  # nothing to share: this thread, its connection
        return [send_one(variant) for variant in variants]
    todo: queue.SimpleQueue[Variant] = queue.SimpleQueue()
    for variant in variants:
        todo.put(variant)
    outcomes: list[Outcome] = []

    def work() -> None:
        try:
            while True:
                try:
                    variant = todo.get_nowait()
                except queue.Empty:
                    return
                outcomes.append(send_one(variant))  # list.append is atomic
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, name=f"publish-{n}")
        for n in range(min(parallel, len(variants)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def still_ours(variant: Variant) -> bool:
    """Whether this worker's claim on a batch variant still holds, renewing it when it is old
    enough for the sweep to take back soon (one conditional update, only then)."""
    now = timezone.now()
    if variant.claimed_at is None or now - variant.claimed_at < RENEW_CLAIM_AFTER:
        return True
    renewed = Variant.objects.filter(
        pk=variant.pk, state=State.PUBLISHING, claimed_at=variant.claimed_at
    ).update(claimed_at=now)
    if renewed:
        variant.claimed_at = now
    return renewed == 1


def batches(items: Sequence[T], size: int = BATCH_SIZE) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _publish(variant: Variant, now: datetime) -> Outcome:
    if variant.state != State.SCHEDULED or variant.due_at is None or variant.due_at > now:
        return Outcome(variant.state, skipped=True)
    if hold_if_late(variant, now):
        return Outcome(variant.state)
    if not claim(variant, now, sending=marks_sending_at_claim(variant)):
        return Outcome(variant.state, skipped=True)
    return send(variant)


def hold_if_late(variant: Variant, now: datetime) -> bool:
    """Overdue by more than the workspace allows (the workers were down): a person decides.
    True when the variant is not to be published now (held, by this call or another)."""
    assert variant.due_at is not None
    late_by = now - variant.due_at
    allowed = max(PublishingSettings.of_workspace(variant.post.workspace).late_limit, ON_TIME_GRACE)
    if late_by <= allowed:
        return False
    why = Problem(
        gettext_noop("Overdue by %(minutes)d min (the workspace allows %(allowed)d); held."),
        minutes=int(late_by.total_seconds() // 60),
        allowed=int(allowed.total_seconds() // 60),
    )
    held = move(
        variant,
        State.HELD,
        note=why.message,
        where=Q(due_at=variant.due_at),
        last_error=why.message,
        last_error_detail=why.detail(),
        last_error_kind="late",
    )
    if held:
        tell_later(variant)
    return True


def connected(channel: Channel) -> bool:
    return channel.health not in (Health.AUTH_EXPIRED, Health.DISCONNECTED)


def marks_sending_at_claim(variant: Variant) -> bool:
    return connected(variant.channel) and honours_keys(variant)


def send(variant: Variant) -> Outcome:
    """Steps 2 to 4 for a variant this worker has claimed."""
    channel = variant.channel
    if not connected(channel):
        fail(
            variant,
            Problem(
                gettext_noop(
                    "%(channel)s is not connected (%(health)s): reconnect it, then publish again."
                ),
                channel=channel.name,
                health=_health(channel),
            ),
            ErrorKind.AUTH_EXPIRED,
        )
        return Outcome(variant.state, error=variant.last_error)
    mark_sending(variant)
    try:
        remote = call_network(variant)
    except ConnectorError as exc:
        handle_error(variant, exc)
        return Outcome(variant.state, error=exc.message)
    except Exception as exc:  # a connector bug: the post may or may not have gone out
        log.exception("publishing variant %s failed", variant.pk)
        error = ConnectorError(f"{type(exc).__name__}: {exc}", ErrorKind.TRANSIENT)
        handle_error(variant, error)
        return Outcome(variant.state, error=error.message)
    record_published(variant, remote)
    return Outcome(variant.state)


def claim(variant: Variant, now: datetime, sending: bool = False) -> bool:
    """Take the variant for this worker; with `sending`, it is marked as being sent too
    (only for networks that honour the key: see the module's docstring)."""
    # The attempts seen are part of the condition, so the count is written as a value and
    # needs no read-back: a worker that saw an older count loses the claim, as it should.
    return move(
        variant,
        State.PUBLISHING,
        where=Q(due_at__lte=now, attempts=variant.attempts),
        **claim_updates(variant, now, sending),
    )


def claim_updates(variant: Variant, now: datetime, sending: bool) -> dict[str, Any]:
    updates: dict[str, Any] = {
        "claimed_at": now,
        "attempts": variant.attempts + 1,
        "sending_at": None,
    }
    if sending:
        updates |= {"sending_at": now, "first_sent_at": variant.first_sent_at or now}
    return updates


def claim_many(variants: list[Variant], now: datetime) -> list[Variant]:
    """`claim` for several variants in one transaction: the same conditional update for
    each (two workers never both win one), the same history rows, one commit. Returns the
    variants this worker won."""
    if not variants:
        return []
    check(State.SCHEDULED, State.PUBLISHING)
    won: list[tuple[Variant, dict[str, Any]]] = []
    with transaction.atomic():
        for variant in variants:
            updates = claim_updates(variant, now, marks_sending_at_claim(variant))
            taken = Variant.objects.filter(
                pk=variant.pk, state=State.SCHEDULED, due_at__lte=now, attempts=variant.attempts
            ).update(state=State.PUBLISHING, **updates)
            if taken == 1:
                won.append((variant, updates))
        Transition.objects.bulk_create(
            Transition(
                post_id=variant.post_id,
                variant=variant,
                from_state=State.SCHEDULED,
                to_state=State.PUBLISHING,
            )
            for variant, _updates in won
        )
    for variant, updates in won:
        variant.state = State.PUBLISHING
        for name, value in updates.items():
            setattr(variant, name, value)
    return [variant for variant, _updates in won]


def honours_keys(variant: Variant) -> bool:
    return idempotency_window(variant) > 0


def idempotency_window(variant: Variant) -> float:
    """How long (seconds) the variant's network recognises its key; 0: not at all."""
    try:
        return float(registry.connector_class(variant.channel.kind).publish_idempotency_window)
    except LookupError:  # a network removed from this installation: assume no key
        return 0.0


def mark_sending(variant: Variant) -> None:
    if variant.sending_at is not None:
        return  # marked with the claim
    now = timezone.now()
    variant.sending_at = now
    variant.first_sent_at = variant.first_sent_at or now
    Variant.objects.filter(pk=variant.pk).update(
        sending_at=variant.sending_at, first_sent_at=variant.first_sent_at
    )


def link_of(variant: Variant) -> str:
    """The variant's link as it goes out: with the campaign's UTM parameters, then shortened
    where the workspace asks for it (the same short link on every attempt: the shortener is
    idempotent per variant). Worked out once per loaded variant: every part asks for it."""
    known = variant.__dict__.get("_outgoing_link")
    if known is not None:
        return str(known)
    link = utm.link_for(variant.post, variant.link, variant.channel.kind)
    if link:
        service = shortener.shortener_of(PublishingSettings.of_workspace(variant.post.workspace))
        if service is not None:
            link = service.shorten(link, variant)
    variant.__dict__["_outgoing_link"] = link
    return link


def parts_of(variant: Variant) -> list[str]:
    """The texts to publish, in order: the post, then its follow-ups (thread, first comment)."""
    follow_ups = [str(text).strip() for text in variant.thread if str(text).strip()]
    link = link_of(variant)
    text = utm.tagged_text(variant.text, variant.link, link)
    return [text_with_link(text, link), *follow_ups]


def part_key(variant: Variant, index: int) -> str:
    """Each part has its own key, made from the variant's, so each is deduplicated alone."""
    return variant.idempotency_key if index == 0 else f"{variant.idempotency_key}-{index}"


def media_of(variant: Variant) -> list[Media]:
    """The variant's files, read now: they go with the post (the first part), not the follow-ups."""
    if "media" in getattr(variant, "_prefetched_objects_cache", {}):
        items = list(variant.media.all())  # read with the batch, in this order (load_due)
    else:
        # Ordered here: the default ordering goes through the variant and its post (joins).
        items = list(variant.media.order_by("position", "id"))
    return [
        media_for(item, variant)  # from the library: the network's rendition, not the original
        if item.library_item_id
        else Media(
            content_type=item.content_type,
            data=item.read(),
            alt_text=item.alt_text,
            filename=str(item),
        )
        for item in items
    ]


def draft_of(variant: Variant, index: int = 0, reply_to: str = "") -> Draft:
    return Draft(
        text=parts_of(variant)[index],
        media=media_of(variant) if index == 0 else [],
        link=link_of(variant) if index == 0 else "",
        content_warning=variant.content_warning,
        reply_to=reply_to,
        idempotency_key=part_key(variant, index),
        extras=dict(variant.extras),
    )


def call_network(variant: Variant) -> RemotePost:
    """Publish every part not yet out; returns the post (the first part)."""
    parts = parts_of(variant)
    out = list(variant.parts_out)
    first = RemotePost(variant.remote_id, variant.remote_url) if out else None
    for index in range(len(out), len(parts)):
        remote = fetching.with_fresh_credentials(
            variant.channel, publish_with(draft_of(variant, index, reply_to=out[-1] if out else ""))
        )
        first = first or remote
        out.append(remote.remote_id)
        if index < len(parts) - 1:
            record_part(variant, out, first)
    assert first is not None
    variant.parts_out = out  # stored with the published state, in one transaction
    return first


def publish_with(draft: Draft) -> Callable[[Connector], RemotePost]:
    return lambda connector: connector.publish(draft)


def record_part(variant: Variant, out: list[str], first: RemotePost) -> None:
    """A part of a thread is out: keep it now, before the next part is sent."""
    variant.parts_out = list(out)
    variant.remote_id, variant.remote_url = first.remote_id[:500], clean_url(first.url)[:1000]
    # claimed_at moves on too: a long thread is a live worker, not a stuck one.
    Variant.objects.filter(pk=variant.pk, state=State.PUBLISHING).update(
        parts_out=variant.parts_out,
        remote_id=variant.remote_id,
        remote_url=variant.remote_url,
        claimed_at=timezone.now(),
    )


def record_published(variant: Variant, remote: RemotePost) -> None:
    fields = {
        "remote_id": remote.remote_id[:500],
        "remote_url": clean_url(remote.url)[:1000],  # the network's word, made a link
        "parts_out": variant.parts_out,
        "published_at": remote.published_at or timezone.now(),
        "claimed_at": None,
        "last_error": "",
        "last_error_detail": {},
        "last_error_kind": "",
    }
    note = remote.url or remote.remote_id
    with transaction.atomic():
        moved = move(variant, State.PUBLISHED, note=note, **fields)
        if not moved:
            # Slower than STUCK_AFTER: a sweep took the variant back meanwhile (to try again,
            # or to ask a person). The network's answer settles it: it is out.
            current = Variant.objects.select_related("post").get(pk=variant.pk)
            if current.state in (State.UNCONFIRMED, State.SCHEDULED):
                moved = move(current, State.PUBLISHED, note=note, **fields)
                variant.post = current.post
        if moved:
            variant.post.settle()
    if not moved:
        log.error("variant %s was published as %s but changed meanwhile", variant.pk, remote)


def still_honoured(variant: Variant, at: datetime) -> bool:
    """Will the network still recognise the variant's key at `at`?"""
    if variant.first_sent_at is None:
        return True  # never sent: nothing to recognise, nothing to double
    return (at - variant.first_sent_at).total_seconds() < idempotency_window(variant)


def handle_error(variant: Variant, exc: ConnectorError) -> None:
    channel = variant.channel
    if exc.kind is ErrorKind.AUTH_EXPIRED:
        # The channel is marked and its owners told exactly as when fetching finds it.
        with transaction.atomic():
            Channel.objects.filter(pk=channel.pk).update(
                **fetching.failure_update(channel, exc, timezone.now())
            )
            fail(variant, exc, exc.kind)
        return
    if exc.kind is ErrorKind.PERMANENT:
        fail(variant, exc, exc.kind)
        return
    if variant.attempts >= MAX_ATTEMPTS:
        fail(
            variant,
            Problem(
                gettext_noop("%(error)s (gave up after %(attempts)d attempts)"),
                error=exc,
                attempts=variant.attempts,
            ),
            exc.kind,
        )
        return
    wait = FIRST_BACKOFF * 2 ** (variant.attempts - 1)
    if exc.retry_after:
        wait = max(wait, timedelta(seconds=exc.retry_after))
    retry_at = timezone.now() + min(wait, MAX_BACKOFF)
    # A refusal (rate limit, or a request that never left) is always safe to try again; a
    # failure after sending only while the network still recognises the key.
    sent_maybe = exc.kind is ErrorKind.TRANSIENT and exc.status != -1
    if sent_maybe and not still_honoured(variant, retry_at + RETRY_MARGIN):
        unconfirm(
            variant,
            Problem(
                gettext_noop(
                    "%(error)s The network may have received the post and cannot say; check "
                    "the channel, then confirm it or publish again."
                ),
                error=exc,
            ),
            exc.kind,
        )
        return
    move(
        variant,
        State.SCHEDULED,
        note=_("%(error)s Next attempt in %(seconds)d s.")
        % {"error": exc.message, "seconds": (retry_at - timezone.now()).total_seconds()},
        due_at=retry_at,
        claimed_at=None,
        sending_at=None,
        last_error=exc.message,
        last_error_detail=exc.detail(),
        last_error_kind=str(exc.kind),
    )


def tell_later(variant: Variant) -> None:
    """Once the change is committed, tell the people of the post that it did not go out."""
    variant_id = variant.pk
    transaction.on_commit(lambda: tell_not_published(variant_id))


def fail(variant: Variant, why: Translatable, kind: str = ErrorKind.PERMANENT) -> None:
    if move(
        variant,
        State.FAILED,
        note=why.message,
        claimed_at=None,
        last_error=why.message,
        last_error_detail=why.detail(),
        last_error_kind=str(kind),
    ):
        tell_later(variant)


def unconfirm(variant: Variant, why: Translatable, kind: str = "") -> None:
    if move(
        variant,
        State.UNCONFIRMED,
        note=why.message,
        claimed_at=None,
        last_error=why.message,
        last_error_detail=why.detail(),
        last_error_kind=str(kind),
    ):
        tell_later(variant)


# --- The sweep: what a dead worker left behind -----------------------------------------------


STOPPED = Problem(gettext_noop("Stopped while publishing; not confirmed."))


def _health(channel: Channel) -> Problem:
    """The channel's state as its untranslated label, so each reader gets it in their language."""
    with translation.override(None):
        return Problem(str(channel.get_health_display()))


def stuck_variants(now: datetime) -> list[Variant]:
    return list(
        Variant.objects.select_related("post", "post__workspace", "channel").filter(
            state=State.PUBLISHING, claimed_at__lt=now - STUCK_AFTER
        )
    )


def sweep(now: datetime | None = None) -> int:
    """Resolve variants stuck in `publishing`, without posting twice. Returns how many."""
    now = now or timezone.now()
    resolved = 0
    for variant in stuck_variants(now):
        with translation.override(variant.post.workspace.language):
            resolved += int(resolve_stuck(variant, now))
    return resolved


def resolve_stuck(variant: Variant, now: datetime) -> bool:
    # Only a sweep that still sees the same claim acts on it.
    same_claim = Q(claimed_at=variant.claimed_at)
    if variant.sending_at is None:
        return move(
            variant,
            State.SCHEDULED,
            where=same_claim,
            note=_("The worker stopped before calling the network; trying again."),
            due_at=now,
            claimed_at=None,
        )
    if still_honoured(variant, now + RETRY_MARGIN):
        return move(
            variant,
            State.SCHEDULED,
            where=same_claim,
            note=_(
                "The worker stopped while publishing; trying again with the same key, which "
                "the network answers with the first post if it already has it."
            ),
            due_at=now,
            claimed_at=None,
            sending_at=None,
        )
    if not move(
        variant,
        State.UNCONFIRMED,
        where=same_claim,
        note=_(
            "The worker stopped while publishing and the network cannot tell whether the post "
            "arrived; check the channel, then confirm it or publish again."
        ),
        claimed_at=None,
        last_error=STOPPED.message,
        last_error_detail=STOPPED.detail(),
        last_error_kind="unconfirmed",
    ):
        return False
    tell_later(variant)
    return True


# --- What people do --------------------------------------------------------------------------


def schedule(variant: Variant, at: datetime, actor: object = None) -> bool:
    return move(variant, State.SCHEDULED, actor=actor, scheduled_at=at, due_at=at)


def retry(variant: Variant, actor: object = None) -> bool:
    """A failed, held or unconfirmed variant goes out now, with the same key."""
    return move(
        variant,
        State.SCHEDULED,
        actor=actor,
        note=_("Publish again, asked by a person."),
        due_at=timezone.now(),
        attempts=0,
        claimed_at=None,
        sending_at=None,
    )


def confirm_published(variant: Variant, actor: object, url: str = "") -> bool:
    """A person saw the unconfirmed post on the network."""
    with transaction.atomic():
        done = move(
            variant,
            State.PUBLISHED,
            actor=actor,
            note=_("Confirmed by a person."),
            remote_url=url[:1000],
            published_at=timezone.now(),
            last_error="",
            last_error_detail={},
            last_error_kind="",
        )
        if done:
            variant.post.settle(actor)
    return done
