"""Contest entries: from stored events (comments, reactions, reposts, hashtag) and the form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liant.animation import contests
from liant.animation.models import Contest, Entry
from liant.members.models import Activity, ActivityKind, Consent, Identity, Member
from tests.members.factories import channel as make_channel
from tests.members.factories import event


@pytest.fixture
def mastodon(workspace):
    return make_channel(workspace, "mastodon")


def contest_on(workspace, channel, **fields) -> Contest:
    return Contest.objects.create(
        workspace=workspace, title="Concours", channel=channel, post_remote_id="post-1", **fields
    )


def test_comments_on_the_post_are_entries_once_per_member(workspace, mastodon):
    contest = contest_on(workspace, mastodon)
    event(mastodon, "alice", parent="post-1", days_ago=2)
    event(mastodon, "alice", parent="post-1", days_ago=1)  # a second comment: same entry
    event(mastodon, "bruno", parent="post-1")
    event(mastodon, "chloe", parent="another-post")
    assert contests.collect(contest) == 2
    assert contests.collect(contest) == 0  # reading again adds nothing
    entries = Entry.objects.filter(contest=contest).select_related("identity")
    assert sorted(e.identity.handle for e in entries) == ["alice", "bruno"]
    alice = entries.get(identity__handle="alice")
    # The first comment is the entry, and its time is the entry's time.
    assert alice.entered_at < timezone.now() - timedelta(days=1, hours=12)
    activities = Activity.objects.filter(kind=ActivityKind.CONTEST_ENTRY)
    assert activities.count() == 2
    assert activities.get(member=alice.member).occurred_at == alice.entered_at


def test_reactions_and_reposts_count_only_when_chosen(workspace, mastodon):
    contest = contest_on(workspace, mastodon, count_comments=False, count_reposts=True)
    like = event(mastodon, "dora", kind="reaction", parent="post-1")
    like.raw = {"type": "favourite"}
    like.save()
    boost = event(mastodon, "emile", kind="reaction", parent="post-1")
    boost.raw = {"type": "reblog"}
    boost.save()
    event(mastodon, "fanny", parent="post-1")  # a comment, not counted here
    contests.collect(contest)
    assert list(Entry.objects.values_list("source", "identity__handle")) == [
        (Entry.Source.REPOST, "emile")
    ]


def test_a_hashtag_in_a_message_is_an_entry(workspace, mastodon):
    contest = Contest.objects.create(
        workspace=workspace, title="Photo", channel=mastodon, hashtag="#MonCafeLumiere"
    )
    event(mastodon, "gael", kind="mention", text="Mon matin #moncafelumiere ☕")
    event(mastodon, "hugo", kind="mention", text="#MonCafeLumiereFake n'est pas le bon")
    event(mastodon, "iris", kind="mention", text="rien à voir")
    contests.collect(contest)
    assert list(Entry.objects.values_list("source", "identity__handle")) == [
        (Entry.Source.HASHTAG, "gael")
    ]


def test_events_after_the_closing_time_are_not_entries(workspace, mastodon):
    contest = contest_on(workspace, mastodon, ends_at=timezone.now() - timedelta(days=1))
    event(mastodon, "jade", parent="post-1", days_ago=3)
    event(mastodon, "karim", parent="post-1")
    contests.collect(contest)
    assert list(Entry.objects.values_list("identity__handle", flat=True)) == ["jade"]


def test_an_event_of_another_workspace_never_enters(workspace, other_workspace, mastodon):
    contest = contest_on(workspace, mastodon)
    foreign = make_channel(other_workspace, "mastodon")
    event(foreign, "intrus", parent="post-1")
    assert contests.collect(contest) == 0


def test_the_form_creates_a_member_with_consent_and_finds_them_again(workspace, client):
    contest = Contest.objects.create(workspace=workspace, title="Concours", rules="Règlement v1")
    url = f"/animation/contests/{contest.token}/"
    data = {"name": "Léa <b>Martin</b>", "email": "Lea@Example.org", "consent": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    member = Member.objects.get(workspace=workspace)
    assert member.name == "Léa Martin"  # markup from outside is stripped before storing
    assert member.email == "lea@example.org"
    assert Identity.objects.get(member=member).key == "lea@example.org"
    consent = Consent.objects.get(member=member)
    assert consent.purpose == Consent.Purpose.CONTEST_RULES and consent.text == "Règlement v1"
    entry = Entry.objects.get(contest=contest)
    page = client.get(url).content.decode()
    assert entry.label in page  # the entrant is told their pseudonym
    # Entering again with the same address is the same member and the same entry.
    client.post(url, {**data, "email": "lea@example.org"})
    assert Member.objects.filter(workspace=workspace).count() == 1
    assert Entry.objects.filter(contest=contest).count() == 1


def test_the_form_requires_consent_when_the_rules_ask_for_it(workspace, client):
    contest = Contest.objects.create(workspace=workspace, title="Concours")
    response = client.post(
        f"/animation/contests/{contest.token}/", {"name": "Max", "email": "max@example.org"}
    )
    assert response.status_code == 200
    assert not Entry.objects.exists()


def test_the_form_is_closed_once_the_list_is_frozen(workspace, client):
    contest = Contest.objects.create(workspace=workspace, title="Concours", require_consent=False)
    contests.freeze(contest)
    client.post(
        f"/animation/contests/{contest.token}/", {"name": "Tard", "email": "tard@example.org"}
    )
    assert not Entry.objects.exists()


def test_must_follow_keeps_only_the_entrants_the_channel_saw_following(workspace, mastodon):
    from liant.members.attach import attach_workspace

    contest = contest_on(workspace, mastodon, must_follow=True, require_consent=False)
    event(mastodon, "alice", parent="post-1")
    event(mastodon, "bruno", parent="post-1")
    event(mastodon, "alice", kind="follow")
    other = make_channel(workspace, "mastodon")
    event(other, "bruno", kind="follow")  # following another of our accounts does not count
    attach_workspace(workspace.pk)
    assert contests.freeze(contest)
    reasons = {
        e.identity.handle: e.excluded_because
        for e in Entry.objects.filter(contest=contest).select_related("identity")
    }
    assert reasons == {"alice": "", "bruno": "not_following"}


def test_a_contest_for_a_segment_keeps_only_its_members(workspace, mastodon):
    from liant.members.attach import attach_workspace
    from liant.members.models import Segment, Tag

    pros = Segment.objects.create(workspace=workspace, name="Pros", filters={"tags": ["pro"]})
    contest = contest_on(workspace, mastodon, segment=pros, require_consent=False)
    event(mastodon, "alice", parent="post-1")
    event(mastodon, "bruno", parent="post-1")
    attach_workspace(workspace.pk)
    tag = Tag.objects.create(workspace=workspace, name="pro")
    Member.objects.get(identities__handle="alice").tags.add(tag)
    assert contests.freeze(contest)
    reasons = {
        e.identity.handle: e.excluded_because
        for e in Entry.objects.filter(contest=contest).select_related("identity")
    }
    assert reasons == {"alice": "", "bruno": "not_in_segment"}
