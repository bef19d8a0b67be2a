"""A routing rule on a members segment: the author's current level, tags or consents decide."""

from __future__ import annotations

from django.utils import timezone

from liant.channels.models import Channel, Event
from liant.inbox import grouping, routing
from liant.inbox.models import Conversation, Label, RoutingRule
from liant.members.models import Identity, Member, Segment, Tag


def test_a_rule_on_a_segment_fires_only_for_its_members(workspace, owner_client):
    channel = Channel.objects.create(
        workspace=workspace, kind="mastodon", name="M", settings={"account_id": "1"}
    )
    pro = Tag.objects.create(workspace=workspace, name="pro")
    segment = Segment.objects.create(workspace=workspace, name="Pros", filters={"tags": ["pro"]})
    label = Label.objects.create(workspace=workspace, name="Pro")
    RoutingRule.objects.create(workspace=workspace, name="Pros", segment=segment, add_label=label)
    # Jo is a known member tagged "pro"; Sam is new.
    jo = Member.objects.create(workspace=workspace, name="Jo")
    jo.tags.add(pro)
    Identity.objects.create(
        workspace=workspace,
        member=jo,
        network="mastodon",
        key="https://m.example/@jo",
        remote_id="20",
        handle="jo",
    )
    for n, author in enumerate(["20", "30"]):
        Event.objects.create(
            workspace=workspace,
            channel=channel,
            kind="mention",
            remote_id=f"s{n}",
            author_remote_id=author,
            author_handle=f"h{author}",
            author_url=f"https://m.example/@{'jo' if author == '20' else 'sam'}",
            text="Bonjour, une question",
            occurred_at=timezone.now(),
        )
    routing.route_new(grouping.group_workspace(workspace.pk))
    labelled = Conversation.objects.filter(labels=label)
    assert list(labelled.values_list("contact_remote_id", flat=True)) == ["20"]
    # Sam became a member as routing read his message; tagging him brings him in.
    sam = Member.objects.get(identities__remote_id="30")
    rules = list(routing.active_rules(workspace.pk))
    assert routing.evaluate(rules, routing.Sample("Bonjour", member_id=jo.pk)) != []
    assert routing.evaluate(rules, routing.Sample("Bonjour", member_id=sam.pk)) == []
    sam.tags.add(pro)
    assert routing.evaluate(rules, routing.Sample("Bonjour", member_id=sam.pk)) != []
    assert routing.evaluate(rules, routing.Sample("Bonjour")) == []
    url = f"/w/{workspace.slug}/inbox/rules/test/"
    page = owner_client.post(url, {"text": "Bonjour", "member": jo.pk})
    assert page.status_code == 200 and page.context["fired"] == rules
