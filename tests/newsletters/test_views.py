"""Newsletter pages: "newsletters.manage" for all of them; an outsider gets 404, a moderator
403; every object is found through the workspace."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liant.core.permissions import Role
from liant.newsletters.models import Campaign, MailingList, SendingSettings, Subscriber
from tests.conftest import client_for, make_user
from tests.newsletters.conftest import per_recipient, subscribe

pytestmark = pytest.mark.django_db


def pages(ws: str, list_pk: int, campaign_pk: int) -> list[str]:
    base = f"/w/{ws}/newsletters"
    return [
        f"{base}/",
        f"{base}/settings/",
        f"{base}/lists/new/",
        f"{base}/lists/{list_pk}/",
        f"{base}/lists/{list_pk}/edit/",
        f"{base}/lists/{list_pk}/import/",
        f"{base}/campaigns/new/",
        f"{base}/campaigns/{campaign_pk}/",
        f"{base}/campaigns/{campaign_pk}/edit/",
        f"{base}/campaigns/{campaign_pk}/preview/",
        f"{base}/campaigns/{campaign_pk}/preview/?lang=en",
    ]


def test_a_manager_sees_every_page(workspace, owner_client, mailing_list, campaign):
    for url in pages(workspace.slug, mailing_list.pk, campaign.pk):
        assert owner_client.get(url).status_code == 200, url


def test_an_outsider_gets_404_and_a_moderator_403(
    workspace, owner, outsider_client, mailing_list, campaign
):
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    for url in pages(workspace.slug, mailing_list.pk, campaign.pk):
        assert outsider_client.get(url).status_code == 404, url
        assert moderator.get(url).status_code == 403, url
    post_only = f"/w/{workspace.slug}/newsletters/campaigns/{campaign.pk}/schedule/"
    assert outsider_client.post(post_only).status_code == 404
    assert moderator.post(post_only).status_code == 403


def test_objects_of_another_workspace_are_404(other_workspace, workspace, owner_client):
    foreign = MailingList.objects.create(workspace=other_workspace, name="Theirs")
    assert (
        owner_client.get(f"/w/{workspace.slug}/newsletters/lists/{foreign.pk}/").status_code == 404
    )


def test_a_list_and_a_campaign_are_created_from_the_pages(workspace, owner_client):
    base = f"/w/{workspace.slug}/newsletters"
    response = owner_client.post(
        f"{base}/lists/new/", {"name": "Gazette", "consent_text": "Oui, je veux la Gazette."}
    )
    mailing_list = MailingList.objects.get(workspace=workspace)
    assert response.status_code == 302
    response = owner_client.post(
        f"{base}/campaigns/new/",
        {
            "name": "Décembre",
            "mailing_list": mailing_list.pk,
            "sender_name": "Maison",
            "sender_address": "news@brand.example",
            "subject_fr": "Décembre",
            "body_fr": "Bonjour **à tous**",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(workspace=workspace)
    page = owner_client.get(f"{base}/campaigns/{campaign.pk}/preview/")
    assert "à tous" in page.content.decode()


def test_a_campaign_needs_a_body(workspace, owner_client, mailing_list):
    response = owner_client.post(
        f"/w/{workspace.slug}/newsletters/campaigns/new/",
        {"name": "Vide", "mailing_list": mailing_list.pk, "sender_name": "M",
         "sender_address": "n@brand.example"},
    )  # fmt: skip
    assert response.status_code == 200 and not Campaign.objects.exists()


def test_import_page_reports_row_by_row(workspace, owner_client, mailing_list):
    data = b"email,consent_date,consent_text\nana@people.example,2026-01-02,Oui\nbob@people.example,,\n"
    response = owner_client.post(
        f"/w/{workspace.slug}/newsletters/lists/{mailing_list.pk}/import/",
        {"file": SimpleUploadedFile("list.csv", data, content_type="text/csv")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "ana@people.example" in body and "bob@people.example" in body
    assert Subscriber.objects.filter(mailing_list=mailing_list).count() == 1


def test_test_send_and_send_now_from_the_campaign_page(
    workspace, owner_client, mailing_list, campaign, sending_settings, outbox
):
    subscribe(mailing_list, 4)
    base = f"/w/{workspace.slug}/newsletters/campaigns/{campaign.pk}"
    owner_client.post(f"{base}/test/", {"address": "me@brand.example", "language": "fr"})
    assert per_recipient(outbox) == {"me@brand.example": 1}
    owner_client.post(f"{base}/schedule/", {"scheduled_at": ""})
    campaign.refresh_from_db()
    assert campaign.state == "sent"  # the queue runs tasks at once in tests
    assert len(per_recipient(outbox)) == 5
    page = owner_client.get(f"{base}/").content.decode()
    assert "Opens and clicks are not tracked" in page


def test_scheduling_in_the_future_sends_nothing_yet(
    workspace, owner_client, mailing_list, campaign, sending_settings, outbox
):
    subscribe(mailing_list, 2)
    owner_client.post(
        f"/w/{workspace.slug}/newsletters/campaigns/{campaign.pk}/schedule/",
        {"scheduled_at": "2099-01-01T10:00"},
    )
    campaign.refresh_from_db()
    assert campaign.state == "scheduled" and not outbox.messages


def test_passwords_are_kept_when_left_empty(workspace, owner_client):
    url = f"/w/{workspace.slug}/newsletters/settings/"
    data = {"smtp_host": "smtp.brand.example", "smtp_port": 587, "smtp_security": "starttls",
            "smtp_username": "u", "smtp_password": "secret", "per_minute": 100,
            "imap_port": 993, "imap_security": "ssl"}  # fmt: skip
    assert owner_client.post(url, data).status_code == 302
    data["smtp_password"] = ""
    owner_client.post(url, data)
    assert SendingSettings.of(workspace.pk).smtp_password == "secret"
    assert b"secret" not in owner_client.get(url).content
