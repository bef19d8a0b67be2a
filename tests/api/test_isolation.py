"""A token of workspace B gets a 404 for every object of workspace A, on every endpoint that
takes an id (read from the OpenAPI document, so a new endpoint is covered the day it lands),
and sees none of A's rows in any list."""

from __future__ import annotations

import pytest

from liant.api.api import api as ninja_api
from tests.api.conftest import in_a_day

pytestmark = pytest.mark.django_db

BODIES = {
    "/posts/{id}/schedule": {"at": None},
    "/conversations/{id}/reply": {"text": "hello"},
    "/conversations/{id}/assign": {"assignee": None},
    "/members/{id}": {"tags": ["x"]},
    "/leads/{id}/stage": {"stage": "won"},
}


def object_id(seeded, path: str) -> int:
    kind = path.split("/")[1]
    objects = {
        "channels": seeded.channel,
        "posts": seeded.post,
        "conversations": seeded.conversation,
        "members": seeded.member,
        "leads": seeded.lead,
    }
    assert kind in objects, f"{path}: say which object of workspace A it takes"
    return objects[kind].pk


def operations():
    schema = ninja_api.get_openapi_schema()
    for full_path, methods in schema["paths"].items():
        path = full_path.removeprefix("/api/v1")
        if "{id}" in path:
            for method in methods:
                yield method, path


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
    for path, mine in [
        ("/channels", other_seeded.channel),
        ("/posts", other_seeded.post),
        ("/conversations", other_seeded.conversation),
        ("/members", other_seeded.member),
        ("/mentions", other_seeded.mention),
        ("/queries", other_seeded.query),
        ("/leads", other_seeded.lead),
    ]:
        ids = [row["id"] for row in outsider_api.get(path).json()["items"]]
        assert ids == [mine.pk], path


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
    assert seeded.post.state == "draft"
    assert seeded.conversation.status == "open"
    assert seeded.lead.stage == "new"
    assert list(seeded.member.tags.values_list("name", flat=True)) == ["vip"]
