"""Leads pages: who may see and change what, the board's buttons, the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings

from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.leads.models import Form, Lead, LeadSettings, Stage, StageChange
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(workspace) -> Lead:
    return Lead.objects.create(
        workspace=workspace,
        name='=HYPERLINK("http://evil.example","click")',
        email="claire@cafe.example",
        company="+33 Café",
        notes="-1 carton\n@sales",
        source="form: Contact",
        value="250.00",
    )


@pytest.fixture
def analyst_client(workspace):
    return client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))


def test_the_board_shows_a_column_per_stage(owner_client, workspace, lead):
    page = owner_client.get(f"/w/{workspace.slug}/leads/").content.decode()
    for label in ("New", "Qualified", "Handed to sales", "Won", "Lost"):
        assert label in page
    assert "HYPERLINK" in page  # shown as text, escaped by the template


def test_a_button_moves_the_lead_and_the_move_is_recorded(owner_client, owner, workspace, lead):
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/{lead.pk}/move/", {"stage": Stage.QUALIFIED}
    )
    assert response.status_code == 302
    change = StageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.by) == ("new", "qualified", owner)
    event = AuditEvent.objects.get(action="leads.moved")
    assert event.actor == owner and event.data["to_stage"] == "qualified"
    page = owner_client.get(f"/w/{workspace.slug}/leads/{lead.pk}/").content.decode()
    assert owner.email in page  # the history says who


def test_an_outsider_gets_404_even_on_a_post(outsider_client, workspace, lead):
    for url in (
        f"/w/{workspace.slug}/leads/",
        f"/w/{workspace.slug}/leads/list/export.csv",
        f"/w/{workspace.slug}/leads/{lead.pk}/",
    ):
        assert outsider_client.get(url).status_code == 404
    response = outsider_client.post(
        f"/w/{workspace.slug}/leads/{lead.pk}/move/", {"stage": Stage.WON}
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW


def test_a_role_that_may_only_see_leads_cannot_change_them(analyst_client, workspace, lead):
    assert analyst_client.get(f"/w/{workspace.slug}/leads/").status_code == 200
    move = analyst_client.post(f"/w/{workspace.slug}/leads/{lead.pk}/move/", {"stage": "won"})
    assert move.status_code == 403
    edit = analyst_client.post(f"/w/{workspace.slug}/leads/{lead.pk}/", {"name": "x"})
    assert edit.status_code == 403
    assert analyst_client.get(f"/w/{workspace.slug}/leads/forms/new/").status_code == 403
    assert analyst_client.get(f"/w/{workspace.slug}/leads/settings/").status_code == 403
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW and lead.name.startswith("=")


def test_the_csv_export_neutralises_formulas(owner_client, workspace, lead):
    response = owner_client.get(f"/w/{workspace.slug}/leads/list/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["company"] == "'+33 Café"
    assert rows[0]["notes"] == "'-1 carton\n@sales"
    assert rows[0]["email"] == "claire@cafe.example"


def test_the_list_filters_by_stage(owner_client, workspace, lead):
    Lead.objects.create(workspace=workspace, name="Gagné", stage=Stage.WON)
    page = owner_client.get(f"/w/{workspace.slug}/leads/list/?stage=won").content.decode()
    assert "Gagné" in page and "HYPERLINK" not in page


def test_a_form_is_made_and_its_snippet_posts_to_the_absolute_address(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/forms/new/",
        {
            "name": "Grossistes",
            "purpose": "lead",
            "fields_asked": ["name", "company", "phone"],
            "custom": "Volume mensuel (kg)\nVille",
            "consent_text_fr": "J'accepte d'être recontacté.",
            "consent_text_en": "",
            "allowed_origins": "https://www.example.com/",
            "redirect_url": "",
            "campaign": "",
        },
    )
    assert response.status_code == 302
    form = Form.objects.get(workspace=workspace)
    assert form.asked() == ["name", "email", "company", "phone"]
    assert form.custom_labels == ["Volume mensuel (kg)", "Ville"]
    page = owner_client.get(response["Location"]).content.decode()
    assert f"action=&quot;{settings.SITE_URL}/forms/{form.token}/&quot;" in page
    assert "custom_2" in page and "embed.js" in page


def test_an_address_after_sending_must_be_http(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/forms/new/",
        {"name": "X", "purpose": "contact", "redirect_url": "javascript:alert(1)"},
    )
    assert response.status_code == 200 and not Form.objects.exists()


def test_the_webhook_secret_is_kept_when_left_empty(owner_client, workspace):
    lead_settings = LeadSettings.of(workspace.pk)
    lead_settings.webhook_secret = "gardé"
    lead_settings.save()
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/settings/",
        {"sales_email": "", "currency": "eur", "webhook_url": "", "webhook_secret": ""},
    )
    assert response.status_code == 302
    lead_settings.refresh_from_db()
    assert lead_settings.webhook_secret == "gardé" and lead_settings.currency == "EUR"


def test_a_lead_met_on_a_channel_is_added_by_hand(owner_client, owner, workspace):
    from liant.channels.models import Channel

    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/new/",
        {"name": "Bar Paul", "email": "paul@bar.example", "channel": channel.pk, "value": "80"},
    )
    assert response.status_code == 302
    lead = Lead.objects.get(workspace=workspace)
    assert lead.source == "channel: Mastodon" and lead.stage == Stage.NEW
    assert lead.currency == "EUR"


def test_another_workspaces_channel_cannot_be_chosen(owner_client, workspace, other_workspace):
    from liant.channels.models import Channel

    theirs = Channel.objects.create(workspace=other_workspace, kind="mastodon", name="Theirs")
    response = owner_client.post(
        f"/w/{workspace.slug}/leads/new/", {"name": "X", "channel": theirs.pk}
    )
    assert response.status_code == 200 and not Lead.objects.exists()
