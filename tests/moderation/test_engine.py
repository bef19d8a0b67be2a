"""The rules in the worker: judged as soon as the channels store events, acted on through the
connector where the network allows it, flagged for a person with the reason otherwise, and
every action logged with the rule, the article and the exact text."""

from __future__ import annotations

import pytest

from liant.channels.fetching import store_events
from liant.connectors.base import Author, EventKind, FetchResult
from liant.connectors.base import Event as NetworkEvent
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Item, ItemState, LogEntry, Outcome, Reason
from tests.moderation.conftest import WHEN, rule, store

pytestmark = pytest.mark.django_db


def test_rules_run_as_soon_as_the_channels_store_events(
    workspace, channel, django_capture_on_commit_callbacks
):
    rule(workspace, words="connard", action=Action.HOLD, severity=3)
    fetched = FetchResult(
        [
            NetworkEvent(
                EventKind.COMMENT, "c1", Author("u1", "@bob"), WHEN, text="T'es un c0nnard"
            ),
            NetworkEvent(EventKind.COMMENT, "c2", Author("u2", "@amy"), WHEN, text="Merci !"),
        ],
        cursor={},
    )
    with django_capture_on_commit_callbacks(execute=True):
        store_events(channel, fetched)
    item = Item.objects.get()
    assert (item.event.remote_id, item.state, item.reason) == ("c1", ItemState.QUEUED, Reason.HELD)
    assert "connard" in item.why


def test_an_action_the_network_cannot_take_is_flagged_with_the_reason(workspace, channel, charter):
    insult = rule(workspace, words="connard", action=Action.DELETE, severity=3, article=1)
    event = store(channel, "Espèce de connard")
    moderate_new_events(workspace)
    item = Item.objects.get(event=event)
    assert item.state == ItemState.QUEUED and item.reason == Reason.NOT_APPLIED
    assert "no way to moderate" in item.why
    entry = LogEntry.objects.get()
    assert (entry.rule, entry.article, entry.outcome) == (insult, 1, Outcome.NOT_APPLIED)
    assert entry.text == "Espèce de connard" and entry.charter == charter


def test_each_event_is_judged_once(workspace, channel):
    rule(workspace, words="connard", action=Action.HOLD)
    store(channel, "connard")
    moderate_new_events(workspace)
    moderate_new_events(workspace)
    assert Item.objects.count() == 1


def test_heated_criticism_is_left_alone_and_an_insult_is_flagged_without_any_rule(
    workspace, channel
):
    store(channel, "Votre service client est une catastrophe, c'est du foutage de gueule")
    insult = store(channel, "Ta gueule, espèce de connard")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert item.event == insult and item.reason == Reason.FLAGGED
    assert LogEntry.objects.count() == 0  # the classifiers only ask; they never act


def test_an_allow_rule_wins(workspace, channel):
    rule(workspace, words="connard", action=Action.DELETE)
    rule(workspace, words="le connard du film", action=Action.ALLOW)
    store(channel, "J'ai revu Le connard du film hier, quel rôle")
    moderate_new_events(workspace)
    assert not Item.objects.exists()


def test_the_highest_severity_decides_and_every_matching_rule_is_kept(workspace, channel):
    low = rule(workspace, words="promo", action=Action.LABEL, label="pub", severity=1)
    high = rule(workspace, min_links=1, words="promo", action=Action.HOLD, severity=3)
    store(channel, "Grosse promo https://shop.example")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert item.rule == high and set(item.matched_rules) == {low.pk, high.pk}


def test_a_spam_wave_is_caught_from_the_third_copy(workspace, channel):
    rule(workspace, wave_size=3, action=Action.HOLD, severity=2)
    texts = [
        "Gagnez un iPhone 16 en cliquant sur mon profil, offre limitée !",
        "Gagnez un iPhone 16 en cliquant sur mon profil, offre limitée !!",
        "gagnez un iphone 16 en cliquant sur mon profil, offre limitee",
    ]
    for n, text in enumerate(texts):
        store(channel, text, author=f"bot{n}", minutes=n)
    store(channel, "Quelqu'un a testé le nouveau moulin ?", author="amy", minutes=4)
    moderate_new_events(workspace)
    assert [i.event.author_remote_id for i in Item.objects.all()] == ["bot2"]


def test_new_members_with_links_are_held(workspace, channel):
    rule(workspace, new_member_days=1, min_links=1, action=Action.HOLD)
    store(channel, "Bonjour à tous", author="old", minutes=-60 * 24 * 10)
    store(channel, "Mon site https://old.example", author="old")
    store(channel, "Mon site https://new.example", author="new")
    moderate_new_events(workspace)
    assert [i.author_remote_id for i in Item.objects.all()] == ["new"]


def test_a_pattern_that_runs_out_of_time_holds_the_message_for_a_person(workspace, channel):
    rule(workspace, pattern=r"(a|aa)+$", action=Action.DELETE)
    store(channel, "a" * 60 + "b")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert item.reason == Reason.HELD and "ran out of time" in item.why
    assert not LogEntry.objects.exists()  # nothing was deleted on a guess


def test_a_one_megabyte_message_is_judged(workspace, channel):
    rule(workspace, words="connard", action=Action.HOLD)
    store(channel, "bla " * 250_000 + "connard")
    moderate_new_events(workspace)
    assert Item.objects.get().reason == Reason.HELD


def test_a_label_rule_records_without_queueing(workspace, channel):
    rule(workspace, words="recette", action=Action.LABEL, label="cuisine")
    store(channel, "Votre recette de cookies ?")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert (item.state, item.label) == (ItemState.DONE, "cuisine")
    assert LogEntry.objects.get().outcome == Outcome.RECORDED


def test_events_stored_long_ago_are_left_to_the_dry_run(workspace, channel):
    from datetime import timedelta

    from django.utils import timezone

    rule(workspace, words="connard", action=Action.DELETE)
    store(channel, "Vieux connard", fetched_at=timezone.now() - timedelta(days=40))
    fresh = store(channel, "Nouveau connard")
    moderate_new_events(workspace)
    assert [i.event for i in Item.objects.all()] == [fresh]


def test_an_event_committed_late_below_the_cursor_is_still_judged_once(workspace, channel):
    """PostgreSQL hands ids out at insert: a slower fetch may commit a lower id after the
    judging has moved past it."""
    rule(workspace, words="connard", action=Action.HOLD)
    slow = store(channel, "espèce de connard")
    store(channel, "bonjour à tous")
    slow_pk = slow.pk
    slow.delete()  # not committed yet when the worker judges
    moderate_new_events(workspace)
    assert not Item.objects.exists()
    slow.pk = slow_pk
    slow.save(force_insert=True)  # ... and now it is
    moderate_new_events(workspace)
    moderate_new_events(workspace)
    assert Item.objects.get().event_id == slow_pk


def test_why_a_message_was_held_reads_in_the_readers_language(workspace, channel):
    from django.utils import translation

    from liant.connectors.base import render_detail

    rule(workspace, words="connard", action=Action.HOLD, new_member_days=7)
    store(channel, "espèce de connard")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert item.why == "watched words: connard; new member"  # the English, for the log
    with translation.override("fr"):
        assert render_detail(item.why_detail, item.why) == (
            "mots surveillés : connard; nouveau membre"
        )
