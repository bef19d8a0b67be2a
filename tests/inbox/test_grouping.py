from __future__ import annotations

import pytest

from liant.channels import fetching
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import FetchResult
from liant.inbox import grouping
from liant.inbox.models import Conversation, Cursor, Direction, Message, Status
from tests.channels import fakes as channel_fakes
from tests.inbox.conftest import stored

pytestmark = pytest.mark.django_db


def test_comments_of_one_thread_make_one_conversation_and_a_person_s_dms_another(channel):
    stored(channel, "Quand revient le Guji ?", thread="post-1", author="ana")
    stored(channel, "Moi aussi je l'attends", thread="post-1", author="bob")
    stored(channel, "Bonjour, ma commande 1042 ?", kind="direct_message", author="ana")
    stored(channel, "Toujours rien reçu…", kind="direct_message", author="ana")
    grouping.group_all()
    thread = Conversation.objects.get(key="thread:post-1")
    dms = Conversation.objects.get(key="person:ana")
    assert thread.messages.count() == 2
    assert dms.messages.count() == 2
    assert Conversation.objects.count() == 2


def test_reactions_follows_and_posts_need_no_answer(channel):
    stored(channel, "", kind="reaction")
    stored(channel, "", kind="follow")
    stored(channel, "Our own post", kind="post")
    assert grouping.group_all() == 0
    assert not Conversation.objects.exists()


def test_running_twice_adds_nothing(channel):
    stored(channel, "Une question sur le moulin", thread="p")
    assert grouping.group_all() == 1
    assert grouping.group_all() == 0
    # Even with the cursor lost, an event already grouped is not grouped again.
    Cursor.objects.update(last_event_id=0)
    assert grouping.group_all() == 0
    assert Message.objects.count() == 1


def test_each_message_keeps_its_language_and_sentiment(channel):
    stored(channel, "Je suis très déçue, le café était froid et la livraison en retard.")
    stored(channel, "I absolutely love your new roast, thank you so much!")
    grouping.group_all()
    fr = Message.objects.get(text__startswith="Je suis")
    en = Message.objects.get(text__startswith="I absolutely")
    assert (fr.language, fr.sentiment) == ("fr", "negative")
    assert (en.language, en.sentiment) == ("en", "positive")
    assert Conversation.objects.get(pk=en.conversation_id).sentiment == "positive"


def test_newest_activity_first_and_a_new_message_reopens_a_closed_conversation(channel):
    stored(channel, "first thread", thread="a", minutes=1)
    stored(channel, "second thread", thread="b", minutes=2)
    grouping.group_all()
    assert [c.key for c in Conversation.objects.all()] == ["thread:b", "thread:a"]
    Conversation.objects.filter(key="thread:a").update(status=Status.CLOSED, awaiting_reply=False)
    stored(channel, "back on the first", thread="a", minutes=3)
    grouping.group_all()
    first = Conversation.objects.get(key="thread:a")
    assert first.status == Status.OPEN and first.awaiting_reply
    assert [c.key for c in Conversation.objects.all()] == ["thread:a", "thread:b"]


def test_our_own_replies_read_back_from_the_network_are_not_questions(channel):
    conversation = Conversation.objects.create(
        workspace=channel.workspace, channel=channel, key="thread:x"
    )
    Message.objects.create(
        workspace=channel.workspace,
        conversation=conversation,
        direction=Direction.OUT,
        remote_id="our-reply",
        state="sent",
    )
    stored(channel, "Merci pour votre message", remote_id="our-reply", thread="x")
    mail = Channel.objects.create(
        workspace=channel.workspace,
        kind="scripted_reply",
        name="Mail",
        settings={"address": "support@brand.example"},
    )
    stored(mail, "Sent from Liant", kind="direct_message", author="support@brand.example")
    assert grouping.group_all() == 0


def test_workspaces_are_grouped_apart(channel, other_channel):
    stored(channel, "chez nous", thread="same")
    stored(other_channel, "chez eux", thread="same")
    grouping.group_all()
    assert Conversation.objects.filter(workspace=channel.workspace).count() == 1
    assert Conversation.objects.filter(workspace=other_channel.workspace).count() == 1


def test_a_fetch_that_stores_mentions_groups_them_at_once(
    workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(
        registry.KINDS, "scripted", ("Scripted", "tests.channels.fakes.ScriptedConnector")
    )
    registry.connector_class.cache_clear()
    channel_fakes.ScriptedConnector.script = [
        FetchResult([channel_fakes.event(1, "Vous livrez à Lyon ?")], {"n": 1})
    ]
    channel = Channel.objects.create(workspace=workspace, kind="scripted", name="Net")
    # The readers are told once the events are committed, as in the worker.
    with django_capture_on_commit_callbacks(execute=True):
        outcome = fetching.fetch_channel(channel.pk)
    assert outcome.stored == 1
    assert Message.objects.get().text == "Vous livrez à Lyon ?"


def test_an_event_committed_late_below_the_cursor_is_still_grouped(channel):
    """PostgreSQL hands ids out at insert time: a slower fetch may commit a lower id after
    the grouping has moved past it."""
    slow = stored(channel, "Je suis arrivé en retard", thread="slow")
    stored(channel, "Moi d'abord", thread="fast")
    slow_pk = slow.pk
    slow.delete()  # not committed yet when the grouping runs
    grouping.group_all()
    assert Cursor.objects.get().last_event_id > slow_pk
    slow.pk = slow_pk
    slow.save(force_insert=True)  # ... and now it is
    assert grouping.group_all() == 1
    assert grouping.group_all() == 0
    assert Conversation.objects.filter(key="thread:slow").exists()


def test_the_minute_task_groups_wakes_records_and_sweeps(channel):
    from datetime import timedelta

    from django.utils import timezone

    from liant.inbox import tasks

    stored(channel, "Bonjour", thread="t")
    Conversation.objects.create(
        workspace=channel.workspace,
        channel=channel,
        key="thread:sleepy",
        status=Status.SNOOZED,
        snoozed_until=timezone.now() - timedelta(minutes=1),
    )
    result = tasks.inbox_minute.call_local()
    assert result["added"] == 1 and result["woken"] == 1
    assert tasks.inbox_minute.call_local()["added"] == 0
