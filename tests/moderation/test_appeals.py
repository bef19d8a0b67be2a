"""Appeals: the author of a held or removed message contests it through a signed, expiring
link (no account), sees why in their language, and a different moderator upholds or reverses
the decision; reversing takes back what the network allows, and every step is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.moderation import actions, appeals, queue
from liant.moderation.models import (
    Action,
    Appeal,
    AppealState,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Reason,
    Report,
)
from tests.conftest import client_for, make_user
from tests.moderation.conftest import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def removal(workspace, channel, charter, owner):
    """The owner removed Amy's message under article 1."""
    event = store(channel, "Espèce de nul", author="amy")
    item = Item.objects.create(
        workspace=workspace,
        event=event,
        channel=channel,
        reason=Reason.HELD,
        text=event.text,
        author_remote_id="amy",
        state=ItemState.DONE,
    )
    Report.objects.create(workspace=workspace, item=item, reporter="bob", upheld=True)
    return LogEntry.objects.create(
        workspace=workspace,
        item=item,
        event=event,
        action=Decision.REMOVE_WARN,
        actor=owner,
        charter=charter,
        article=1,
        text=event.text,
        author_remote_id="amy",
        outcome=Outcome.APPLIED,
    )


def appeal_url(workspace, pk):
    return f"/w/{workspace.slug}/moderation/appeals/{pk}/decide/"


def test_the_author_sees_why_in_their_language_and_appeals(client, removal, owner):
    path = appeals.appeal_path(removal)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your message was removed." in page and "Espèce de nul" in page
    assert "No insults." in page and "No spam" not in page  # article 1 only
    assert owner.email not in page and "bob" not in page  # nobody else is named
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas d&#x27;insultes." in page or "Pas d'insultes." in page
    answer = client.post(path, {"text": "C'était de l'humour."}, HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.entry, appeal.state, appeal.language) == (removal, AppealState.OPEN, "fr")
    client.post(path, {"text": "Encore"})
    assert Appeal.objects.count() == 1 and appeal.text == "C'était de l'humour."
    assert "Your appeal was received" in client.get(path).content.decode()


def test_a_forged_expired_or_undone_decision_has_no_appeal_page(client, removal, monkeypatch):
    path = appeals.appeal_path(removal)
    assert client.get(path[:-4] + "abc/").status_code == 404
    forged = signing.TimestampSigner(salt="other").sign_object(removal.pk)
    assert client.get(f"/moderation/appeal/{forged}/").status_code == 404
    LogEntry.objects.filter(pk=removal.pk).update(outcome=Outcome.UNDONE)
    assert client.get(path).status_code == 404
    LogEntry.objects.filter(pk=removal.pk).update(outcome=Outcome.APPLIED)
    later = timezone.now().timestamp() + (appeals.APPEAL_DAYS + 1) * 86400
    monkeypatch.setattr("time.time", lambda: later)
    assert client.get(path).status_code == 404


def test_the_appeal_waits_at_the_top_of_the_queue_with_the_decision(member_client, removal):
    appeal = appeals.submit(removal, "C'était de l'humour.", "fr")
    page = member_client.get(f"/w/{removal.workspace.slug}/moderation/").content.decode()
    assert page.index("Appeals") < page.index("Nothing waits for a moderator")
    assert "C&#x27;était de l&#x27;humour." in page and "Remove and warn" in page
    assert f"appeals/{appeal.pk}/decide/" in page


def test_the_moderator_who_decided_cannot_judge_the_appeal(owner_client, removal):
    appeal = appeals.submit(removal, "Injuste", "fr")
    owner_client.post(appeal_url(removal.workspace, appeal.pk), {"decision": "reverse"})
    appeal.refresh_from_db()
    assert appeal.state == AppealState.OPEN
    assert not LogEntry.objects.filter(action="appeal_reversed").exists()


def test_another_moderator_reverses_and_the_log_says_what_could_not_be_undone(
    client, member_client, member, removal
):
    appeal = appeals.submit(removal, "Injuste", "fr")
    member_client.post(
        appeal_url(removal.workspace, appeal.pk),
        {"decision": "reverse", "answer": "Vous avez raison, désolés."},
    )
    appeal.refresh_from_db()
    assert (appeal.state, appeal.decided_by) == (AppealState.REVERSED, member)
    entry = LogEntry.objects.get(action="appeal_reversed")
    assert entry.lifts == removal and entry.actor == member and entry.article == 1
    assert entry.outcome == Outcome.NOT_APPLIED and "cannot be restored" in entry.detail
    assert Report.objects.get().upheld is False  # the report that led to it weighs less now
    assert AuditEvent.objects.filter(action="moderation.appeal_decided").exists()
    page = client.get(appeals.appeal_path(removal)).content.decode()
    assert "reversed their decision" in page and "Vous avez raison" in page
    member_client.post(appeal_url(removal.workspace, appeal.pk), {"decision": "uphold"})
    assert LogEntry.objects.filter(action__startswith="appeal_").count() == 1


