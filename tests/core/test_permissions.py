import pytest

from liant.core.permissions import PERMISSIONS, ROLE_RANK, Role, can_grant, permissions_of, role_has


def test_the_owner_may_do_everything():
    assert permissions_of(Role.OWNER) == set(PERMISSIONS)


def test_only_the_owner_may_erase_personal_data():
    assert [r for r in Role if role_has(r, "data.erase")] == [Role.OWNER]


def test_a_client_approver_approves_posts_but_reads_no_inbox_and_no_team():
    assert role_has(Role.CLIENT_APPROVER, "posts.approve")
    assert not role_has(Role.CLIENT_APPROVER, "inbox.view")
    assert not role_has(Role.CLIENT_APPROVER, "team.view")
    assert not role_has(Role.CLIENT_APPROVER, "posts.publish")


def test_a_moderator_acts_on_moderation_but_does_not_publish():
    assert role_has(Role.MODERATOR, "moderation.act")
    assert not role_has(Role.MODERATOR, "posts.publish")
    assert not role_has(Role.MODERATOR, "moderation.manage")


def test_an_analyst_reads_but_changes_nothing():
    writes = {p for p in permissions_of(Role.ANALYST) if not p.endswith(".view")}
    assert writes == set()


def test_an_unknown_permission_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError):
        role_has(Role.OWNER, "posts.pubilsh")


@pytest.mark.parametrize("role", list(Role))
def test_an_admin_never_grants_a_role_at_or_above_their_own(role):
    assert can_grant(Role.ADMIN, role) == (ROLE_RANK[role] < ROLE_RANK[Role.ADMIN])


def test_people_without_team_management_grant_nothing():
    for granter in (Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT_APPROVER):
        assert not any(can_grant(granter, r) for r in Role)
