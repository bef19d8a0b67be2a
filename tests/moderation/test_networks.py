"""Rules and decisions acting on the networks: a real Matrix homeserver (redact, kick, ban,
warn by direct message) and Mastodon's replayed payloads (what its API allows, and what it
refuses, which goes to a person with Mastodon's reason)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from liant.channels import fetching
from liant.channels.models import Channel, ChannelRecorder, Event
from liant.connectors.http import HttpClient
from liant.moderation import queue
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Decision, Item, ItemState, LogEntry, Outcome, Reason
from tests.connectors.mastodon.conftest import OUR_ACCOUNT, TOKEN, FakeInstance, error
from tests.connectors.matrix.conftest import Room
from tests.moderation.conftest import rule

pytestmark = pytest.mark.django_db


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


def said(room: Room, channel: Channel, text: str) -> Event:
    """The member says it in the room; the channel stores it as a fetch would."""
    event_id = room.member_says(text)
    return Event.objects.create(
        workspace=channel.workspace,
        channel=channel,
        kind="comment",
        remote_id=f"{room.room_id}|{event_id}",
        author_remote_id=room.member["user_id"],
        text=text,
        occurred_at=timezone.now(),
    )


def on_server(room: Room, event: Event) -> dict:
    event_id = event.remote_id.split("|", 1)[1]
    return room.member_client._call(
        "GET", f"/_matrix/client/v3/rooms/{room.room_id}/event/{event_id}"
    )


def membership(room: Room) -> str:
    state = room.brand_connector()._call(
        "GET",
        f"/_matrix/client/v3/rooms/{room.room_id}/state/m.room.member/{room.member['user_id']}",
    )
    return state["membership"]


def test_a_delete_rule_redacts_the_message_on_the_homeserver(
    workspace, room, matrix_channel, charter
):
    rule(workspace, words="connard", action=Action.DELETE, severity=3, article=1)
    insult = said(room, matrix_channel, "Espèce de c0nnard")
    kept = said(room, matrix_channel, "Votre service est lent, c'est agaçant")
    moderate_new_events(workspace)
    assert on_server(room, insult)["content"] == {}
    assert on_server(room, kept)["content"]["body"] == "Votre service est lent, c'est agaçant"
    entry = LogEntry.objects.get()
    assert (entry.action, entry.outcome, entry.article) == ("delete", Outcome.APPLIED, 1)
    assert entry.text == "Espèce de c0nnard"
    assert Item.objects.get().state == ItemState.DONE


def test_a_ban_rule_bans_the_author_from_the_room(workspace, room, matrix_channel):
    rule(workspace, min_spam=0.8, action=Action.BAN, severity=4)
    said(room, matrix_channel, "Gagnez 500€ par jour !!! Cliquez ici https://bit.ly/argent")
    moderate_new_events(workspace)
    assert membership(room) == "ban"


def test_a_mute_rule_matrix_cannot_carry_goes_to_a_person_with_the_reason(
    workspace, room, matrix_channel
):
    rule(workspace, words="idiot", action=Action.MUTE)
    said(room, matrix_channel, "You idiot")
    moderate_new_events(workspace)
    item = Item.objects.get()
    assert (item.state, item.reason) == (ItemState.QUEUED, Reason.NOT_APPLIED)
    assert "no 'mute'" in item.why


def test_a_warning_cites_the_article_in_a_direct_message(workspace, room, matrix_channel, charter):
    rule(
        workspace, all_caps=True, action=Action.WARN, article=1, warning="Voir l'article {article}."
    )
    said(room, matrix_channel, "POURQUOI PERSONNE NE RÉPOND JAMAIS ICI")
    moderate_new_events(workspace)
    entry = LogEntry.objects.get()
    assert entry.outcome == Outcome.APPLIED
    assert entry.sent == "Voir l'article 1. Respect."
    invites = room.member_client._call("GET", "/_matrix/client/v3/sync", params={"timeout": 0})
    assert invites["rooms"]["invite"]  # the brand opened a private room with the member


def test_a_moderators_removal_waits_for_the_undo_window_then_redacts(
    workspace, owner, room, matrix_channel
):
    rule(workspace, words="nul", action=Action.HOLD)
    held = said(room, matrix_channel, "Ce forum est nul et vous aussi")
    moderate_new_events(workspace)
    item = Item.objects.get()
    now = timezone.now()
    entry = queue.decide(item, Decision.REMOVE, owner, now)
    assert queue.send(entry.pk, now) is None  # still inside the undo window
    assert on_server(room, held)["content"]["body"]
    assert queue.send_due(now + timedelta(seconds=queue.UNDO_SECONDS + 1)) == 1
    assert on_server(room, held)["content"] == {}
    entry.refresh_from_db()
    assert entry.outcome == Outcome.APPLIED and entry.actor == owner


def test_an_undone_decision_never_reaches_the_homeserver(workspace, owner, room, matrix_channel):
    rule(workspace, words="nul", action=Action.HOLD)
    held = said(room, matrix_channel, "C'est nul")
    moderate_new_events(workspace)
    item = Item.objects.get()
    now = timezone.now()
    entry = queue.decide(item, Decision.BAN, owner, now)
    assert queue.undo(entry, now + timedelta(seconds=5))
    assert queue.send_due(now + timedelta(minutes=5)) == 0
    assert on_server(room, held)["content"]["body"] == "C'est nul"
    assert membership(room) == "join"
    item.refresh_from_db()
    assert item.state == ItemState.QUEUED
    assert not queue.undo(entry, now)  # once undone, nothing left to undo


# --- Mastodon, replayed -----------------------------------------------------------------------


@pytest.fixture
def instance(monkeypatch) -> FakeInstance:
    fake = FakeInstance()
    real = fetching.connector_for

    def connector_for(channel: Channel, http=None):
        http = HttpClient(
            ChannelRecorder(channel), transport=fake.transport(), sleep=lambda s: None,
            check_urls=False,
        )  # fmt: skip
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


def mention_saying(instance: FakeInstance, text: str) -> str:
    """Mastodon's documented mention notification, its status saying `text`."""
    notification = copy.deepcopy(next(n for n in instance.notifications if n["type"] == "mention"))
    notification["status"]["content"] = f"<p>{text}</p>"
    instance.notifications = [notification]
    instance.conversations = []
    return notification["account"]["id"]


