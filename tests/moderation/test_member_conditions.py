"""Rules that read Members: the author's engagement level and segments."""

from __future__ import annotations

from liant.members.models import Identity, Member, Segment, Tag
from liant.moderation.engine import moderate_new_events
from liant.moderation.models import Action, Item
from tests.moderation.conftest import rule, store


def known(workspace, handle, level="observer", tag=""):
    member = Member.objects.create(workspace=workspace, name=handle, level=level)
    if tag:
        member.tags.add(Tag.objects.get_or_create(workspace=workspace, name=tag)[0])
    Identity.objects.create(
        workspace=workspace, member=member, network="feed", key=handle, remote_id=handle
    )
    return member


def test_a_newcomers_rule_leaves_regulars_alone(workspace, channel):
    rule(workspace, min_links=1, up_to_level="participant", action=Action.HOLD)
    known(workspace, "regular", level="contributor")
    known(workspace, "newbie", level="participant")
    for author in ("regular", "newbie", "stranger"):
        store(channel, f"Mon site https://{author}.example", author=author)
    moderate_new_events(workspace)
    held = sorted(i.author_remote_id for i in Item.objects.all())
    assert held == ["newbie", "stranger"]  # someone Liant does not know yet is an observer
    assert "author's level: participant" in Item.objects.get(author_remote_id="newbie").why


def test_a_rule_on_a_segment(workspace, channel):
    vip = Segment.objects.create(workspace=workspace, name="VIP", filters={"tags": ["vip"]})
    rule(workspace, words="promo", segment=vip, action=Action.HOLD)
    known(workspace, "vip", tag="vip")
    known(workspace, "other")
    store(channel, "code promo pour tous", author="vip")
    store(channel, "code promo pour tous", author="other")
    moderate_new_events(workspace)
    assert [i.author_remote_id for i in Item.objects.all()] == ["vip"]


def test_a_merged_member_is_judged_at_the_kept_members_level(workspace, channel):
    rule(workspace, min_links=1, up_to_level="observer", action=Action.HOLD)
    kept = known(workspace, "main", level="ambassador")
    old = known(workspace, "second")
    Member.objects.filter(pk=old.pk).update(merged_into=kept)
    store(channel, "https://x.example", author="second")
    moderate_new_events(workspace)
    assert not Item.objects.exists()
