"""The agency view: the same KPIs across an organisation's workspaces, for the people who may
see them."""

from __future__ import annotations

import pytest

from liant.channels.models import Channel
from liant.core.models import Membership, Workspace
from liant.core.permissions import Role
from liant.inbox.models import Conversation
from liant.listening.models import Query
from tests.analytics.test_kpis import mention
from tests.analytics.test_module_views import table, yesterday_at
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(organisation) -> Workspace:
    return Workspace.objects.create(organisation=organisation, name="Second", slug="second")


@pytest.fixture
def third(organisation) -> Workspace:
    # In UTC, unlike the others: its days are its own.
    return Workspace.objects.create(
        organisation=organisation, name="Third", slug="third", timezone="UTC"
    )


def received(workspace, how_many: int) -> None:
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="M")
    for i in range(how_many):
        Conversation.objects.create(
            workspace=workspace,
            channel=channel,
            key=f"t{workspace.pk}-{i}",
            created_at=yesterday_at(workspace, 10),
        )


def url(workspace, period: str = "30") -> str:
    return f"/w/{workspace.slug}/analytics/workspaces/?period={period}"


def row(page: str, label: str) -> list[str]:
    rows = table(page, "The same indicators in")
    return next(r for r in rows if r[0].startswith(label))


def test_a_member_sees_the_workspaces_they_belong_to_side_by_side(
    workspace, second, third, other_workspace
):
    person = make_user("cm@agency.example", workspace, Role.COMMUNITY_MANAGER)
    second.memberships.create(user=person, role=Role.ANALYST)
    received(workspace, 2)
    received(second, 3)
    received(third, 5)
    received(other_workspace, 7)
    client = client_for(person)
    page = client.get(url(workspace)).content.decode()
    header = table(page, "The same indicators in")[0]
    assert header == ["Indicator", "Brand", "Second", "Total"]  # not Third, not the rival
    assert "Rival" not in page
    cells = row(page, "Conversations received")
    assert cells[1].split()[0] == "2"
    assert cells[2].split()[0] == "3"
    assert cells[3] == "5"  # a count adds up
    # A rate has no total.
    assert row(page, "First responses on time")[-1] == "—"
    # Each number opens that workspace's dashboard, on the module the person may see there:
    # the inbox in Brand (community manager), the overview in Second (an analyst has no
    # inbox.view).
    assert (
        f'href="/w/{workspace.slug}/analytics/modules/inbox/?period=30#kpi-inbox.received">2<'
        in page
    )
    assert f'href="/w/{second.slug}/analytics/?period=30#kpi-inbox.received">3<' in page


def test_administering_one_workspace_shows_no_other_client_and_links_only_with_the_right(
    workspace, second, third
):
    # An agency may make a client the owner of the client's own workspace: that must not
    # show them the other clients' figures. Only workspaces where one's role reads analytics.
    admin = make_user("admin@agency.example", workspace, Role.ADMIN)
    Membership.objects.create(workspace=third, user=admin, role=Role.ANALYST)
    brand = Query.objects.create(workspace=third, name="Marque", kind="brand", text="x")
    mention(third, brand, yesterday_at(third, 23, 30))
    page = client_for(admin).get(url(workspace)).content.decode()
    assert table(page, "The same indicators in")[0] == ["Indicator", "Brand", "Third", "Total"]
    assert f"/w/{second.slug}/" not in page
    cells = row(page, "Mentions of the brand")
    assert [c.split()[0] for c in cells[1:3]] == ["0", "1"]
    assert cells[3] == "1"
    assert f"/w/{workspace.slug}/analytics/modules/listening/" in page
    assert f"/w/{third.slug}/analytics/" in page  # an analyst there: the overview


def test_the_overview_links_to_the_agency_view_only_with_several_workspaces(
    workspace, owner, owner_client, second
):
    page = owner_client.get(f"/w/{workspace.slug}/analytics/").content.decode()
    assert f"/w/{workspace.slug}/analytics/workspaces/" not in page  # a member of one only
    Membership.objects.create(workspace=second, user=owner, role=Role.ANALYST)
    page = owner_client.get(f"/w/{workspace.slug}/analytics/").content.decode()
    assert f"/w/{workspace.slug}/analytics/workspaces/" in page
    alone = make_user("alone@brand.example", workspace, Role.ANALYST)
    page = client_for(alone).get(f"/w/{workspace.slug}/analytics/").content.decode()
    assert "/analytics/workspaces/" not in page
    page = client_for(alone).get(url(workspace)).content.decode()
    assert table(page, "The same indicators in")[0] == ["Indicator", "Brand", "Total"]


def test_no_analytics_role_no_view_and_an_outsider_gets_nothing(workspace, second, outsider_client):
    received(workspace, 2)
    moderator = make_user("mod@agency.example", workspace, Role.MODERATOR)
    assert client_for(moderator).get(url(workspace)).status_code == 403
    response = outsider_client.get(url(workspace))
    assert response.status_code == 404
    assert b"Brand" not in response.content
