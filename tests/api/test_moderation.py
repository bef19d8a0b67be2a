"""The review queue, decisions (idempotent, through liant.moderation.queue), undo, the log."""

from __future__ import annotations

import pytest

from liant.core.models import AuditEvent
from liant.moderation.models import ItemState, LogEntry, Outcome
from tests.api.conftest import Api, seed_more, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def more(seeded, owner):
    return seed_more(seeded, owner, "a")


def test_queue_lists_and_reads_items_with_filters(reader, more, seeded):
    items = reader.get("/moderation/items").json()["items"]
    assert [i["id"] for i in items] == [more.item.pk]
    assert items[0]["spam"] == 0.9 and items[0]["channel"] == seeded.channel.pk
    assert reader.get("/moderation/items", state="done").json()["items"] == []
    assert reader.get("/moderation/items", channel=seeded.channel.pk + 999).json()["items"] == []
    assert reader.get(f"/moderation/items/{more.item.pk}").json()["text"] == "Buy cheap pills"


def test_a_decision_is_recorded_once_and_can_be_undone(api, more):
    path = f"/moderation/items/{more.item.pk}/decide"
    assert api.post(path, {"decision": "remove"}).status_code == 422  # the key is required
    first = api.post(path, {"decision": "remove"}, key="k1")
    assert first.status_code == 200, first.content
    again = api.post(path, {"decision": "remove"}, key="k1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    entries = LogEntry.objects.filter(item=more.item)
    assert entries.count() == 1 and entries.get().outcome == Outcome.PENDING
    more.item.refresh_from_db()
    assert more.item.state == ItemState.DONE
    assert AuditEvent.objects.filter(action="moderation.decided").count() == 1
    # Another key on a decided item: a conflict, nothing recorded.
    assert api.post(path, {"decision": "ban"}, key="k2").status_code == 409
    entry = first.json()["entry"]
    undone = api.post(f"/moderation/log/{entry['id']}/undo")
    assert undone.status_code == 200 and undone.json()["outcome"] == "undone"
    more.item.refresh_from_db()
    assert more.item.state == ItemState.QUEUED
    assert api.post(f"/moderation/log/{entry['id']}/undo").status_code == 409


def test_the_log_lists_and_filters(reader, more):
    rows = reader.get("/moderation/log").json()["items"]
    assert [r["id"] for r in rows] == [more.entry.pk]
    assert reader.get("/moderation/log", outcome="pending").json()["items"] == []
    assert reader.get(f"/moderation/log/{more.entry.pk}").json()["action"] == "delete"


def test_read_and_publish_scopes_cannot_decide(workspace, owner, more):
    for scope in ("read", "publish"):
        caller = Api(token_for(workspace, owner, scope))
        path = f"/moderation/items/{more.item.pk}/decide"
        response = caller.post(path, {"decision": "approve"}, key=f"k-{scope}")
        assert response.status_code == 403, scope
        assert response.json()["permission"] == "moderation.act"
    moderator = Api(token_for(workspace, owner, "moderate"))
    response = moderator.post(path, {"decision": "approve"}, key="k-mod")
    assert response.status_code == 200


def test_a_role_without_moderation_sees_nothing(workspace, more):
    from liant.core.models import Role
    from tests.conftest import make_user

    analyst = make_user("analyst@brand.example", workspace, Role.ANALYST)
    assert Api(token_for(workspace, analyst, "admin")).get("/moderation/items").status_code == 403


def test_another_workspaces_item_is_a_404(outsider_api, more):
    assert outsider_api.get(f"/moderation/items/{more.item.pk}").status_code == 404
    path = f"/moderation/items/{more.item.pk}/decide"
    assert outsider_api.post(path, {"decision": "ban"}, key="x").status_code == 404
    assert outsider_api.post(f"/moderation/log/{more.entry.pk}/undo").status_code == 404
    more.item.refresh_from_db()
    assert more.item.state == ItemState.QUEUED
