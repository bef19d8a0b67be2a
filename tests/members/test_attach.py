from __future__ import annotations

from liant.members import attach
from liant.members.models import Activity, Identity, Member
from tests.members.factories import channel, event


def test_events_attach_to_one_identity_and_member_each(workspace):
    mastodon = channel(workspace, "mastodon")
    event(mastodon, "lea", days_ago=3)
    event(mastodon, "lea", days_ago=1)
    event(mastodon, "tom", days_ago=2)
    assert attach.attach_workspace(workspace.pk) == 3
    assert Member.objects.filter(workspace=workspace).count() == 2
    lea = Identity.objects.get(handle="lea").member
    assert lea.activities.count() == 2
    assert lea.last_active_at > lea.first_seen_at
    # Reading again adds nothing: one activity per event.
    assert attach.attach_workspace(workspace.pk) == 0
    assert Activity.objects.count() == 3


def test_our_own_posts_and_feed_authors_are_not_members(workspace):
    mastodon = channel(workspace, "mastodon", account_id="99")
    feed = channel(workspace, "feed")
    event(mastodon, "99", kind="post")
    event(feed, "Jane Writer", kind="post")
    attach.attach_workspace(workspace.pk)
    assert not Member.objects.exists()


def test_the_same_account_seen_from_two_channels_is_one_identity(workspace):
    first, second = channel(workspace, "mastodon"), channel(workspace, "mastodon")
    event(first, "lea", url="https://piaille.example/@lea")
    event(second, "lea", url="https://piaille.example/@lea")
    attach.attach_workspace(workspace.pk)
    assert Identity.objects.count() == 1


def test_a_reply_records_whom_it_answered(workspace):
    mastodon = channel(workspace, "mastodon")
    question = event(mastodon, "tom", text="Quel moulin ?", remote_id="q1")
    event(mastodon, "lea", text="Le Comandante", parent=question.remote_id)
    attach.attach_workspace(workspace.pk)
    reply = Activity.objects.get(identity__handle="lea")
    assert reply.replied_to.handle == "tom"


def test_events_committed_below_the_cursor_are_read_back(workspace):
    mastodon = channel(workspace, "mastodon")
    late = event(mastodon, "lea")
    event(mastodon, "tom")
    attach.attach_workspace(workspace.pk)
    Activity.objects.filter(event=late).delete()  # as if it had been committed late
    assert attach.attach_workspace(workspace.pk) == 1


def test_members_of_another_workspace_never_mix(workspace, other_workspace):
    event(channel(workspace, "bluesky"), "did:plc:lea")
    event(channel(other_workspace, "bluesky"), "did:plc:lea")
    attach.attach_all()
    assert Member.objects.filter(workspace=workspace).count() == 1
    assert Member.objects.filter(workspace=other_workspace).count() == 1
