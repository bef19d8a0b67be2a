"""Verbatims kept through liant.feedback.verbatims, ideas' statuses through ideas.change_status."""

from __future__ import annotations

import pytest

from liant.core.models import Role
from liant.feedback.models import Idea, Verbatim
from tests.api.conftest import Api, token_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(workspace):
    return Idea.objects.create(workspace=workspace, title="Dark mode")


def test_keep_a_verbatim_from_a_message_once(api, seeded):
    first = api.post("/verbatims", {"message": seeded.message.pk})
    assert first.status_code == 201, first.content
    assert first.json()["text"] == "Où en est ma commande ?"
    again = api.post("/verbatims", {"message": seeded.message.pk})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    from_mention = api.post("/verbatims", {"mention": seeded.mention.pk})
    assert from_mention.status_code == 201
    assert from_mention.json()["sentiment"] == "positive"
    listed = api.get("/verbatims").json()["items"]
    assert {v["id"] for v in listed} == {first.json()["id"], from_mention.json()["id"]}
    assert [v["mention"] for v in api.get("/verbatims", sentiment="positive").json()["items"]] == [
        seeded.mention.pk
    ]
    assert api.get(f"/verbatims/{first.json()['id']}").json()["message"] == seeded.message.pk


def test_a_verbatim_needs_one_source_of_this_workspace(api, seeded, other_seeded):
    assert api.post("/verbatims", {}).status_code == 422
    both = {"message": seeded.message.pk, "mention": seeded.mention.pk}
    assert api.post("/verbatims", both).status_code == 422
    assert api.post("/verbatims", {"message": other_seeded.message.pk}).status_code == 404
    assert not Verbatim.objects.exists()


def test_ideas_list_read_and_change_status(api, idea):
    assert [i["id"] for i in api.get("/ideas").json()["items"]] == [idea.pk]
    assert api.get("/ideas", status="shipped").json()["items"] == []
    assert api.get(f"/ideas/{idea.pk}").json()["status"] == "received"
    path = f"/ideas/{idea.pk}/status"
    body = {"status": "planned", "public_reason": "Next quarter"}
    assert api.post(path, body).status_code == 422  # an Idempotency-Key is required
    response = api.post(path, body, key="s1")
    assert response.status_code == 200, response.content
    assert response.json()["idea"]["status"] == "planned"
    assert response.json()["notices_queued"] == 0
    assert api.post(path, body, key="s1")["Idempotent-Replayed"] == "true"
    idea.refresh_from_db()
    assert idea.public_reason == "Next quarter" and idea.status_changed_at


def test_feedback_needs_feedback_manage(workspace, owner, seeded, idea):
    # feedback.manage is outside the read, publish and moderate scopes…
    for scope in ("read", "publish", "moderate"):
        caller = Api(token_for(workspace, owner, scope))
        assert caller.get("/ideas").status_code == 403
        assert caller.post("/verbatims", {"message": seeded.message.pk}).status_code == 403
    # …and outside a moderator's role.
    moderator = make_user("mod@brand.example", workspace, Role.MODERATOR)
    assert Api(token_for(workspace, moderator, "admin")).get("/verbatims").status_code == 403


def test_another_workspaces_feedback_is_a_404(outsider_api, api, seeded, idea):
    kept = api.post("/verbatims", {"message": seeded.message.pk}).json()
    assert outsider_api.get(f"/verbatims/{kept['id']}").status_code == 404
    assert outsider_api.get(f"/ideas/{idea.pk}").status_code == 404
    body = {"status": "declined"}
    assert outsider_api.post(f"/ideas/{idea.pk}/status", body, key="x").status_code == 404
    assert outsider_api.post("/verbatims", {"message": seeded.message.pk}).status_code == 404
    idea.refresh_from_db()
    assert idea.status == "received"
