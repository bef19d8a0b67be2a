"""Each module's events reach the subscribed endpoints from the rows the module writes."""

from __future__ import annotations

import json

import pytest

from liant.leads.models import Lead, StageChange
from liant.webhooks import events, tasks
from liant.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    monkeypatch.setattr(tasks, "deliver", lambda pk: None)


@pytest.fixture
def everything(workspace) -> Endpoint:
    return Endpoint.objects.create(
        workspace=workspace, url="https://bi.example", events=list(events.EVENTS)
    )


def bodies() -> list[dict]:
    return [
        json.loads(body) for body in Delivery.objects.order_by("pk").values_list("body", flat=True)
    ]


def test_a_lead_moving_is_announced(workspace, everything):
    lead = Lead.objects.create(workspace=workspace, name="Café du Port")
    StageChange.objects.create(lead=lead, from_stage="new", to_stage="qualified")

    [body] = bodies()
    assert body["type"] == "lead.stage_changed"
    assert body["data"]["lead"]["id"] == lead.pk
    assert (body["data"]["from"], body["data"]["to"]) == ("new", "qualified")


def test_closing_and_assigning_in_the_inbox_are_announced(workspace, everything, owner):
    events.conversation_changed(workspace.pk, 12, closed=True)
    events.conversation_changed(workspace.pk, 13, assigned=True, assignee_id=owner.pk)

    assert [b["type"] for b in bodies()] == ["conversation.closed", "conversation.assigned"]
    assert bodies()[1]["data"]["conversation"] == {"id": 13, "assignee": owner.pk}


def test_many_level_changes_cost_one_endpoint_query(
    workspace, everything, django_assert_num_queries
):
    items = [{"member": {"id": n}, "from": "observer", "to": "participant"} for n in range(50)]
    with django_assert_num_queries(2):  # the endpoints, then one insert
        assert events.emit_many(workspace.pk, "member.level_changed", items) == 50


def test_an_unknown_event_is_a_programming_error(workspace):
    with pytest.raises(AssertionError):
        events.emit(workspace.pk, "lead.teleported", {})