def test_reversing_a_rules_mute_lifts_it_on_the_network(
    member_client, workspace, channel, monkeypatch
):
    lifted = []
    monkeypatch.setattr(
        actions,
        "lift_on_network",
        lambda event, action: lifted.append(action) or actions.Result(Outcome.APPLIED),
    )
    event = store(channel, "bla", author="amy")
    mute = LogEntry.objects.create(
        workspace=workspace,
        event=event,
        action=Action.MUTE,
        text="bla",
        outcome=Outcome.APPLIED,
        mute_until=timezone.now() + timedelta(days=1),
    )
    appeal = appeals.submit(mute, "Pourquoi ?", "fr")
    member_client.post(appeal_url(workspace, appeal.pk), {"decision": "reverse"})
    mute.refresh_from_db()
    assert lifted == [Action.MUTE] and mute.lifted_at is not None
    assert LogEntry.objects.get(action="unmute").outcome == Outcome.APPLIED
    assert LogEntry.objects.get(action="appeal_reversed").outcome == Outcome.APPLIED


def test_upholding_is_logged_and_told(client, member_client, removal):
    appeal = appeals.submit(removal, "Injuste", "fr")
    member_client.post(appeal_url(removal.workspace, appeal.pk), {"decision": "uphold"})
    entry = LogEntry.objects.get(action="appeal_upheld")
    assert entry.outcome == Outcome.RECORDED and entry.lifts == removal
    assert "kept their decision" in client.get(appeals.appeal_path(removal)).content.decode()


def test_an_analyst_cannot_decide_an_appeal(workspace, removal):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    appeal = appeals.submit(removal, "Injuste", "fr")
    assert analyst.post(appeal_url(workspace, appeal.pk), {"decision": "uphold"}).status_code == 403


def test_the_warning_of_a_removal_carries_the_appeal_link(client, removal):
    text = appeals.notice(removal, "en")
    assert "/moderation/appeal/" in text
    path = text.split("http://127.0.0.1:8000", 1)[1].strip()
    assert client.get(path).status_code == 200


def test_a_remove_and_warn_decision_sends_the_link(workspace, channel, owner, monkeypatch):
    sent = []
    monkeypatch.setattr(actions, "send_to_network", lambda e, s: actions.Result(Outcome.APPLIED))
    monkeypatch.setattr(
        actions, "send_warning", lambda e, t: sent.append(t) or actions.Result(Outcome.APPLIED)
    )
    event = store(channel, "nul", author="amy")
    item = Item.objects.create(
        workspace=workspace, event=event, channel=channel, reason=Reason.HELD, text="nul"
    )
    entry = queue.decide(item, Decision.REMOVE_WARN, owner)
    queue.send(entry.pk, now=timezone.now() + timedelta(minutes=1))
    assert "/moderation/appeal/" in sent[0]
    entry.refresh_from_db()
    assert entry.sent == sent[0]


def test_a_members_erasure_takes_their_appeal_and_the_answer(owner_client, workspace, removal):
    from liant.members.models import Identity, Member

    amy = Member.objects.create(workspace=workspace, name="Amy")
    Identity.objects.create(
        workspace=workspace,
        member=amy,
        network="feed",
        key="amy",
        remote_id="amy",
        handle="amy",
        channel=removal.event.channel,
    )
    appeal = appeals.submit(removal, "Moi, Amy Martin, je conteste", "fr")
    Appeal.objects.filter(pk=appeal.pk).update(answer="Bonjour Amy Martin")
    data = owner_client.get(f"/w/{workspace.slug}/members/{amy.pk}/data/?download=1")
    assert b"je conteste" in data.content
    owner_client.post(f"/w/{workspace.slug}/members/{amy.pk}/erase/", {"confirmation": "EFFACER"})
    appeal.refresh_from_db()
    assert (appeal.text, appeal.answer, appeal.state) == ("", "", AppealState.OPEN)
