"""Team pages: invitations, roles, removal, audit log, dashboard, status — and who may do each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liant.core import csvexport
from liant.core.models import (
    AuditEvent,
    Invitation,
    Membership,
    User,
    WorkerHeartbeat,
    WorkerPing,
    Workspace,
)
from liant.core.navigation import MODULES_BY_KEY, Module
from liant.core.permissions import Role
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

# A documentation address (RFC 5737), so the audit trail shows where a write came from.
IP = "203.0.113.7"
NEW_PASSWORD = "un-cafe-bien-serre-42"


def invite(
    client: Client, workspace: Workspace, email: str = "new@brand.example", role=Role.MODERATOR
):
    return client.post(f"/w/{workspace.slug}/team/", {"email": email, "role": role}, REMOTE_ADDR=IP)


def link_in_last_mail() -> str:
    return re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def join(client: Client, path: str, name: str = "Malik", language: str = "en"):
    return client.post(
        path, {"name": name, "password": NEW_PASSWORD, "language": language}, REMOTE_ADDR=IP
    )


def change_role(client: Client, workspace: Workspace, target: Membership, role: str):
    return client.post(
        f"/w/{workspace.slug}/team/{target.pk}/role/", {"role": role}, REMOTE_ADDR=IP
    )


def remove(client: Client, workspace: Workspace, target: Membership):
    return client.post(f"/w/{workspace.slug}/team/{target.pk}/remove/", REMOTE_ADDR=IP)


def revoke(client: Client, workspace: Workspace, invitation: Invitation):
    return client.post(f"/w/{workspace.slug}/invitations/{invitation.pk}/revoke/", REMOTE_ADDR=IP)


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)


def sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/account/login/", data)


@pytest.fixture
def admin(workspace) -> User:
    return make_user("admin@brand.example", workspace, Role.ADMIN)


@pytest.fixture
def admin_client(admin) -> Client:
    return client_for(admin)


@pytest.fixture
def pending(workspace, owner) -> Invitation:
    invitation, _token = Invitation.issue(workspace, "pending@brand.example", Role.ANALYST, owner)
    return invitation


# --- Inviting and joining -------------------------------------------------------------------


def test_an_invitation_is_mailed_with_a_link_that_works(owner_client, owner, workspace):
    response = invite(owner_client, workspace)
    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/team/"
    [message] = mail.outbox
    assert message.to == ["new@brand.example"]
    assert workspace.name in message.subject
    assert "Moderator" in message.body  # the role is said in words, not as a code
    page = Client().get(link_in_last_mail())
    assert page.status_code == 200
    assert "Join Brand" in page.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@brand.example",
        Role.MODERATOR,
        owner,
    )


def test_the_invited_address_is_kept_in_lower_case(owner_client, workspace):
    invite(owner_client, workspace, "New.Person@Brand.Example")
    assert Invitation.objects.get().email == "new.person@brand.example"


def test_the_token_is_not_stored_in_clear(owner_client, workspace):
    invite(owner_client, workspace)
    token = link_in_last_mail().split("/")[2]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert token not in Invitation.objects.get().token_hash


def test_a_new_person_accepting_gets_an_account_with_the_invited_role_and_is_signed_in(
    owner_client, workspace
):
    invite(owner_client, workspace, role=Role.ANALYST)
    stranger = Client()
    answer = join(stranger, link_in_last_mail(), name="Malik", language="fr")
    assert answer.status_code == 302 and answer["Location"] == f"/w/{workspace.slug}/"
    malik = User.objects.get(email="new@brand.example")
    assert (malik.name, malik.language) == ("Malik", "fr")
    assert malik.check_password(NEW_PASSWORD)
    assert membership_of(malik).workspace == workspace
    assert membership_of(malik).role == Role.ANALYST
    page = stranger.get(f"/w/{workspace.slug}/")
    assert page.status_code == 200  # signed in by accepting
    assert page.wsgi_request.user == malik
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.accepted_by == malik


def test_the_new_account_can_sign_in_again_with_its_password(owner_client, workspace):
    invite(owner_client, workspace)
    join(Client(), link_in_last_mail())
    later = Client()
    assert sign_in(later, "new@brand.example", NEW_PASSWORD).status_code == 302
    assert later.get(f"/w/{workspace.slug}/").status_code == 200


def test_joining_is_audited_with_the_new_person_as_actor(owner_client, workspace):
    invite(owner_client, workspace)
    join(Client(), link_in_last_mail())
    joined = AuditEvent.objects.get(action="team.joined")
    assert joined.actor == User.objects.get(email="new@brand.example")
    assert joined.workspace == workspace
    assert joined.ip_address == IP
    assert joined.data == {"role": Role.MODERATOR}


def test_a_double_submit_from_the_same_browser_creates_one_membership(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    browser = Client()
    assert join(browser, path).status_code == 302
    second = join(browser, path)
    assert second.status_code == 404
    assert "This invitation is not valid" in second.content.decode()
    assert User.objects.filter(email="new@brand.example").count() == 1
    assert Membership.objects.filter(user__email="new@brand.example").count() == 1
    assert AuditEvent.objects.filter(action="team.joined").count() == 1


def test_a_reused_link_gets_the_not_valid_page(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    join(Client(), path)
    for answer in (Client().get(path), join(Client(), path, name="Someone else")):
        assert answer.status_code == 404
        assert "This invitation is not valid" in answer.content.decode()
    assert User.objects.filter(email="new@brand.example").get().name == "Malik"
    assert Membership.objects.filter(workspace=workspace).count() == 2  # owner + Malik


def test_two_submits_racing_past_the_first_check_claim_the_invitation_once(
    owner_client, workspace, outsider, monkeypatch
):
    # Both requests looked the invitation up before either wrote: the second must still lose.
    invite(owner_client, workspace, outsider.email, Role.ANALYST)
    path = link_in_last_mail()
    stale = Invitation.objects.get()
    browser = client_for(outsider)
    assert browser.post(path).status_code == 302
    monkeypatch.setattr(Invitation, "find", classmethod(lambda cls, token: stale))
    second = browser.post(path)
    assert second.status_code == 404
    assert "This invitation is not valid" in second.content.decode()
    assert Membership.objects.filter(workspace=workspace, user=outsider).count() == 1
    assert AuditEvent.objects.filter(action="team.joined").count() == 1


def test_an_expired_invitation_is_refused(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(path)
    assert page.status_code == 404 and "This invitation is not valid" in page.content.decode()
    assert join(Client(), path).status_code == 404
    assert not User.objects.filter(email="new@brand.example").exists()


def test_a_withdrawn_invitation_is_refused(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    assert revoke(owner_client, workspace, Invitation.objects.get()).status_code == 302
    assert Invitation.objects.get().revoked_at is not None
    assert Client().get(path).status_code == 404
    assert join(Client(), path).status_code == 404
    assert not User.objects.filter(email="new@brand.example").exists()


def test_a_made_up_link_is_refused(db):
    page = Client().get("/invitations/not-a-real-token/")
    assert page.status_code == 404 and "This invitation is not valid" in page.content.decode()


def test_an_invitation_for_someone_else_cannot_be_taken_while_signed_in(
    owner_client, workspace, outsider_client
):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    page = outsider_client.get(path)
    assert page.status_code == 403
    assert "new@brand.example" in page.content.decode()
    assert outsider_client.post(path).status_code == 403
    assert not Membership.objects.filter(workspace=workspace, user__email="outsider@rival.example")
    assert Invitation.objects.pending().count() == 1  # still there for the right person
    assert not AuditEvent.objects.filter(action="team.joined").exists()


def test_someone_with_an_account_is_sent_to_sign_in_then_joins(owner_client, workspace, outsider):
    invite(owner_client, workspace, "OUTSIDER@rival.example", Role.ANALYST)
    path = link_in_last_mail()
    browser = Client()
    anonymous = browser.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/account/login/?next={path}"
    # Posting the sign-up form does not create a second account either.
    assert join(browser, path)["Location"].startswith("/account/login/")
    assert User.objects.filter(email=outsider.email).count() == 1
    signed_in = sign_in(browser, outsider.email, next_url=path)
    assert signed_in["Location"] == path
    assert b"Accept the invitation" in browser.get(path).content
    accepted = browser.post(path, REMOTE_ADDR=IP)
    assert accepted.status_code == 302 and accepted["Location"] == f"/w/{workspace.slug}/"
    assert Membership.objects.get(workspace=workspace, user=outsider).role == Role.ANALYST
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)  # the existing password is untouched
    assert AuditEvent.objects.get(action="team.joined").actor == outsider


def test_a_weak_password_is_refused_when_joining(owner_client, workspace):
    invite(owner_client, workspace)
    path = link_in_last_mail()
    response = Client().post(path, {"name": "A", "password": "123", "language": "en"})
    assert response.status_code == 200
    assert not User.objects.filter(email="new@brand.example").exists()
    assert Invitation.objects.pending().count() == 1  # the link still works after the mistake


def test_nobody_is_invited_twice_or_when_already_in(owner_client, workspace, member):
    invite(owner_client, workspace)
    again = invite(owner_client, workspace, "NEW@brand.example")
    assert again.status_code == 200 and b"already waiting" in again.content
    already = invite(owner_client, workspace, member.email.upper())
    assert already.status_code == 200 and b"already in the workspace" in already.content
    assert len(mail.outbox) == 1
    assert Invitation.objects.count() == 1
    assert AuditEvent.objects.filter(action="team.invited").count() == 1


def test_a_withdrawn_invitation_can_be_sent_again(owner_client, workspace, pending):
    revoke(owner_client, workspace, pending)
    assert invite(owner_client, workspace, pending.email).status_code == 302
    assert Invitation.objects.pending().get().email == pending.email


def test_the_team_page_lists_only_invitations_still_waiting(owner_client, workspace, owner):
    for email in ("waiting", "expired", "withdrawn", "accepted"):
        Invitation.issue(workspace, f"{email}@brand.example", Role.ANALYST, owner)
    now = timezone.now()
    Invitation.objects.filter(email="expired@brand.example").update(expires_at=now)
    Invitation.objects.filter(email="withdrawn@brand.example").update(revoked_at=now)
    Invitation.objects.filter(email="accepted@brand.example").update(accepted_at=now)
    page = owner_client.get(f"/w/{workspace.slug}/team/").content.decode()
    assert "waiting@brand.example" in page
    for gone in ("expired", "withdrawn", "accepted"):
        assert f"{gone}@brand.example" not in page


def test_an_invitation_of_another_workspace_cannot_be_withdrawn_from_this_one(
    owner_client, workspace, outsider, other_workspace
):
    theirs, _token = Invitation.issue(other_workspace, "x@rival.example", Role.ANALYST, outsider)
    assert revoke(owner_client, workspace, theirs).status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None


def test_an_accepted_invitation_cannot_be_withdrawn(owner_client, workspace, pending):
    Invitation.objects.filter(pk=pending.pk).update(accepted_at=timezone.now())
    assert revoke(owner_client, workspace, pending).status_code == 404
    assert not AuditEvent.objects.filter(action="team.invitation_revoked").exists()


# --- Roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_an_admin_cannot_invite_someone_at_their_rank_or_above(role, admin_client, workspace):
    response = invite(admin_client, workspace, "boss@brand.example", role)
    assert response.status_code == 200  # the form refuses the choice
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_admin_invites_a_community_manager(admin_client, admin, workspace):
    assert invite(admin_client, workspace, role=Role.COMMUNITY_MANAGER).status_code == 302
    assert Invitation.objects.get().invited_by == admin


def test_an_admin_cannot_make_someone_owner(admin_client, workspace, member):
    target = membership_of(member)
    assert change_role(admin_client, workspace, target, Role.OWNER).status_code == 403
    assert membership_of(member).role == Role.COMMUNITY_MANAGER
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


@pytest.mark.parametrize("new_role", [Role.ANALYST, Role.ADMIN, Role.OWNER])
def test_an_admin_cannot_change_an_owners_role(new_role, admin_client, workspace, owner):
    assert change_role(admin_client, workspace, membership_of(owner), new_role).status_code == 403
    assert membership_of(owner).role == Role.OWNER
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


def test_an_admin_cannot_change_another_admins_role(admin_client, workspace):
    other = make_user("admin2@brand.example", workspace, Role.ADMIN)
    assert change_role(admin_client, workspace, membership_of(other), Role.ANALYST).status_code == (
        403
    )
    assert membership_of(other).role == Role.ADMIN


def test_an_admin_changes_a_community_managers_role(admin_client, admin, workspace, member):
    response = change_role(admin_client, workspace, membership_of(member), Role.MODERATOR)
    assert response.status_code == 302
    assert membership_of(member).role == Role.MODERATOR
    assert AuditEvent.objects.get(action="team.role_changed").actor == admin


def test_an_unknown_role_is_refused(owner_client, workspace, member):
    assert change_role(owner_client, workspace, membership_of(member), "emperor").status_code == 403
    assert membership_of(member).role == Role.COMMUNITY_MANAGER


def test_the_owner_changes_a_role_and_it_is_audited(owner_client, owner, workspace, member):
    target = membership_of(member)
    response = change_role(owner_client, workspace, target, Role.ANALYST)
    assert response.status_code == 302
    assert membership_of(member).role == Role.ANALYST
    event = AuditEvent.objects.get(action="team.role_changed")
    assert (event.actor, event.workspace, event.ip_address) == (owner, workspace, IP)
    assert (event.target_type, event.target_id) == ("core.membership", str(target.pk))
    assert event.data == {"old": Role.COMMUNITY_MANAGER, "new": Role.ANALYST}


def test_the_owner_can_make_someone_owner(owner_client, workspace, member):
    change_role(owner_client, workspace, membership_of(member), Role.OWNER)
    assert membership_of(member).role == Role.OWNER


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_nobody_changes_their_own_role(role, workspace, owner):
    me = owner if role == Role.OWNER else make_user("admin@brand.example", workspace, role)
    client = client_for(me)
    response = change_role(client, workspace, membership_of(me), Role.ANALYST)
    assert response.status_code == 302
    assert membership_of(me).role == role
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()
    page = client.get(f"/w/{workspace.slug}/team/").content.decode()
    assert "You cannot change your own role." in page


def test_the_last_owner_cannot_demote_or_remove_themselves(owner_client, owner, workspace):
    change_role(owner_client, workspace, membership_of(owner), Role.ADMIN)
    remove(owner_client, workspace, membership_of(owner))
    assert membership_of(owner).role == Role.OWNER
    assert not AuditEvent.objects.filter(action__startswith="team.").exists()


def test_with_two_owners_one_may_demote_the_other_but_the_last_owner_stays(workspace, owner):
    second = make_user("second@brand.example", workspace, Role.OWNER)
    first = change_role(client_for(second), workspace, membership_of(owner), Role.ADMIN)
    assert first.status_code == 302
    assert membership_of(owner).role == Role.ADMIN  # another owner remains
    # `second` is now the last owner: the demoted admin cannot touch them...
    demoted = client_for(owner)
    assert change_role(demoted, workspace, membership_of(second), Role.ADMIN).status_code == 403
    assert remove(demoted, workspace, membership_of(second)).status_code == 403
    # ...and they cannot step down themselves.
    change_role(client_for(second), workspace, membership_of(second), Role.ADMIN)
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1
    assert membership_of(second).role == Role.OWNER


def test_an_owner_removes_another_owner_when_one_remains(owner_client, workspace):
    second = make_user("second@brand.example", workspace, Role.OWNER)
    assert remove(owner_client, workspace, membership_of(second)).status_code == 302
    assert not Membership.objects.filter(user=second).exists()


def test_removing_someone_takes_their_access_away(owner_client, owner, workspace, member):
    target = membership_of(member)
    assert remove(owner_client, workspace, target).status_code == 302
    assert client_for(member).get(f"/w/{workspace.slug}/").status_code == 404
    event = AuditEvent.objects.get(action="team.removed")
    assert (event.actor, event.ip_address, event.workspace) == (owner, IP, workspace)
    assert event.data == {"email": member.email}
    assert User.objects.filter(pk=member.pk).exists()  # the account itself stays


def test_nobody_removes_themselves(admin_client, admin, workspace):
    remove(admin_client, workspace, membership_of(admin))
    assert Membership.objects.filter(user=admin).exists()
    assert not AuditEvent.objects.filter(action="team.removed").exists()


@pytest.mark.parametrize("target_role", [Role.OWNER, Role.ADMIN])
def test_an_admin_cannot_remove_someone_at_their_rank_or_above(
    target_role, admin_client, workspace, owner
):
    target = (
        owner if target_role == Role.OWNER else make_user("a2@brand.example", workspace, "admin")
    )
    assert remove(admin_client, workspace, membership_of(target)).status_code == 403
    assert Membership.objects.filter(user=target).exists()


def test_someone_of_another_workspace_cannot_be_changed_or_removed_from_this_one(
    owner_client, workspace, outsider
):
    theirs = membership_of(outsider)
    assert change_role(owner_client, workspace, theirs, Role.ANALYST).status_code == 404
    assert remove(owner_client, workspace, theirs).status_code == 404
    assert membership_of(outsider).role == Role.OWNER


@pytest.mark.parametrize("path", ["team/{pk}/role/", "team/{pk}/remove/"])
def test_team_writes_answer_only_to_post(path, owner_client, workspace, member):
    url = f"/w/{workspace.slug}/" + path.format(pk=membership_of(member).pk)
    assert owner_client.get(url).status_code == 405
    assert Membership.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    "role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT_APPROVER]
)
def test_people_without_team_management_get_403_on_every_team_write(
    role, workspace, owner, member, pending
):
    client = client_for(make_user(f"{role}@brand.example", workspace, role))
    target = membership_of(member)
    assert invite(client, workspace).status_code == 403
    assert change_role(client, workspace, target, Role.ANALYST).status_code == 403
    assert change_role(client, workspace, membership_of(owner), Role.ANALYST).status_code == 403
    assert remove(client, workspace, target).status_code == 403
    assert revoke(client, workspace, pending).status_code == 403
    assert membership_of(member).role == Role.COMMUNITY_MANAGER
    assert Invitation.objects.pending().get() == pending
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="team.").exists()


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST])
def test_people_without_team_management_see_the_team_but_no_forms(role, workspace, owner):
    client = client_for(make_user(f"{role}@brand.example", workspace, role))
    page = client.get(f"/w/{workspace.slug}/team/")
    assert page.status_code == 200
    assert owner.email in page.content.decode()
    assert b"Invite someone" not in page.content
    assert b"/remove/" not in page.content


def test_a_client_approver_does_not_see_the_team(workspace, owner):
    client = client_for(make_user("client@client.example", workspace, Role.CLIENT_APPROVER))
    assert client.get(f"/w/{workspace.slug}/team/").status_code == 403


def test_an_admin_is_offered_no_controls_over_owners(admin_client, workspace, owner, member):
    page = admin_client.get(f"/w/{workspace.slug}/team/").content.decode()
    assert f"/team/{membership_of(owner).pk}/role/" not in page
    assert f"/team/{membership_of(member).pk}/role/" in page
    assert '<option value="owner"' not in page


# --- Audit ----------------------------------------------------------------------------------


def test_every_successful_team_write_is_audited_with_actor_and_address(
    owner_client, owner, workspace, member, pending
):
    invite(owner_client, workspace)
    change_role(owner_client, workspace, membership_of(member), Role.ANALYST)
    revoke(owner_client, workspace, pending)
    remove(owner_client, workspace, membership_of(member))
    events = AuditEvent.objects.filter(workspace=workspace, action__startswith="team.")
    assert sorted(events.values_list("action", flat=True)) == [
        "team.invitation_revoked",
        "team.invited",
        "team.removed",
        "team.role_changed",
    ]
    for event in events:
        assert (event.actor, event.actor_label, event.ip_address) == (owner, owner.email, IP)
    invited = events.get(action="team.invited")
    assert invited.data == {"email": "new@brand.example", "role": Role.MODERATOR}
    assert events.get(action="team.invitation_revoked").target_id == str(pending.pk)


def test_refused_team_writes_leave_no_audit_event(owner_client, owner, admin_client, workspace):
    invite(owner_client, workspace, "not an address")
    invite(owner_client, workspace, owner.email)
    invite(admin_client, workspace, "boss@brand.example", Role.OWNER)
    change_role(admin_client, workspace, membership_of(owner), Role.ANALYST)
    change_role(owner_client, workspace, membership_of(owner), Role.ANALYST)
    remove(owner_client, workspace, membership_of(owner))
    remove(admin_client, workspace, membership_of(owner))
    assert not AuditEvent.objects.filter(action__startswith="team.").exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_read_the_audit_log(role, workspace, owner, member):
    reader = owner if role == Role.OWNER else make_user("admin@brand.example", workspace, role)
    change_role(client_for(owner), workspace, membership_of(member), Role.ANALYST)
    page = client_for(reader).get(f"/w/{workspace.slug}/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<code>team.role_changed</code>" in text and IP in text


@pytest.mark.parametrize(
    "role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT_APPROVER]
)
def test_other_roles_cannot_read_the_audit_log(role, workspace):
    client = client_for(make_user(f"{role}@brand.example", workspace, role))
    assert client.get(f"/w/{workspace.slug}/audit/").status_code == 403


def test_the_audit_log_filters_by_action(owner_client, workspace, member):
    change_role(owner_client, workspace, membership_of(member), Role.ANALYST)
    invite(owner_client, workspace)
    everything = owner_client.get(f"/w/{workspace.slug}/audit/").content.decode()
    assert "<code>team.role_changed</code>" in everything
    assert "<code>team.invited</code>" in everything
    filtered = owner_client.get(f"/w/{workspace.slug}/audit/?action=team.invited")
    assert filtered.context["action"] == "team.invited"
    assert [e.action for e in filtered.context["page"]] == ["team.invited"]
    text = filtered.content.decode()
    assert "<code>team.invited</code>" in text
    assert "<code>team.role_changed</code>" not in text
    assert '<option value="team.invited" selected>' in text


def test_the_audit_log_exports_its_filtered_entries_as_csv(
    owner_client, outsider_client, owner, workspace, other_workspace
):
    change_role(
        owner_client,
        workspace,
        membership_of(make_user("m@brand.example", workspace)),
        Role.ANALYST,
    )
    invite(owner_client, workspace)
    AuditEvent.objects.create(
        workspace=other_workspace, actor_label="rival@x.example", action="team.invited"
    )
    AuditEvent.objects.create(
        workspace=workspace, actor=owner, action="team.invited", target_label="=HYPERLINK(1)"
    )
    url = f"/w/{workspace.slug}/audit/export.csv"
    assert (
        "audit/export.csv?action="
        in owner_client.get(f"/w/{workspace.slug}/audit/").content.decode()
    )
    everything = csvexport.body(owner_client.get(url))
    assert "team.role_changed" in everything and everything.count("team.invited") == 2
    assert "rival@x.example" not in everything and "'=HYPERLINK(1)" in everything
    assert IP in everything
    filtered = csvexport.body(owner_client.get(url + "?action=team.invited")).splitlines()
    assert len(filtered) == 3 and all("team.invited" in line for line in filtered[1:])
    assert outsider_client.get(url).status_code == 404
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url).status_code == 403


def test_the_audit_log_pages_keep_the_filter(owner_client, owner, workspace):
    AuditEvent.objects.bulk_create(
        [AuditEvent(workspace=workspace, actor=owner, action="team.invited") for _ in range(55)]
        + [AuditEvent(workspace=workspace, actor=owner, action="workspace.changed")]
    )
    first = owner_client.get(f"/w/{workspace.slug}/audit/?action=team.invited")
    assert len(first.context["page"].object_list) == 50
    assert "?page=2&amp;action=team.invited" in first.content.decode()
    second = owner_client.get(f"/w/{workspace.slug}/audit/?action=team.invited&page=2")
    assert [e.action for e in second.context["page"]] == ["team.invited"] * 5


def test_the_audit_log_shows_only_this_workspaces_events(
    owner_client, workspace, outsider_client, other_workspace
):
    invite(outsider_client, other_workspace, "rival-hire@rival.example")
    page = owner_client.get(f"/w/{workspace.slug}/audit/")
    assert b"rival-hire" not in page.content
    assert "team.invited" not in list(page.context["actions"])


# --- Outsiders and visitors -----------------------------------------------------------------

WORKSPACE_REQUESTS = [
    ("get", ""),
    ("get", "m/inbox/"),
    ("get", "team/"),
    ("post", "team/"),
    ("post", "team/{member}/role/"),
    ("post", "team/{member}/remove/"),
    ("post", "invitations/{invitation}/revoke/"),
    ("get", "audit/"),
    ("get", "status/"),
    ("post", "status/"),
]


@pytest.mark.parametrize(("method", "path"), WORKSPACE_REQUESTS)
def test_an_outsider_gets_404_on_every_team_page(
    method, path, workspace, member, pending, outsider_client
):
    url = f"/w/{workspace.slug}/" + path.format(
        member=membership_of(member).pk, invitation=pending.pk
    )
    data = {"email": "spy@rival.example", "role": Role.ADMIN}
    response = getattr(outsider_client, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert membership_of(member).role == Role.COMMUNITY_MANAGER
    assert Invitation.objects.pending().get() == pending
    assert not WorkerPing.objects.exists()
    assert not AuditEvent.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize(("method", "path"), WORKSPACE_REQUESTS)
def test_a_visitor_is_sent_to_sign_in(method, path, workspace, member, pending):
    url = f"/w/{workspace.slug}/" + path.format(
        member=membership_of(member).pk, invitation=pending.pk
    )
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_a_workspace_that_does_not_exist_is_a_404(owner_client):
    assert owner_client.get("/w/no-such-workspace/team/").status_code == 404


# --- Dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_real_people_and_invitations(
    owner_client, owner, workspace, member, outsider
):
    make_user("analyst@brand.example", workspace, Role.ANALYST)
    for email in ("one", "two", "expired", "withdrawn"):
        Invitation.issue(workspace, f"{email}@brand.example", Role.ANALYST, owner)
    Invitation.objects.filter(email="expired@brand.example").update(expires_at=timezone.now())
    Invitation.objects.filter(email="withdrawn@brand.example").update(revoked_at=timezone.now())
    page = owner_client.get(f"/w/{workspace.slug}/")
    assert page.context["team_count"] == 3  # the outsider of the other workspace is not counted
    assert page.context["pending_invitations"] == 2
    text = page.content.decode()
    assert '<p class="figure">3</p>' in text
    assert "people have access" in text
    assert "2 invitations waiting" in text


def test_the_dashboard_of_a_lone_owner_says_one_person(owner_client, workspace):
    text = owner_client.get(f"/w/{workspace.slug}/").content.decode()
    assert '<p class="figure">1</p>' in text
    assert "person has access" in text
    assert "waiting" not in text


def test_the_dashboard_says_when_no_worker_was_ever_seen(owner_client, workspace):
    assert b"Never seen" in owner_client.get(f"/w/{workspace.slug}/").content


def test_the_dashboard_tells_a_worker_seen_long_ago(owner_client, workspace):
    WorkerHeartbeat.objects.create(worker="old:1", seen_at=timezone.now() - timedelta(hours=2))
    text = owner_client.get(f"/w/{workspace.slug}/").content.decode()
    assert "Not seen recently" in text and "2\xa0hours ago" in text


def test_the_dashboard_shows_recent_activity_to_audit_readers_only(
    owner_client, workspace, member, member_client
):
    change_role(owner_client, workspace, membership_of(member), Role.MODERATOR)
    assert b"team.role_changed" in owner_client.get(f"/w/{workspace.slug}/").content
    page = member_client.get(f"/w/{workspace.slug}/")
    assert page.status_code == 200
    assert b"team.role_changed" not in page.content
    assert b"Recent activity" not in page.content


def test_the_dashboard_says_the_persons_role(member_client, workspace):
    assert b"You are Community manager" in member_client.get(f"/w/{workspace.slug}/").content


# --- Modules not built yet ------------------------------------------------------------------


def test_the_module_placeholder_says_it_is_not_built(owner_client, workspace, monkeypatch):
    # Every module of PRODUCT.md now has pages: the placeholder is shown for a made-up one.
    unbuilt = Module("unbuilt", "Unbuilt module", "A module still to come.", "workspace.view")
    monkeypatch.setitem(MODULES_BY_KEY, unbuilt.key, unbuilt)
    page = owner_client.get(f"/w/{workspace.slug}/m/unbuilt/")
    assert page.status_code == 200
    assert b"not built yet" in page.content and b"Unbuilt module" in page.content


def test_an_unknown_module_is_a_404(owner_client, workspace):
    assert owner_client.get(f"/w/{workspace.slug}/m/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("role", "module"),
    [
        (Role.CLIENT_APPROVER, "inbox"),
        (Role.ANALYST, "inbox"),
        (Role.MODERATOR, "analytics"),
        (Role.MODERATOR, "strategy"),
        (Role.CLIENT_APPROVER, "members"),
    ],
)
def test_a_module_the_role_cannot_open_is_forbidden(role, module, workspace):
    client = client_for(make_user("someone@brand.example", workspace, role))
    assert client.get(f"/w/{workspace.slug}/m/{module}/").status_code == 403


# Every module of PRODUCT.md is being built, so the placeholder is checked on a made-up
# unbuilt module the role may see: the test no longer changes as each module lands.
@pytest.mark.parametrize(("role", "permission"), [(Role.COMMUNITY_MANAGER, "leads.view")])
def test_a_module_the_role_may_open_shows_its_placeholder(role, permission, workspace, monkeypatch):
    unbuilt = Module("unbuilt", "Unbuilt module", "A module still to come.", permission)
    monkeypatch.setitem(MODULES_BY_KEY, unbuilt.key, unbuilt)
    client = client_for(make_user("someone@brand.example", workspace, role))
    page = client.get(f"/w/{workspace.slug}/m/{unbuilt.key}/")
    assert page.status_code == 200 and b"not built yet" in page.content


def test_the_placeholder_of_a_built_module_leads_to_the_module(owner_client, workspace):
    # "Not built yet" would be a lie for a module that works.
    page = owner_client.get(f"/w/{workspace.slug}/m/channels/")
    assert page.status_code == 302 and page["Location"] == f"/w/{workspace.slug}/channels/"


# --- Status ---------------------------------------------------------------------------------


def test_the_status_page_sends_a_test_job_that_the_worker_completes(owner_client, owner, workspace):
    response = owner_client.post(f"/w/{workspace.slug}/status/")
    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/status/"
    ping = WorkerPing.objects.get()
    assert ping.requested_by == owner
    assert ping.handled_at is not None  # jobs run inline (Huey immediate mode) in unit tests
    assert ping.handled_by
    assert WorkerHeartbeat.objects.exists()
    page = owner_client.get(f"/w/{workspace.slug}/status/").content.decode()
    assert "Running" in page and ping.handled_by in page and "waiting" not in page


def test_an_admin_may_use_the_status_page(admin_client, workspace):
    assert admin_client.get(f"/w/{workspace.slug}/status/").status_code == 200
    assert admin_client.post(f"/w/{workspace.slug}/status/").status_code == 302


@pytest.mark.parametrize(
    "role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT_APPROVER]
)
def test_the_status_page_is_for_owners_and_admins(role, workspace):
    client = client_for(make_user("someone@brand.example", workspace, role))
    assert client.get(f"/w/{workspace.slug}/status/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/status/").status_code == 403
    assert not WorkerPing.objects.exists()
