"""A token of workspace B gets a 404 for every object of workspace A, on every endpoint that
takes an id (read from the OpenAPI document, so a new endpoint is covered the day it lands),
and sees none of A's rows in any list."""

from __future__ import annotations

import pytest

from liant.api.api import api as ninja_api
from tests.api.conftest import in_a_day, seed_more

pytestmark = pytest.mark.django_db

BODIES = {
    "/posts/{id}/schedule": {"at": None},
    "/conversations/{id}/reply": {"text": "hello"},
    "/conversations/{id}/assign": {"assignee": None},
    "/members/{id}": {"tags": ["x"]},
    "/leads/{id}/stage": {"stage": "won"},
    "/moderation/items/{id}/decide": {"decision": "remove"},
    "/members/{id}/erase": {"confirmation": "ERASE"},
    "/ideas/{id}/status": {"status": "declined"},
    "/newsletters/lists/{id}/subscribers": {"email": "x@example.org"},
}


def object_id(seeded, path: str) -> int:
    more = seeded.more
    objects = {
        "/channels/": seeded.channel,
        "/posts/": seeded.post,
        "/conversations/": seeded.conversation,
        "/members/": seeded.member,
        "/leads/": seeded.lead,
        "/moderation/items/": more.item,
        "/moderation/log/": more.entry,
        "/merges/": more.merge,
        "/verbatims/": more.verbatim,
        "/ideas/": more.idea,
        "/reports/": more.report,
        "/newsletters/lists/": more.mailing_list,
        "/newsletters/campaigns/": more.campaign,
        "/polls/": more.poll,
        "/contests/": more.contest,
        "/events/": more.meetup,
    }
    # The longest prefix names the object ("/moderation/items/{id}" is an item).
    found = sorted((p for p in objects if path.startswith(p)), key=len)
    assert found, f"{path}: say which object of workspace A it takes"
    return objects[found[-1]].pk


def operations():
    schema = ninja_api.get_openapi_schema()
    for full_path, methods in schema["paths"].items():
        path = full_path.removeprefix("/api/v1")
        if "{id}" in path:
            for method in methods:
                yield method, path


@pytest.fixture
def seeded(seeded, owner):
    seeded.more = seed_more(seeded, owner, "a")
    return seeded


@pytest.fixture
def other_seeded(other_seeded, outsider):
    other_seeded.more = seed_more(other_seeded, outsider, "b")
    return other_seeded


@pytest.mark.parametrize(("method", "path"), list(operations()))
def test_another_workspaces_object_is_a_404(outsider_api, seeded, other_seeded, method, path):
    url = path.replace("{id}", str(object_id(seeded, path)))
    client, headers = outsider_api.client, {**outsider_api.headers, "Idempotency-Key": "iso"}
    body = dict(BODIES.get(path, {}))
    if "at" in body:
        body["at"] = in_a_day()
    response = getattr(client, method)(
        f"/api/v1{url}", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 404, (method, path, response.content)
    assert response["Content-Type"] == "application/problem+json"
    # Their own object of the same kind is there (the 404 is the workspace, not the route).
    own = path.replace("{id}", str(object_id(other_seeded, path)))
    if method == "get":
        assert client.get(f"/api/v1{own}", headers=headers).status_code == 200


def test_lists_show_only_the_tokens_workspace(outsider_api, seeded, other_seeded):
    more = other_seeded.more
    for path, mine in [
        ("/moderation/items", more.item),
        ("/moderation/log", more.entry),
        ("/merges", more.merge),
        ("/verbatims", more.verbatim),
        ("/ideas", more.idea),
        ("/reports", more.report),
        ("/newsletters/lists", more.mailing_list),
        ("/newsletters/campaigns", more.campaign),
        ("/polls", more.poll),
        ("/contests", more.contest),
        ("/events", more.meetup),
        ("/channels", other_seeded.channel),
        ("/posts", other_seeded.post),
        ("/conversations", other_seeded.conversation),
        ("/mentions", other_seeded.mention),
        ("/queries", other_seeded.query),
        ("/leads", other_seeded.lead),
    ]:
        ids = [row["id"] for row in outsider_api.get(path).json()["items"]]
        assert ids == [mine.pk], path
    ids = {row["id"] for row in outsider_api.get("/members").json()["items"]}
    assert ids == {other_seeded.member.pk, more.merge.kept_id}
    start, end = "2026-11-01", "2026-12-01"
    assert outsider_api.get("/calendar", start=start, end=end).json()["items"] == []


def test_filters_cannot_reach_into_another_workspace(outsider_api, seeded, other_seeded):
    assert outsider_api.get("/posts", channel=seeded.channel.pk).json()["items"] == []
    assert outsider_api.get("/conversations", channel=seeded.channel.pk).json()["items"] == []
    assert outsider_api.get("/mentions", query=seeded.query.pk).json()["items"] == []


def test_nothing_was_changed_in_workspace_a(outsider_api, seeded, other_seeded):
    for method, path in operations():
        if method == "get":
            continue
        url = path.replace("{id}", str(object_id(seeded, path)))
        body = dict(BODIES.get(path, {}))
        if "at" in body:
            body["at"] = in_a_day()
        getattr(outsider_api.client, method)(
            f"/api/v1{url}",
            body,
            content_type="application/json",
            headers={**outsider_api.headers, "Idempotency-Key": f"k-{path}"},
        )
    seeded.post.refresh_from_db()
    seeded.conversation.refresh_from_db()
    seeded.lead.refresh_from_db()
    seeded.more.idea.refresh_from_db()
    seeded.more.item.refresh_from_db()
    assert seeded.more.idea.status == "received"
    assert seeded.more.item.state == "queued"
    assert not seeded.more.mailing_list.subscribers.exists()
    assert seeded.post.state == "draft"
    assert seeded.conversation.status == "open"
    assert seeded.lead.stage == "new"
    assert list(seeded.member.tags.values_list("name", flat=True)) == ["vip"]
