"""The settings page where admins make and revoke tokens."""

from __future__ import annotations

import pytest

from liant.api.models import ApiToken
from liant.core.models import AuditEvent
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def url(workspace) -> str:
    return f"/w/{workspace.slug}/settings/api-tokens/"


def test_an_admin_makes_a_token_shown_once(owner_client, workspace, seeded):
    response = owner_client.post(url(workspace), {"name": "CRM", "scope": "read", "expires": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    clear = response.context["clear"]
    assert clear.startswith("liant_") and clear.encode() in response.content
    assert token.expires_at is not None and token.scope == "read"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    listed = owner_client.get(url(workspace))
    assert clear.encode() not in listed.content and token.prefix.encode() in listed.content
    assert Api(clear).get("/channels").status_code == 200
    assert AuditEvent.objects.filter(action="api.token_created").exists()


def test_revoking_stops_the_token(owner_client, workspace, owner, seeded):
    token, clear = ApiToken.issue(workspace, owner, "Script", "admin")
    response = owner_client.post(f"{url(workspace)}{token.pk}/revoke/")
    assert response.status_code == 302
    assert Api(clear).get("/channels").status_code == 401


def test_a_community_manager_may_not_manage_tokens(member_client, workspace):
    assert member_client.get(url(workspace)).status_code == 403


def test_another_workspace_gets_nothing(outsider_client, workspace, owner):
    token, _clear = ApiToken.issue(workspace, owner, "Script", "admin")
    assert outsider_client.get(url(workspace)).status_code == 404
    assert outsider_client.post(f"{url(workspace)}{token.pk}/revoke/").status_code == 404
    other_url = f"/w/rival-brand/settings/api-tokens/{token.pk}/revoke/"
    assert outsider_client.post(other_url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_docs_are_served_without_a_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Liant"
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_the_settings_page_links_to_the_tokens(owner_client, workspace):
    assert url(workspace).encode() in owner_client.get(f"/w/{workspace.slug}/settings/").content
