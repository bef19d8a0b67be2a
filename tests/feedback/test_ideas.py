from __future__ import annotations

import pytest
from django.core import mail

from liant.channels.models import Channel, Health
from liant.connectors.base import ConnectorError
from liant.feedback import ideas, notify, sources
from liant.feedback.models import Idea, IdeaStatus, NoticeState, Proposer, StatusNotice, Vote
from liant.members.models import Activity, Identity, Member
from tests.feedback.conftest import inbound, ws_url

pytestmark = pytest.mark.django_db


def person(workspace, channel, handle: str, **identity) -> Member:
    member = Member.objects.create(workspace=workspace, name=handle.title())
    Identity.objects.create(
        workspace=workspace,
        member=member,
        network=identity.pop("network", channel.kind if channel else "email"),
        key=identity.pop("key", handle),
        remote_id=identity.pop("remote_id", handle),
        handle=f"@{handle}",
        channel=channel,
        **identity,
    )
    return member


def backer(member: Member) -> dict:
    identity = member.identities.get()
    return {"identity": identity, "channel": identity.channel}


def test_a_message_becomes_an_idea_in_one_click_with_its_author_as_proposer(
    owner_client, workspace, channel
):
    message = inbound(channel, "Et si vous proposiez un abonnement mensuel avec deux origines ?")
    url = ws_url(workspace, f"ideas/from/message/{message.pk}/")
    response = owner_client.post(url)
    idea = Idea.objects.get()
    assert response["Location"] == ws_url(workspace, f"ideas/{idea.pk}/")
    assert idea.title.startswith("Et si vous proposiez") and idea.message == message
    proposer = Proposer.objects.get(idea=idea)
    assert proposer.identity.key == "ana" and proposer.channel == channel
    assert proposer.event == message.event
    # The member's profile counts it as an idea.
    assert Activity.objects.filter(member=proposer.member, kind="idea").count() == 1
    owner_client.post(url)
    assert Idea.objects.count() == 1 and Activity.objects.filter(kind="idea").count() == 1


def test_one_vote_per_member(workspace, channel):
    idea = Idea.objects.create(workspace=workspace, title="Un café sans caféine")
    sam = person(workspace, channel, "sam")
    assert ideas.vote(idea, sam, **backer(sam)) is not None
    assert ideas.vote(idea, sam, **backer(sam)) is None
    assert Vote.objects.filter(idea=idea).count() == 1


def test_merging_moves_votes_and_proposers_and_counts_a_double_voter_once(workspace, channel):
    kept = Idea.objects.create(workspace=workspace, title="Abonnement mensuel")
    duplicate = Idea.objects.create(workspace=workspace, title="Box découverte chaque mois")
    ana, bob, cyd = (person(workspace, channel, h) for h in ("ana", "bob", "cyd"))
    ideas.vote(kept, ana)
    ideas.vote(duplicate, ana)  # voted for both
    ideas.vote(duplicate, bob)
    ideas.propose(kept, cyd)
    ideas.propose(duplicate, cyd)
    ideas.propose(duplicate, bob)
    counts = ideas.merge(kept, duplicate)
    assert counts == {"votes": 1, "proposers": 1, "dropped": 2}
    assert sorted(v.member.name for v in kept.votes.all()) == ["Ana", "Bob"]
    assert sorted(p.member.name for p in kept.proposers.all()) == ["Bob", "Cyd"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert [i.pk for i in ideas.visible(workspace.pk)] == [kept.pk]
    assert ideas.visible(workspace.pk).get().vote_count == 2
    # A vote for the merged duplicate lands on the idea kept.
    assert ideas.vote(duplicate, cyd).idea == kept
    with pytest.raises(ideas.MergeRefused):
        ideas.merge(kept, duplicate)


def test_a_status_change_tells_each_person_once_through_their_channel(
    workspace, channel, replier, django_capture_on_commit_callbacks
):
    idea = Idea.objects.create(workspace=workspace, title="Abonnement mensuel")
    ana, bob = person(workspace, channel, "ana"), person(workspace, channel, "bob")
    silent = Member.objects.create(workspace=workspace, name="Typed by the team")
    ideas.propose(idea, ana, **backer(ana))
    ideas.vote(idea, ana, **backer(ana))  # proposer and voter: told once, as proposer
    ideas.vote(idea, bob, **backer(bob))
    ideas.vote(idea, silent)  # no channel: nobody to tell
    with django_capture_on_commit_callbacks(execute=True):
        queued = ideas.change_status(idea, IdeaStatus.PLANNED, "Prévu pour le printemps.")
    assert queued == 2
    assert sorted((verb, to) for verb, to, _draft in replier.sent) == [
        ("direct", "ana"),
        ("direct", "bob"),
    ]
    texts = {to: draft.text for _verb, to, draft in replier.sent}
    assert "the idea you shared" in texts["ana"] or "l'idée que vous" in texts["ana"]
    assert "Prévu pour le printemps." in texts["bob"]
    assert set(StatusNotice.objects.values_list("state", flat=True)) == {NoticeState.SENT}
    # Saving the same status again, or a duplicate job, tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert ideas.change_status(idea, IdeaStatus.PLANNED, "Toujours prévu.") == 0
    for notice in StatusNotice.objects.all():
        assert notify.send(notice.pk) == NoticeState.SENT
    assert len(replier.sent) == 2
    # A new status is news again.
    with django_capture_on_commit_callbacks(execute=True):
        assert ideas.change_status(idea, IdeaStatus.SHIPPED, "") == 2
    assert len(replier.sent) == 4


def test_a_failure_is_recorded_visible_and_retried(
    owner_client, workspace, channel, replier, django_capture_on_commit_callbacks
):
    idea = Idea.objects.create(workspace=workspace, title="Moulin plus silencieux")
    ana = person(workspace, channel, "ana")
    ideas.vote(idea, ana, **backer(ana))
    replier.script = [ConnectorError("The network said no (503)", "transient", status=503)]
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            ws_url(workspace, f"ideas/{idea.pk}/status/"),
            {"status": "under_review", "public_reason": ""},
        )
    notice = StatusNotice.objects.get()
    assert notice.state == NoticeState.FAILED and "503" in notice.last_error
    page = owner_client.get(ws_url(workspace, f"ideas/{idea.pk}/")).content.decode()
    assert "The network said no (503)" in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ws_url(workspace, f"notices/{notice.pk}/retry/"))
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT and notice.attempts == 2
    assert [to for _verb, to, _draft in replier.sent] == ["ana"]


