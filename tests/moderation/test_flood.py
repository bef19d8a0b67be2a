"""Flood control: more than N messages within M minutes by the same author, on any channel of
the workspace, counted from the stored events in one query per batch."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liant.channels.models import Channel
from liant.moderation.engine import judge, moderate_new_events
from liant.moderation.models import Action, Item, Rule
from tests.moderation.conftest import rule, store

pytestmark = pytest.mark.django_db


def test_the_fourth_message_in_two_minutes_matches_across_channels(workspace, channel):
    other = Channel.objects.create(workspace=workspace, kind="feed", name="Le blog")
    rule(workspace, rate_messages=3, rate_minutes=2, action=Action.HOLD)
    store(channel, "un", author="amy", minutes=0)
    store(other, "deux", author="amy", minutes=0)
    store(channel, "trois", author="amy", minutes=1)
    store(other, "quatre", author="amy", minutes=1)  # 4 within 2 minutes: matches
    store(channel, "cinq", author="amy", minutes=4)  # the window moved on: 1 within 2 minutes
    store(channel, "a", author="bob", minutes=1)
    moderate_new_events(workspace)
    held = list(Item.objects.values_list("text", flat=True))
    assert held == ["quatre"]
    assert "4 messages within 2 minutes" in Item.objects.get().why


def test_messages_judged_in_an_earlier_batch_count(workspace, channel):
    rule(workspace, rate_messages=2, rate_minutes=10, action=Action.HOLD)
    store(channel, "un", author="amy", minutes=0)
    store(channel, "deux", author="amy", minutes=1)
    moderate_new_events(workspace)
    assert not Item.objects.exists()
    store(channel, "trois", author="amy", minutes=2)
    moderate_new_events(workspace)
    assert list(Item.objects.values_list("text", flat=True)) == ["trois"]


def test_the_counts_cost_one_query_whatever_the_number_of_messages(workspace, channel):
    flood = rule(workspace, rate_messages=5, rate_minutes=1)
    events = [store(channel, f"m{i}", author=f"a{i % 7}", minutes=i % 3) for i in range(200)]
    with CaptureQueriesContext(connection) as few:
        judge(workspace, events[:20], [flood])
    with CaptureQueriesContext(connection) as many:
        judge(workspace, events, [flood])
    assert len(many) == len(few)


def test_flood_control_needs_both_numbers():
    with pytest.raises(ValidationError):
        Rule(name="x", rate_messages=3).clean()
    Rule(name="x", rate_messages=3, rate_minutes=1).clean()
