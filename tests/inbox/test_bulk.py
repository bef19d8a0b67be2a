from __future__ import annotations

import pytest

from liant.inbox import grouping
from liant.inbox.models import BulkAction, Conversation, Label, Status
from tests.inbox.conftest import stored, ws_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(channel) -> list[Conversation]:
    for n in range(3):
        stored(channel, f"question {n}", thread=f"t{n}")
    grouping.group_all()
    return list(Conversation.objects.order_by("pk"))


def test_close_a_selection_then_undo_it(owner_client, workspace, three):
    a, b, c = three
    Conversation.objects.filter(pk=b.pk).update(status=Status.PENDING)
    response = owner_client.post(
        ws_url(workspace, "bulk/"),
        {"ids": [a.pk, b.pk], "action": "close", "back": "status=all&evil=1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=all")
    assert set(Conversation.objects.filter(status="closed").values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }
    page = owner_client.get(ws_url(workspace)).content.decode()
    assert "Undo the last change (2 conversations)" in page
    done = BulkAction.objects.get()
    owner_client.post(ws_url(workspace, f"bulk/{done.pk}/undo/"))
    assert dict(Conversation.objects.values_list("pk", "status")) == {
        a.pk: "open",
        b.pk: "pending",
        c.pk: "open",
    }
    # Undoing twice restores nothing more.
    owner_client.post(ws_url(workspace, f"bulk/{done.pk}/undo/"))
    assert BulkAction.objects.get().undone_at is not None


def test_assign_and_label_then_undo(owner_client, workspace, three, member):
    a, b, _c = three
    label = Label.objects.create(workspace=workspace, name="VIP")
    a.labels.add(label)
    owner_client.post(
        ws_url(workspace, "bulk/"), {"ids": [a.pk, b.pk], "action": "label", "label": label.pk}
    )
    owner_client.post(
        ws_url(workspace, "bulk/"), {"ids": [a.pk], "action": "assign", "assignee": member.pk}
    )
    assert Conversation.objects.get(pk=a.pk).assignee == member
    assert b.labels.filter(pk=label.pk).exists()
    label_action = BulkAction.objects.get(action="label")
    owner_client.post(ws_url(workspace, f"bulk/{label_action.pk}/undo/"))
    assert a.labels.filter(pk=label.pk).exists()  # it had the label before: kept
    assert not b.labels.filter(pk=label.pk).exists()


def test_the_outsider_can_neither_act_nor_undo(outsider_client, owner_client, workspace, three):
    a = three[0]
    assert (
        outsider_client.post(
            ws_url(workspace, "bulk/"), {"ids": [a.pk], "action": "close"}
        ).status_code
        == 404
    )
    owner_client.post(ws_url(workspace, "bulk/"), {"ids": [a.pk], "action": "close"})
    done = BulkAction.objects.get()
    assert outsider_client.post(ws_url(workspace, f"bulk/{done.pk}/undo/")).status_code == 404
    assert Conversation.objects.get(pk=a.pk).status == "closed"


def test_ids_of_another_workspace_are_ignored(owner_client, workspace, other_channel, three):
    stored(other_channel, "theirs", thread="x")
    grouping.group_all()
    theirs = Conversation.objects.get(workspace=other_channel.workspace)
    owner_client.post(ws_url(workspace, "bulk/"), {"ids": [theirs.pk], "action": "close"})
    assert Conversation.objects.get(pk=theirs.pk).status == "open"
