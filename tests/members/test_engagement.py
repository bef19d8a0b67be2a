from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from liant.members import attach, engagement
from liant.members.models import EngagementSettings, Kind, Level, Member, Task
from tests.members.factories import channel, event


def active(workspace, author, days: list[float], kind="comment", ch=None):
    ch = ch or channel(workspace, "mastodon")
    for d in days:
        event(ch, author, kind=kind, days_ago=d)
    return ch


def member(handle):
    return Member.objects.get(identities__handle=handle)


def test_score_is_weights_times_monthly_decay(workspace):
    ch = active(workspace, "lea", [1, 2])  # two comments this month
    active(workspace, "lea", [40], ch=ch)  # one comment last month
    attach.attach_workspace(workspace.pk)
    engagement.score_workspace(workspace.pk)
    # comment weight 3; decay 0.8 per month of age.
    assert member("lea").score == round(3 + 3 + 3 * 0.8, 2)
    settings = EngagementSettings.of(workspace.pk)
    settings.weights = {"comment": 10}
    settings.save()
    engagement.score_workspace(workspace.pk)
    assert member("lea").score == round(10 + 10 + 10 * 0.8, 2)


def test_a_level_needs_both_score_and_regular_days(workspace):
    # A burst on one day: a high score but one active day is not a contributor.
    ch = channel(workspace, "mastodon")
    for _ in range(10):
        event(ch, "burst", kind="post", days_ago=1)
    for d in range(1, 6):
        event(ch, "steady", kind="post", days_ago=d)
    attach.attach_workspace(workspace.pk)
    engagement.score_workspace(workspace.pk)
    assert member("burst").score >= 15 and member("burst").level == Level.PARTICIPANT
    assert member("steady").level == Level.CONTRIBUTOR


def test_promotion_is_immediate_and_demotion_waits_for_the_grace(workspace):
    ch = active(workspace, "lea", [1, 2, 3, 4, 5], kind="post")
    attach.attach_workspace(workspace.pk)
    now = timezone.now()
    engagement.score_workspace(workspace.pk, now)
    assert member("lea").level == Level.CONTRIBUTOR
    # Two months later she has not written again: below the thresholds, but in her grace.
    later = now + timedelta(days=40)
    engagement.score_workspace(workspace.pk, later)
    lea = member("lea")
    assert lea.level == Level.CONTRIBUTOR and lea.below_level_since == later
    engagement.score_workspace(workspace.pk, later + timedelta(days=31))
    assert member("lea").level != Level.CONTRIBUTOR
    assert ch  # the channel stays; only time passed


def test_staff_and_bots_are_left_out(workspace):
    active(workspace, "bot", [1, 2, 3, 4, 5], kind="post")
    attach.attach_workspace(workspace.pk)
    Member.objects.filter(identities__handle="bot").update(kind=Kind.BOT)
    engagement.score_workspace(workspace.pk)
    assert member("bot").score == 0 and member("bot").level == Level.OBSERVER


def test_a_top_quarter_member_gone_silent_is_on_the_to_do_list(workspace):
    ch = channel(workspace, "mastodon")
    for d in range(30, 60):
        event(ch, "was_busy", days_ago=d)
    for i in range(6):
        event(ch, f"quiet{i}", days_ago=2)
    attach.attach_workspace(workspace.pk)
    result = engagement.score_workspace(workspace.pk)
    assert result["slipping"] == 1
    task = Task.objects.get(kind=Task.Kind.SLIPPING_AWAY)
    assert task.member == member("was_busy") and task.reason["silent_days"] == 30
    # Scoring again does not open a second task; coming back closes it.
    engagement.score_workspace(workspace.pk)
    assert Task.objects.filter(kind=Task.Kind.SLIPPING_AWAY).count() == 1
    event(ch, "was_busy", days_ago=0)
    attach.attach_workspace(workspace.pk)
    engagement.score_workspace(workspace.pk)
    task.refresh_from_db()
    assert task.state == Task.State.DONE


def test_helpful_contributors_are_suggested_as_ambassadors(workspace):
    ch = channel(workspace, "mastodon")
    for i in range(6):
        question = event(ch, f"asker{i}", remote_id=f"q{i}", days_ago=i + 1)
        event(ch, "helper", kind="comment", parent=question.remote_id, days_ago=i + 1)
    attach.attach_workspace(workspace.pk)
    engagement.score_workspace(workspace.pk)
    helper = member("helper")
    assert helper.helpful_replies == 6 and helper.level == Level.CONTRIBUTOR
    task = Task.objects.get(kind=Task.Kind.AMBASSADOR)
    assert task.member == helper
