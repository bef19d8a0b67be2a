"""Lists, subscribers (added only through the double opt-in), campaigns and their figures."""

from __future__ import annotations

import pytest
from django.core import mail

from liant.newsletters.models import Campaign, MailingList, Send, Subscriber
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailing_list(workspace):
    return MailingList.objects.create(workspace=workspace, name="News")


@pytest.fixture
def campaign(workspace, mailing_list):
    return Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name="November",
        sender_name="Brand",
        sender_address="news@brand.example",
        state="sent",
    )


def test_lists_and_subscribers(api, mailing_list):
    assert [m["id"] for m in api.get("/newsletters/lists").json()["items"]] == [mailing_list.pk]
    assert api.get(f"/newsletters/lists/{mailing_list.pk}").json()["subscribed"] == 0
    assert api.get(f"/newsletters/lists/{mailing_list.pk}/subscribers").json()["items"] == []


def test_adding_a_subscriber_is_the_double_opt_in(api, mailing_list):
    path = f"/newsletters/lists/{mailing_list.pk}/subscribers"
    body = {"email": "Zoe@Example.org", "name": "Zoé", "language": "fr"}
    assert api.post(path, body).status_code == 422  # an Idempotency-Key is required
    response = api.post(path, body, key="n1")
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "pending" and response.json()["email"] == "zoe@example.org"
    assert len(mail.outbox) == 1 and "zoe@example.org" in mail.outbox[0].to
    # The same key: the same answer, no second mail.
    assert api.post(path, body, key="n1")["Idempotent-Replayed"] == "true"
    assert len(mail.outbox) == 1
    subscriber = Subscriber.objects.get()
    assert subscriber.state == "pending" and subscriber.subscribed_at is None
    pending = api.get(path, state="pending").json()["items"]
    assert [s["id"] for s in pending] == [subscriber.pk]
    assert api.get(path, state="subscribed").json()["items"] == []


def test_a_bad_address_is_refused(api, mailing_list):
    path = f"/newsletters/lists/{mailing_list.pk}/subscribers"
    response = api.post(path, {"email": "not an address"}, key="bad")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "email"
    assert not Subscriber.objects.exists() and not mail.outbox


def test_campaigns_and_their_figures(api, campaign, mailing_list):
    assert [c["id"] for c in api.get("/newsletters/campaigns").json()["items"]] == [campaign.pk]
    assert api.get("/newsletters/campaigns", state="draft").json()["items"] == []
    assert api.get(f"/newsletters/campaigns/{campaign.pk}").json()["name"] == "November"
    Send.objects.create(campaign=campaign, email="a@example.org", state="sent")
    figures = api.get(f"/newsletters/campaigns/{campaign.pk}/stats").json()
    assert figures["recipients"] == 1 and figures["sent"] == 1 and figures["delivered"] == 1
    assert figures["opened"] is None  # not tracked


def test_newsletters_need_newsletters_manage(workspace, owner, mailing_list):
    for scope in ("read", "publish", "moderate"):
        caller = Api(token_for(workspace, owner, scope))
        assert caller.get("/newsletters/lists").status_code == 403
        path = f"/newsletters/lists/{mailing_list.pk}/subscribers"
        assert caller.post(path, {"email": "a@example.org"}, key=scope).status_code == 403
    assert not mail.outbox


def test_another_workspaces_lists_are_404(outsider_api, mailing_list, campaign):
    assert outsider_api.get(f"/newsletters/lists/{mailing_list.pk}").status_code == 404
    path = f"/newsletters/lists/{mailing_list.pk}/subscribers"
    assert outsider_api.post(path, {"email": "a@example.org"}, key="x").status_code == 404
    assert outsider_api.get(f"/newsletters/campaigns/{campaign.pk}/stats").status_code == 404
    assert not mail.outbox and not Subscriber.objects.exists()