def test_mastodon_mute_goes_to_the_authors_account(
    workspace, instance, mastodon_channel, django_capture_on_commit_callbacks
):
    rule(workspace, words="idiot", action=Action.MUTE)
    author = mention_saying(instance, "@maisonlumiere you idiot")
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(mastodon_channel.pk)
    assert len(instance.sent("POST", f"/api/v1/accounts/{author}/mute")) == 1
    entry = LogEntry.objects.get()
    assert entry.outcome == Outcome.APPLIED and entry.mute_until is not None


def test_mastodon_ban_becomes_a_block_of_the_author(
    workspace, instance, mastodon_channel, django_capture_on_commit_callbacks
):
    rule(workspace, words="connard", action=Action.BAN)
    author = mention_saying(instance, "@maisonlumiere espèce de connard")
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(mastodon_channel.pk)
    assert len(instance.sent("POST", f"/api/v1/accounts/{author}/block")) == 1


def test_deleting_someone_elses_mastodon_status_goes_to_a_person_with_mastodons_reason(
    workspace, instance, mastodon_channel, django_capture_on_commit_callbacks
):
    rule(workspace, words="connard", action=Action.DELETE)
    mention_saying(instance, "@maisonlumiere espèce de connard")
    # What Mastodon answers an account deleting a status that is not its own.
    instance.script("DELETE", r"/api/v1/statuses/(\d+)", error(404, "error_not_found.json"))
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch_channel(mastodon_channel.pk)
    item = Item.objects.get()
    assert (item.state, item.reason) == (ItemState.QUEUED, Reason.NOT_APPLIED)
    assert "deletes only the account's own statuses" in item.why
