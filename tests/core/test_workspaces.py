import pytest

from liant.core.models import AuditEvent, Membership, Workspace
from liant.core.permissions import Role
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def test_an_owner_opens_a_new_workspace_in_their_organisation_and_owns_it(
    owner_client, owner, workspace
):
    response = owner_client.post(
        "/workspaces/new/",
        {
            "organisation": workspace.organisation.pk,
            "name": "Café Lumière",
            "language": "fr",
            "timezone": "Europe/Paris",
        },
    )
    created = Workspace.objects.get(name="Café Lumière")
    assert response.status_code == 302 and response["Location"] == f"/w/{created.slug}/"
    assert created.slug == "cafe-lumiere"
    assert Membership.objects.get(workspace=created, user=owner).role == Role.OWNER
    assert AuditEvent.objects.filter(
        action="workspace.created", workspace=created, actor=owner
    ).exists()


def test_two_workspaces_with_the_same_name_get_different_addresses(owner_client, workspace):
    data = {
        "organisation": workspace.organisation.pk,
        "name": "Brand",
        "language": "en",
        "timezone": "UTC",
    }
    owner_client.post("/workspaces/new/", data)
    assert sorted(Workspace.objects.filter(name="Brand").values_list("slug", flat=True)) == [
        "brand",
        "brand-2",
    ]


def test_nobody_opens_a_workspace_in_someone_elses_organisation(owner_client, other_workspace):
    response = owner_client.post(
        "/workspaces/new/",
        {
            "organisation": other_workspace.organisation.pk,
            "name": "Hijack",
            "language": "fr",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Workspace.objects.filter(name="Hijack").exists()


def test_a_community_manager_cannot_open_workspaces(member_client):
    assert member_client.get("/workspaces/new/").status_code == 403


def test_settings_change_is_saved_and_audited(owner_client, owner, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/settings/",
        {"name": "Brand FR", "language": "fr", "timezone": "America/Montreal"},
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone) == ("Brand FR", "America/Montreal")
    event = AuditEvent.objects.get(action="workspace.settings_changed")
    assert event.data == {"changes": {"name": "Brand FR", "timezone": "America/Montreal"}}


def test_an_unknown_time_zone_is_refused(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/settings/",
        {"name": "B", "language": "fr", "timezone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    workspace.refresh_from_db()
    assert workspace.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    "role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT_APPROVER]
)
def test_only_owners_and_admins_change_settings(role, workspace):
    client = client_for(make_user(f"{role}@brand.example", workspace, role))
    assert (
        client.post(
            f"/w/{workspace.slug}/settings/", {"name": "X", "language": "fr", "timezone": "UTC"}
        ).status_code
        == 403
    )


def test_navigation_hides_what_the_role_cannot_open(workspace):
    client = client_for(make_user("approver@client.example", workspace, Role.CLIENT_APPROVER))
    page = client.get(f"/w/{workspace.slug}/").content.decode()
    assert "/audit/" not in page and "/team/" not in page and "/settings/" not in page
    assert "Publishing" in page and "Inbox" not in page