def test_a_network_without_private_messages_is_answered_where_it_was_said(
    workspace, owner, replier, django_capture_on_commit_callbacks
):
    threads = Channel.objects.create(workspace=workspace, kind="reply_only", name="Forum")
    message = inbound(threads, "Idée : des dosettes compostables", author="lou", remote_id="p-9")
    idea, _ = ideas.from_said(workspace.pk, sources.from_message(message), owner)
    with django_capture_on_commit_callbacks(execute=True):
        ideas.change_status(idea, IdeaStatus.SHIPPED, "C'est en boutique !")
    assert [(verb, to) for verb, to, _draft in replier.sent] == [("reply", "p-9")]


def test_an_email_identity_without_channel_is_told_by_email(
    workspace, django_capture_on_commit_callbacks
):
    idea = Idea.objects.create(workspace=workspace, title="Café en vrac")
    eve = person(workspace, None, "eve@example.org", network="email", email="eve@example.org")
    ideas.vote(idea, eve, identity=eve.identities.get())
    with django_capture_on_commit_callbacks(execute=True):
        ideas.change_status(idea, IdeaStatus.DECLINED, "Pas possible en boutique.")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eve@example.org"]
    assert "Pas possible en boutique." in mail.outbox[0].body
    assert StatusNotice.objects.get().state == NoticeState.SENT


def test_a_disconnected_channel_fails_without_calling_the_network(
    workspace, channel, replier, django_capture_on_commit_callbacks
):
    Channel.objects.filter(pk=channel.pk).update(health=Health.DISCONNECTED)
    idea = Idea.objects.create(workspace=workspace, title="Tasses consignées")
    ana = person(workspace, channel, "ana")
    ideas.vote(idea, ana, **backer(ana))
    with django_capture_on_commit_callbacks(execute=True):
        ideas.change_status(idea, IdeaStatus.PLANNED, "")
    notice = StatusNotice.objects.get()
    assert notice.state == NoticeState.FAILED and notice.last_error
    assert replier.sent == []


def test_a_member_merge_leaves_one_vote_and_one_notice_per_person(
    workspace, channel, replier, django_capture_on_commit_callbacks
):
    from liant.members import merging

    idea = Idea.objects.create(workspace=workspace, title="Sachets refermables")
    kept, absorbed = person(workspace, channel, "ana"), person(workspace, channel, "ana2")
    ideas.vote(idea, kept, **backer(kept))
    ideas.vote(idea, absorbed, **backer(absorbed))
    merging.merge(kept, absorbed)
    assert ideas.visible(workspace.pk).get().vote_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert ideas.change_status(idea, IdeaStatus.PLANNED, "") == 1
    assert [to for _verb, to, _draft in replier.sent] == ["ana"]
