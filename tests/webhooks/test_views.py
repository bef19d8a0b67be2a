from __future__ import annotations

import pytest

from liant.webhooks import tasks
from liant.webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    monkeypatch.setattr(tasks, "deliver", lambda pk: None)


def test_an_admin_adds_a_webhook_and_reads_its_secret_and_recipe(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/webhooks/",
        {"url": "https://93.184.215.14/hook", "events": ["lead.stage_changed"]},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    page = owner_client.get(f"/w/{workspace.slug}/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret in page and "X-Liant-Signature" in page


def test_a_private_address_is_refused_when_typed(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/webhooks/",
        {"url": "http://192.168.1.10/hook", "events": ["lead.stage_changed"]},
    )
    assert response.status_code == 400
    assert not Endpoint.objects.exists()


def test_ping_redeliver_and_switching_back_on(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(
        workspace=workspace,
        url="https://crm.example.com/hook",
        events=[],
        active=False,
        failures=12,
    )
    base = f"/w/{workspace.slug}/webhooks/{endpoint.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"{base}/action/", {"action": "ping"})
    ping = Delivery.objects.get(event="ping")
    Delivery.objects.filter(pk=ping.pk).update(state=DeliveryState.ABANDONED)

    owner_client.post(f"{base}/deliveries/{ping.pk}/redeliver/")
    owner_client.post(f"{base}/action/", {"action": "enable"})

    ping.refresh_from_db()
    endpoint.refresh_from_db()
    assert ping.state == DeliveryState.PENDING
    assert endpoint.active and endpoint.failures == 0


def test_people_without_the_right_or_from_elsewhere_get_nothing(
    member_client, outsider_client, workspace
):
    endpoint = Endpoint.objects.create(workspace=workspace, url="https://a.example", events=[])
    row = Delivery.objects.create(
        endpoint=endpoint, event="ping", event_id="8c1f5a52-5c8a-4b9e-9d6c-2f0f1a1b2c3d", body="{}"
    )
    base = f"/w/{workspace.slug}/webhooks/{endpoint.pk}"
    for client in (member_client, outsider_client):
        assert client.get(f"/w/{workspace.slug}/webhooks/").status_code in (403, 404)
        assert client.get(f"{base}/").status_code in (403, 404)
        assert client.post(f"{base}/action/", {"action": "delete"}).status_code in (403, 404)
        assert client.post(f"{base}/deliveries/{row.pk}/redeliver/").status_code in (403, 404)
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert outsider_client.get(f"{base}/").status_code == 404
