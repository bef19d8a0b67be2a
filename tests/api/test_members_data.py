"""Merges and their undo (liant.members.merging), the GDPR export and erasure (gdpr)."""

from __future__ import annotations

import pytest

from liant.core.models import Role
from liant.members.models import DataRequest, Member
from tests.api.conftest import Api, seed_more, token_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_merge_then_undo(api, seeded, workspace):
    twin = Member.objects.create(workspace=workspace, name="Ana B.", email="")
    response = api.post("/merges", {"kept": seeded.member.pk, "absorbed": twin.pk})
    assert response.status_code == 201, response.content
    merge = response.json()
    twin.refresh_from_db()
    assert twin.merged_into_id == seeded.member.pk
    assert api.get(f"/members/{twin.pk}").status_code == 404  # hidden once merged
    again = api.post("/merges", {"kept": seeded.member.pk, "absorbed": twin.pk})
    assert again.status_code == 404  # an absorbed member is no longer one to merge
    assert [m["id"] for m in api.get("/merges").json()["items"]] == [merge["id"]]
    undone = api.post(f"/merges/{merge['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert api.post(f"/merges/{merge['id']}/undo").status_code == 409


def test_merge_needs_members_manage_and_own_members(workspace, owner, seeded, other_seeded):
    twin = Member.objects.create(workspace=workspace, name="Twin")
    body = {"kept": seeded.member.pk, "absorbed": twin.pk}
    assert Api(token_for(workspace, owner, "read")).post("/merges", body).status_code == 403
    admin = Api(token_for(workspace, owner, "admin"))
    body = {"kept": seeded.member.pk, "absorbed": other_seeded.member.pk}
    assert admin.post("/merges", body).status_code == 404
    assert not Member.objects.exclude(merged_into=None).exists()


def test_export_is_the_gdpr_json_and_is_logged(api, seeded):
    response = api.get(f"/members/{seeded.member.pk}/export")
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "liant-member-export/1"
    assert DataRequest.objects.filter(member=seeded.member, kind="export").count() == 1


def test_export_of_an_absorbed_member_is_the_kept_ones(api, seeded, owner):
    more = seed_more(seeded, owner)
    response = api.get(f"/members/{more.merge.absorbed_id}/export")
    assert response.status_code == 200
    assert DataRequest.objects.get().member_id == more.merge.kept_id


def test_export_and_erase_need_their_permissions(workspace, seeded):
    admin_role = make_user("admin@brand.example", workspace, Role.ADMIN)
    admin = Api(token_for(workspace, admin_role, "admin"))
    assert admin.get(f"/members/{seeded.member.pk}/export").status_code == 200
    # data.erase is the owner's alone, whatever the token's scope.
    refused = admin.post(f"/members/{seeded.member.pk}/erase", {"confirmation": "ERASE"})
    assert refused.status_code == 403 and refused.json()["permission"] == "data.erase"
    reader = Api(token_for(workspace, admin_role, "publish"))
    assert reader.get(f"/members/{seeded.member.pk}/export").status_code == 403


def test_erase_asks_for_the_confirmation(api, seeded):
    path = f"/members/{seeded.member.pk}/erase"
    wrong = api.post(path, {"confirmation": "yes"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "confirmation"
    seeded.member.refresh_from_db()
    assert seeded.member.erased_at is None
    done = api.post(path, {"confirmation": "Ana"})
    assert done.status_code == 200, done.content
    assert done.json()["done"]["members"] == 1
    seeded.member.refresh_from_db()
    assert seeded.member.erased_at is not None and seeded.member.email == ""
    assert api.post(path, {"confirmation": "ERASE"}).status_code == 409


def test_another_workspaces_member_data_is_a_404(outsider_api, seeded):
    assert outsider_api.get(f"/members/{seeded.member.pk}/export").status_code == 404
    erase = outsider_api.post(f"/members/{seeded.member.pk}/erase", {"confirmation": "ERASE"})
    assert erase.status_code == 404
    assert not DataRequest.objects.exists()
