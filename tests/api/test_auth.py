"""Who may call: tokens (missing, unknown, expired, revoked, scope) and the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from liant.api.models import ApiToken, hash_token
from liant.core.models import Membership
from liant.core.permissions import Role
from tests.api.conftest import Api, in_a_day, token_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body


def test_no_token_is_a_401_problem(seeded):
    response = Client().get("/api/v1/channels")
    body = assert_problem(response, 401)
    assert body["instance"] == "/api/v1/channels"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_token_on_a_post_is_a_401_not_a_csrf_refusal(seeded):
    response = Client().post(f"/api/v1/posts/{seeded.post.pk}/approve")
    assert_problem(response, 401)


@pytest.mark.parametrize("token", ["liant_nope", "not-a-liant-token", ""])
def test_an_unknown_token_is_a_401_problem(seeded, token):
    assert_problem(Api(token).get("/channels"), 401)


def test_an_expired_token_is_a_401_problem(workspace, owner, seeded):
    token = token_for(workspace, owner, expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_problem(Api(token).get("/channels"), 401)
    assert "expired" in body["detail"]


def test_a_revoked_token_is_a_401_problem(workspace, owner, seeded):
    token = token_for(workspace, owner)
    ApiToken.objects.update(revoked_at=timezone.now())
    body = assert_problem(Api(token).get("/channels"), 401)
    assert "revoked" in body["detail"]


def test_a_token_dies_with_its_makers_access(workspace, owner, seeded):
    token = token_for(workspace, owner)
    Membership.objects.filter(user=owner).delete()
    assert_problem(Api(token).get("/channels"), 401)


def test_a_token_never_does_more_than_its_maker(workspace, seeded):
    analyst = make_user("analyst@brand.example", workspace, Role.ANALYST)
    api = Api(token_for(workspace, analyst, "admin"))
    assert api.get("/posts").status_code == 200
    body = assert_problem(api.get("/conversations"), 403)  # analysts do not read the inbox
    assert body["permission"] == "inbox.view"


def test_a_read_only_token_cannot_publish_approve_or_reply(reader, seeded):
    assert reader.get("/posts").status_code == 200
    assert_problem(
        reader.post(f"/posts/{seeded.post.pk}/schedule", {"at": in_a_day()}, key="k1"), 403
    )
    assert_problem(reader.post(f"/posts/{seeded.post.pk}/approve"), 403)
    assert_problem(
        reader.post(f"/conversations/{seeded.conversation.pk}/reply", {"text": "hi"}, key="k2"),
        403,
    )
    assert_problem(reader.patch(f"/members/{seeded.member.pk}", {"tags": ["x"]}), 403)
    seeded.post.refresh_from_db()
    assert seeded.post.state == "draft"


def test_only_the_hash_is_stored_and_last_use_is_noted(workspace, owner, seeded):
    token, clear = ApiToken.issue(workspace, owner, "CRM", "read")
    assert clear.startswith("liant_") and len(clear) > 40
    assert token.key_hash == hash_token(clear) and clear not in token.key_hash
    assert clear.startswith(token.prefix)
    assert token.last_used_at is None
    Api(clear).get("/channels")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    Api(clear).get("/channels")  # within the minute: not written again
    token.refresh_from_db()
    assert token.last_used_at == first


def test_the_session_works_with_csrf_on_unsafe_methods(workspace, owner, seeded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    headers = {"Liant-Workspace": workspace.slug}
    assert client.get("/api/v1/channels", headers=headers).status_code == 200
    refused = client.post(f"/api/v1/posts/{seeded.post.pk}/approve", headers=headers)
    assert_problem(refused, 403)
    client.get(f"/w/{workspace.slug}/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    ok = client.post(
        f"/api/v1/posts/{seeded.post.pk}/approve", headers={**headers, "X-CSRFToken": csrf}
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "approved"


def test_the_session_cannot_name_a_workspace_that_is_not_its_own(owner, other_seeded):
    client = Client()
    client.force_login(owner)
    response = client.get("/api/v1/channels", headers={"Liant-Workspace": "rival-brand"})
    assert_problem(response, 404)
