"""Team pages: invitations, roles, removal, audit log — and who may do each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liant.core.models import AuditEvent, Invitation, Membership, User
from liant.core.permissions import Role
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def invite(client: Client, workspace, email="new@brand.example", role=Role.MODERATOR):
    return client.post(f"/w/{workspace.slug}/team/", {"email": email, "role": role})


def link_in_last_mail() -> str:
    return re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def test_an_invitation_is_mailed_with_a_link_that_works(owner_client, owner, workspace):
    response = invite(owner_client, workspace)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@brand.example"]
    assert workspace.name in mail.outbox[-1].subject
    path = link_in_last_mail()
    stranger = Client()
    page = stranger.get(path)
    assert page.status_code == 200 and b"Join" in page.content
    answer = stranger.post(
        path, {"name": "Malik", "password": "un-cafe-bien-serre-42", "language": "fr"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/w/{workspace.slug}/"
    malik = User.objects.get(email="new@brand.example")
    assert Membership.objects.get(user=malik, workspace=workspace).role == Role.MODERATOR
    assert malik.language == "fr"
    assert stranger.get(f"/w/{workspace.slug}/").status_code == 200  # signed in
    joined = AuditEvent.objects.get(action="team.joined")
    assert joined.actor == malik and joined.workspace == workspace


def test_the_token_is_not_stored_in_clear(owner_client, workspace):
    invite(owner_client, workspace)
    token = link_in_last_mail().split("/")[2]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_link_works_once(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    data = {"name": "A", "password": "un-cafe-bien-serre-42", "language": "en"}
    Client().post(path, data)
    second = Client().post(path, data)
    assert second.status_code == 404
    assert Membership.objects.filter(user__email="new@brand.example").count() == 1


def test_an_expired_or_withdrawn_invitation_is_refused(owner_client, workspace):
    invite(owner_client, workspace, "late@brand.example")
    late = link_in_last_mail()
    Invitation.objects.filter(email="late@brand.example").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert Client().get(late).status_code == 404
    invite(owner_client, workspace, "withdrawn@brand.example")
    withdrawn = link_in_last_mail()
    pk = Invitation.objects.get(email="withdrawn@brand.example").pk
    assert owner_client.post(f"/w/{workspace.slug}/invitations/{pk}/revoke/").status_code == 302
    assert Client().get(withdrawn).status_code == 404
    assert AuditEvent.objects.filter(action="team.invitation_revoked").exists()


def test_an_invitation_for_someone_else_cannot_be_taken(owner_client, workspace, outsider_client):
    invite(owner_client, workspace)
    assert outsider_client.get(link_in_last_mail()).status_code == 403
    assert not Membership.objects.filter(
        workspace=workspace, user__email="outsider@rival.example"
    ).exists()


def test_someone_with_an_account_signs_in_to_accept(owner_client, workspace, outsider):
    invite(owner_client, workspace, outsider.email, Role.ANALYST)
    path = link_in_last_mail()
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/login/")
    accepted = client_for(outsider).post(path)
    assert accepted.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=outsider).role == Role.ANALYST


def test_a_weak_password_is_refused_when_joining(owner_client, workspace):
    invite(owner_client, workspace)
    response = Client().post(
        link_in_last_mail(), {"name": "A", "password": "123", "language": "en"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@brand.example").exists()


def test_nobody_is_invited_twice_or_when_already_in(owner_client, workspace, member):
    invite(owner_client, workspace)
    again = invite(owner_client, workspace)
    assert b"already waiting" in again.content
    already = invite(owner_client, workspace, member.email)
    assert b"already in the workspace" in already.content
    assert len(mail.outbox) == 1


def test_an_admin_cannot_make_someone_owner(workspace, owner):
    admin = make_user("admin@brand.example", workspace, Role.ADMIN)
    response = invite(client_for(admin), workspace, "boss@brand.example", Role.OWNER)
    assert response.status_code == 200  # the form refuses the choice
    assert not Invitation.objects.exists()


def test_an_admin_cannot_change_an_owners_role(workspace, owner):
    admin = make_user("admin@brand.example", workspace, Role.ADMIN)
    target = Membership.objects.get(user=owner)
    response = client_for(admin).post(
        f"/w/{workspace.slug}/team/{target.pk}/role/", {"role": Role.ANALYST}
    )
    assert response.status_code == 403
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_the_owner_changes_a_role_and_it_is_audited(owner_client, owner, workspace, member):
    target = Membership.objects.get(user=member)
    response = owner_client.post(
        f"/w/{workspace.slug}/team/{target.pk}/role/", {"role": Role.ANALYST}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=target.pk).role == Role.ANALYST
    event = AuditEvent.objects.get(action="team.role_changed")
    assert event.actor == owner and event.ip_address == "127.0.0.1"
    assert event.data == {"old": Role.COMMUNITY_MANAGER, "new": Role.ANALYST}


def test_nobody_changes_their_own_role(owner_client, owner, workspace):
    mine = Membership.objects.get(user=owner)
    owner_client.post(f"/w/{workspace.slug}/team/{mine.pk}/role/", {"role": Role.ANALYST})
    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


def test_owners_demote_owners_but_admins_cannot_remove_them(workspace, owner):
    other = make_user("second@brand.example", workspace, Role.OWNER)
    client = client_for(other)
    first = Membership.objects.get(user=owner)
    client.post(f"/w/{workspace.slug}/team/{first.pk}/role/", {"role": Role.ADMIN})
    assert Membership.objects.get(pk=first.pk).role == Role.ADMIN  # another owner remains
    second = Membership.objects.get(user=other)
    client_for(owner).post(f"/w/{workspace.slug}/team/{second.pk}/remove/")
    assert Membership.objects.filter(pk=second.pk).exists()  # owner cannot be removed by an admin


def test_removing_someone_takes_their_access_away(owner_client, workspace, member):
    target = Membership.objects.get(user=member)
    assert owner_client.post(f"/w/{workspace.slug}/team/{target.pk}/remove/").status_code == 302
    assert client_for(member).get(f"/w/{workspace.slug}/").status_code == 404
    assert AuditEvent.objects.filter(action="team.removed", data__email=member.email).exists()


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST])
def test_people_without_team_management_change_nothing(role, workspace, owner, member):
    client = client_for(make_user(f"{role}@brand.example", workspace, role))
    target = Membership.objects.get(user=member)
    assert invite(client, workspace).status_code == 403
    assert (
        client.post(f"/w/{workspace.slug}/team/{target.pk}/role/", {"role": Role.ADMIN}).status_code
        == 403
    )
    assert client.post(f"/w/{workspace.slug}/team/{target.pk}/remove/").status_code == 403
    assert client.get(f"/w/{workspace.slug}/team/").status_code == 200  # they may see the team
    assert not AuditEvent.objects.filter(action__startswith="team.").exists()


def test_a_client_approver_does_not_see_the_team(workspace):
    client = client_for(make_user("client@client.example", workspace, Role.CLIENT_APPROVER))
    assert client.get(f"/w/{workspace.slug}/team/").status_code == 403


def test_the_audit_log_is_for_owners_and_admins(owner_client, workspace, member_client, member):
    target = Membership.objects.get(user=member)
    owner_client.post(f"/w/{workspace.slug}/team/{target.pk}/role/", {"role": Role.ANALYST})
    invite(owner_client, workspace)
    page = owner_client.get(f"/w/{workspace.slug}/audit/")
    assert b"team.role_changed" in page.content and b"team.invited" in page.content
    filtered = owner_client.get(f"/w/{workspace.slug}/audit/?action=team.invited")
    assert b"team.role_changed</code>" not in filtered.content
    assert member_client.get(f"/w/{workspace.slug}/audit/").status_code == 403


def test_the_audit_log_shows_only_this_workspaces_events(
    owner_client, workspace, outsider_client, other_workspace
):
    invite(outsider_client, other_workspace, "rival-hire@rival.example")
    page = owner_client.get(f"/w/{workspace.slug}/audit/")
    assert b"rival-hire" not in page.content


def test_the_dashboard_counts_real_people(owner_client, workspace, member):
    invite(owner_client, workspace)
    page = owner_client.get(f"/w/{workspace.slug}/").content.decode()
    assert '<p class="figure">2</p>' in page
    assert "1 invitation waiting" in page


def test_the_module_placeholder_says_it_is_not_built(owner_client, workspace):
    page = owner_client.get(f"/w/{workspace.slug}/m/inbox/")
    assert page.status_code == 200 and b"not built yet" in page.content
    assert owner_client.get(f"/w/{workspace.slug}/m/nothing/").status_code == 404


def test_a_module_the_role_cannot_open_is_forbidden(workspace):
    client = client_for(make_user("client@client.example", workspace, Role.CLIENT_APPROVER))
    assert client.get(f"/w/{workspace.slug}/m/inbox/").status_code == 403


def test_the_status_page_sends_a_test_job(owner_client, workspace):
    from liant.core.models import WorkerPing

    assert owner_client.post(f"/w/{workspace.slug}/status/").status_code == 302
    assert WorkerPing.objects.get().handled_at is not None  # jobs run inline in unit tests
