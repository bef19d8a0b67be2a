"""Every endpoint's happy path, its filters, and that it goes through the modules' services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from liant.channels.models import Channel
from liant.core.models import AuditEvent
from liant.inbox.models import BulkAction, Message, SendState, Status
from liant.leads.models import StageChange
from liant.listening.models import Mention
from liant.publishing.models import Post, Transition
from tests.api.conftest import T0, in_a_day
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_channels_list_filters_and_health(api, seeded, workspace):
    Channel.objects.create(workspace=workspace, kind="feed", name="Blog", health="failing")
    assert [c["name"] for c in api.get("/channels").json()["items"]] == ["Blog", "Mastodon a"]
    assert [c["name"] for c in api.get("/channels", health="failing").json()["items"]] == ["Blog"]
    assert [c["name"] for c in api.get("/channels", kind="mastodon").json()["items"]] == [
        "Mastodon a"
    ]
    detail = api.get(f"/channels/{seeded.channel.pk}").json()
    assert detail["health"] == "ok" and detail["last_error"] == ""
    assert "fetch_interval" in detail


def test_posts_list_read_and_filters(api, seeded):
    items = api.get("/posts").json()["items"]
    assert [p["id"] for p in items] == [seeded.post.pk]
    assert items[0]["variants"][0]["channel"] == seeded.channel.pk
    assert api.get("/posts", state="scheduled").json()["items"] == []
    assert len(api.get("/posts", state="draft", channel=seeded.channel.pk).json()["items"]) == 1
    assert api.get(f"/posts/{seeded.post.pk}").json()["title"] == "Post a"


def test_create_a_draft_post_with_variants(api, seeded, owner):
    response = api.post(
        "/posts",
        {
            "title": "Launch",
            "tags": ["news", "news", " launch "],
            "variants": [
                {
                    "channel": seeded.channel.pk,
                    "text": "It is out",
                    "link": "https://example.org/x",
                    "thread": ["and more", " "],
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["tags"] == ["news", "launch"]
    assert body["variants"][0]["thread"] == ["and more"]
    post = Post.objects.get(pk=body["id"])
    assert post.owner == owner
    assert AuditEvent.objects.filter(action="post.created", target_id=str(post.pk)).exists()


def test_create_refuses_an_unknown_channel_field_by_field(api, seeded, other_seeded):
    response = api.post(
        "/posts",
        {"variants": [{"channel": other_seeded.channel.pk, "text": "x", "link": "nope"}]},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"variants.0.channel", "variants.0.link"}
    assert not Post.objects.filter(workspace=seeded.workspace).exclude(pk=seeded.post.pk).exists()


def test_a_body_that_breaks_the_schema_is_a_422_with_the_field(api, seeded):
    response = api.post("/posts", {"variants": "many"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "variants"


def test_schedule_through_the_editorial_functions(api, seeded):
    response = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": in_a_day()}, key="s-1")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "scheduled"
    assert response.json()["variants"][0]["state"] == "scheduled"
    assert Transition.objects.filter(post=seeded.post, to_state="scheduled").exists()
    again = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": in_a_day()}, key="s-2")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:liant:problem:state-conflict"


def test_schedule_refuses_the_past_and_an_unpublishable_post(api, seeded):
    past = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": T0.isoformat()}, key="p-1")
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "at"
    seeded.variant.text = "x" * 5000  # longer than Mastodon takes
    seeded.variant.save()
    refused = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": in_a_day()}, key="p-2")
    assert refused.status_code == 422, refused.content
    assert refused.json()["problems"]
    seeded.post.refresh_from_db()
    assert seeded.post.state == "draft"


def test_approve_needs_the_approve_permission_and_a_state_that_allows_it(api, seeded, workspace):
    response = api.post(f"/posts/{seeded.post.pk}/approve")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert api.post(f"/posts/{seeded.post.pk}/approve").status_code == 409
    moderator = make_user("mod@brand.example", workspace, "moderator")
    from tests.api.conftest import Api, token_for

    other = Post.objects.create(workspace=workspace)
    forbidden = Api(token_for(workspace, moderator, "admin")).post(f"/posts/{other.pk}/approve")
    assert forbidden.status_code == 403


def test_conversations_list_filters_and_read(api, seeded, workspace, owner):
    closed = seeded.conversation.__class__.objects.create(
        workspace=workspace,
        channel=seeded.channel,
        key="thread:closed",
        status=Status.CLOSED,
        assignee=owner,
        last_activity_at=T0 - timedelta(hours=1),
    )
    ids = lambda **f: [c["id"] for c in api.get("/conversations", **f).json()["items"]]  # noqa: E731
    assert ids() == [seeded.conversation.pk]  # the active ones by default
    assert ids(status="all") == [seeded.conversation.pk, closed.pk]
    assert ids(status="closed") == [closed.pk]
    assert ids(status="all", assignee="me") == [closed.pk]
    assert ids(status="all", assignee="none") == [seeded.conversation.pk]
    assert ids(status="all", assignee=str(owner.pk)) == [closed.pk]
    assert ids(status="all", channel=seeded.channel.pk) == [seeded.conversation.pk, closed.pk]
    assert api.get("/conversations", status="bogus").status_code == 422
    detail = api.get(f"/conversations/{seeded.conversation.pk}").json()
    assert detail["subject"] == "Ma commande"
    messages = api.get(f"/conversations/{seeded.conversation.pk}/messages").json()["items"]
    assert [m["id"] for m in messages] == [seeded.message.pk]


def test_reply_goes_through_the_reply_queue(api, seeded, owner):
    response = api.post(
        f"/conversations/{seeded.conversation.pk}/reply", {"text": "C'est parti !"}, key="r-1"
    )
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["id"])
    assert message.direction == "out" and message.state == SendState.QUEUED
    assert message.sent_by == owner and message.in_reply_to == seeded.message


def test_reply_without_a_key_is_refused(api, seeded):
    response = api.post(f"/conversations/{seeded.conversation.pk}/reply", {"text": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Message.objects.filter(direction="out").exists()


def test_assign_and_close_through_bulk_actions(api, seeded, owner, workspace):
    url = f"/conversations/{seeded.conversation.pk}"
    assert api.post(f"{url}/assign", {"assignee": owner.pk}).json()["assignee"] == owner.pk
    outsider = make_user("nobody@elsewhere.example")
    refused = api.post(f"{url}/assign", {"assignee": outsider.pk})
    assert refused.status_code == 422
    assert api.post(f"{url}/assign", {"assignee": None}).json()["assignee"] is None
    closed = api.post(f"{url}/close").json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert BulkAction.objects.filter(workspace=workspace).count() == 3


def test_members_list_read_update(api, seeded, workspace):
    other = seeded.member.__class__.objects.create(
        workspace=workspace, name="Zoé", level="ambassador"
    )
    items = api.get("/members").json()["items"]
    assert [m["id"] for m in items] == [other.pk, seeded.member.pk]
    assert [m["id"] for m in api.get("/members", tag="vip").json()["items"]] == [seeded.member.pk]
    assert [m["id"] for m in api.get("/members", level="ambassador").json()["items"]] == [other.pk]
    detail = api.get(f"/members/{seeded.member.pk}").json()
    assert detail["tags"] == ["vip"] and detail["identities"][0]["handle"] == "@ana"
    changed = api.patch(
        f"/members/{seeded.member.pk}",
        {"tags": ["client", "vip", " "], "custom_fields": {"city": "Lyon"}},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["tags"] == ["client", "vip"]
    assert changed.json()["custom_fields"] == {"city": "Lyon"}
    only_tags = api.patch(f"/members/{seeded.member.pk}", {"tags": []}).json()
    assert only_tags["tags"] == [] and only_tags["custom_fields"] == {"city": "Lyon"}


def test_merged_and_erased_members_are_not_served(api, seeded, workspace):
    from django.utils import timezone

    seeded.member.erased_at = timezone.now()
    seeded.member.save()
    assert api.get(f"/members/{seeded.member.pk}").status_code == 404


def test_mentions_and_queries(api, seeded, workspace):
    later = Mention.objects.create(
        workspace=workspace,
        source="bluesky",
        remote_id="m-later",
        text="brand is bad",
        sentiment="negative",
        sentiment_score=-0.7,
        occurred_at=T0 + timedelta(hours=2),
        dedupe_key="later",
        language="en",
    )
    ids = lambda **f: [m["id"] for m in api.get("/mentions", **f).json()["items"]]  # noqa: E731
    assert ids() == [later.pk, seeded.mention.pk]
    assert ids(sentiment="negative") == [later.pk]
    assert ids(source="mastodon") == [seeded.mention.pk]
    assert ids(query=seeded.query.pk) == [seeded.mention.pk]
    assert ids(language="en") == [later.pk]
    assert ids(since=(T0 + timedelta(hours=1)).isoformat()) == [later.pk]
    assert ids(until=(T0 + timedelta(hours=1)).isoformat()) == [seeded.mention.pk]
    assert api.get("/mentions").json()["items"][1]["queries"] == [seeded.query.pk]
    queries = api.get("/queries").json()["items"]
    assert [q["name"] for q in queries] == ["Brand a"]
    assert api.get("/queries", active="false").json()["items"] == []


def test_leads_list_read_and_stage(api, seeded, owner):
    assert [lead["id"] for lead in api.get("/leads").json()["items"]] == [seeded.lead.pk]
    assert api.get("/leads", stage="won").json()["items"] == []
    assert api.get(f"/leads/{seeded.lead.pk}").json()["email"] == "bob-a@example.org"
    moved = api.post(f"/leads/{seeded.lead.pk}/stage", {"stage": "qualified"}, key="l-1")
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "qualified"
    change = StageChange.objects.get(lead=seeded.lead)
    assert change.by == owner and change.from_stage == "new"
    assert [lead["id"] for lead in api.get("/leads", stage="qualified").json()["items"]] == [
        seeded.lead.pk
    ]


def test_far_dates_are_refused_not_crashed_on(api, seeded):
    far = "9999-12-31T23:00:00-23:00"
    assert api.get("/mentions", since=far).status_code == 422
    response = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": far}, key="far")
    assert response.status_code == 422
