"""A new name or presentation goes through the moderation rules like a post: held, it is
shown to nobody (the previous one stays) until a moderator approves it in the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from liant.channels.models import Event
from liant.members import gdpr
from liant.members.attach import attach_workspace
from liant.members.models import Activity
from liant.moderation import queue
from liant.moderation.models import (
    Action,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Reason,
    Rule,
)
from liant.space import accounts, profile_moderation
from liant.space.models import SpaceAccount
from tests.conftest import client_for
from tests.space.conftest import url

pytestmark = pytest.mark.django_db

INSULT = "Je suis un vrai connard"


def edit(client, space, **data):
    values = {"display_name": "Alice", "bio": "", "language": "fr", "email_notifications": "daily"}
    return client.post(url(space, "me/"), values | data)


@pytest.fixture
def rule(workspace) -> Rule:
    return Rule.objects.create(
        workspace=workspace, name="Insultes", words="connard", action=Action.HOLD, active=True
    )


def profile_page(space, account) -> str:
    return Client().get(url(space, f"u/{account.pk}/")).content.decode()


def test_a_clean_bio_is_shown_at_once_and_queues_nothing(
    space, rule, alice_client, alice, workspace
):
    assert edit(alice_client, space, bio="J'aime le moka.").status_code == 302
    alice.refresh_from_db()
    assert alice.bio == "J'aime le moka." and not alice.pending_key
    assert not Item.objects.exists()
    # Judged (the event is stored), but not counted by Members as taking part.
    assert Event.objects.filter(remote_id__startswith="profile:").count() == 1
    attach_workspace(workspace.pk)
    assert not Activity.objects.filter(event__remote_id__startswith="profile:").exists()


def test_an_insulting_bio_is_held_until_a_moderator_approves_it(
    space, rule, alice_client, alice, workspace, owner
):
    assert edit(alice_client, space, bio="J'aime le moka.").status_code == 302
    response = edit(alice_client, space, bio=INSULT)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.bio == "J'aime le moka." and alice.pending_bio == INSULT
    # Nobody sees it; the previous presentation stays.
    page = profile_page(space, alice)
    assert "connard" not in page and "J&#x27;aime le moka." in page
    # Its author sees it waiting in the form.
    form = alice_client.get(url(space, "me/")).content.decode()
    assert INSULT in form
    # In the review queue like a held post, with the rule and what it is.
    item = Item.objects.get(workspace=workspace)
    assert (item.state, item.reason, item.rule, item.text) == (
        ItemState.QUEUED,
        Reason.HELD,
        rule,
        INSULT,
    )
    assert item.author_remote_id == alice.remote_id
    assert item.event.channel_id == space.channel_id
    staff = client_for(owner)
    listing = staff.get(f"/w/{workspace.slug}/moderation/").content.decode()
    assert INSULT in listing and "community space profile" in listing
    # Approved by a moderator: shown once the decision is sent (after the undo window).
    assert (
        staff.post(
            f"/w/{workspace.slug}/moderation/items/{item.pk}/decide/",
            {"decision": Decision.APPROVE},
        ).status_code
        == 302
    )
    assert "connard" not in profile_page(space, alice)
    entry = LogEntry.objects.get(item=item, action=Decision.APPROVE)
    assert queue.send(entry.pk, timezone.now() + timedelta(seconds=queue.UNDO_SECONDS + 1))
    alice.refresh_from_db()
    assert alice.bio == INSULT and not alice.pending_key
    assert "connard" in profile_page(space, alice)


def test_a_removed_bio_is_dropped_and_the_previous_one_stays(
    space, rule, alice_client, alice, workspace, owner
):
    assert edit(alice_client, space, bio="Bonjour").status_code == 302
    edit(alice_client, space, bio=INSULT, display_name="Connard")
    alice.refresh_from_db()
    assert (alice.display_name, alice.pending_name) == ("Alice", "Connard")
    item = Item.objects.get()
    entry = queue.decide(item, Decision.REMOVE, owner)
    assert queue.send(entry.pk, timezone.now() + timedelta(seconds=60)) == Outcome.APPLIED
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.pending_key) == ("Alice", "Bonjour", "")
    assert "connard" not in profile_page(space, alice).lower()


def test_a_held_display_name_is_not_shown_on_topics(space, recipes, rule, alice_client, alice):
    alice_client.post(url(space, f"c/{recipes.pk}/new/"), {"title": "Moka", "body": "Avis ?"})
    edit(alice_client, space, display_name="Gros connard")
    alice.refresh_from_db()
    assert alice.display_name == "Alice" and alice.pending_name == "Gros connard"
    topic = alice.topics.get()
    for path in (f"c/{recipes.pk}/", f"t/{topic.pk}/"):
        page = Client().get(url(space, path)).content.decode()
        assert "connard" not in page and "Alice" in page, path


def test_a_new_change_replaces_the_one_waiting(space, rule, alice_client, alice):
    edit(alice_client, space, bio=INSULT)
    first = Item.objects.get()
    # Back to what is shown: nothing waits any more, the queue item is closed.
    edit(alice_client, space, bio="")
    alice.refresh_from_db()
    first.refresh_from_db()
    assert not alice.pending_key and first.state == ItemState.DONE
    edit(alice_client, space, bio=INSULT)
    edit(alice_client, space, bio="Quel connard ce barista")
    assert Item.objects.filter(state=ItemState.QUEUED).count() == 1
    alice.refresh_from_db()
    assert alice.pending_bio == "Quel connard ce barista"


def test_a_rule_that_deletes_refuses_the_change(space, alice_client, alice, workspace):
    Rule.objects.create(
        workspace=workspace, name="Spam", words="casino", action=Action.DELETE, active=True
    )
    response = edit(alice_client, space, bio="Meilleur casino en ligne")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.bio == "" and not alice.pending_key
    assert Item.objects.get().state == ItemState.DONE


def test_a_muted_account_cannot_change_its_bio(space, rule, alice_client, alice):
    SpaceAccount.objects.filter(pk=alice.pk).update(muted_at=timezone.now())
    edit(alice_client, space, bio=INSULT)
    alice.refresh_from_db()
    assert alice.bio == "" and not alice.pending_key and not Item.objects.exists()


def test_another_workspace_moderator_sees_nothing(
    space, rule, alice_client, alice, other_workspace, outsider
):
    edit(alice_client, space, bio=INSULT)
    item = Item.objects.get()
    outsider = client_for(outsider)
    page = outsider.get(f"/w/{other_workspace.slug}/moderation/").content.decode()
    assert INSULT not in page
    answer = outsider.post(
        f"/w/{other_workspace.slug}/moderation/items/{item.pk}/decide/",
        {"decision": Decision.APPROVE},
    )
    assert answer.status_code == 404
    # And not through the first workspace's address either.
    assert (
        outsider.post(
            f"/w/{space.slug}/moderation/items/{item.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 404
    )


def test_export_and_erasure_cover_the_changes_of_profile(space, rule, alice_client, alice):
    edit(alice_client, space, bio="Moka tous les matins")
    edit(alice_client, space, bio=INSULT)
    member = accounts.link_member(alice)
    sections = {s.key: s for s in gdpr.collect(member)}
    texts = [row["text"] for row in sections["space_profile_changes"].rows]
    assert texts == ["Moka tous les matins", INSULT]
    assert sections["space_accounts"].rows[0]["pending_bio"] == INSULT
    gdpr.erase(member)
    alice.refresh_from_db()
    assert (alice.bio, alice.pending_bio, alice.pending_key) == ("", "", "")
    changes = Event.objects.filter(remote_id__startswith=f"profile:{alice.pk}:")
    assert changes.count() == 2
    assert not changes.exclude(text="").exists() and not changes.exclude(raw={}).exists()
    assert not Item.objects.exclude(text="").exists()


def test_when_judging_fails_nothing_unjudged_is_shown(
    space, rule, alice_client, alice, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("classifier down")

    monkeypatch.setattr(profile_moderation.engine, "judge", broken)
    response = edit(alice_client, space, bio="Bonjour", language="en")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.bio, alice.pending_key, alice.language) == ("", "", "en")  # settings kept
    assert not Event.objects.filter(remote_id__startswith="profile:").exists()
    page = alice_client.get(response.url).content.decode()
    assert "could not be checked just now" in page
