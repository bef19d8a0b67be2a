"""The module dashboards: each module's KPIs, its stacked areas, heat maps and funnels over
known rows, and only for the people who may see the module."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from liant.analytics import rollup
from liant.analytics.module_views import dashboard_modules
from liant.analytics.registry import all_kpis
from liant.channels.models import Channel
from liant.core.permissions import Role
from liant.inbox.models import Department
from liant.leads.models import Lead, Stage, StageChange
from liant.listening.models import Query
from tests.analytics.test_kpis import conversation, mention
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def url(workspace, module: str, period: str = "30") -> str:
    return f"/w/{workspace.slug}/analytics/modules/{module}/?period={period}"


def yesterday_at(workspace, hour: int, minute: int = 0):
    """A moment of yesterday in the workspace's zone (a whole past day: kept in roll-ups)."""
    start, _ = rollup.day_bounds(workspace, rollup.today(workspace) - timedelta(days=1))
    return start + timedelta(hours=hour, minutes=minute)


def table(page: str, caption_part: str) -> list[list[str]]:
    """The rows (header cell then data cells) of the table whose caption contains the text."""
    for found in re.finditer(r"<table[^>]*>\s*<caption>(.*?)</caption>(.*?)</table>", page, re.S):
        if caption_part in found.group(1):
            return [
                [
                    re.sub(r"<[^>]+>", "", c).strip()
                    for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
                ]
                for r in re.findall(r"<tr>(.*?)</tr>", found.group(2), re.S)
            ]
    raise AssertionError(f"no table captioned {caption_part!r}")


def test_the_dashboards_are_those_of_the_modules_with_something_to_show():
    keys = [m.key for m in dashboard_modules()]
    assert {k.module for k in all_kpis()} <= set(keys)
    assert "leads" in keys  # a funnel and no KPI still makes a dashboard
    assert "strategy" not in keys
    assert "channels" in keys  # the audience KPIs (liant/channels/kpis.py)


def test_every_dashboard_shows_its_kpis_with_a_chart_and_a_table(workspace, owner_client):
    for module in dashboard_modules():
        page = owner_client.get(url(workspace, module.key)).content.decode()
        kpis = [k for k in all_kpis() if k.module == module.key]
        for kpi in kpis:
            assert f'id="kpi-{kpi.key}"' in page
        assert page.count('<svg class="report-chart') >= len(kpis)
        assert page.count("<table") >= page.count('<svg class="report-chart')
        assert 'name="period"' in page


def test_the_inbox_dashboard_stacks_the_departments_and_maps_the_arrival_hours(
    workspace, owner_client
):
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="M")
    after_sales = Department.objects.create(workspace=workspace, name="SAV")
    conversation(workspace, channel, yesterday_at(workspace, 9, 10), department=after_sales)
    conversation(workspace, channel, yesterday_at(workspace, 9, 40), department=after_sales)
    conversation(workspace, channel, yesterday_at(workspace, 14))
    response = owner_client.get(url(workspace, "inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "chart-stacked" in page and "chart-heat" in page

    stacked = table(page, "by breakdown, day by day")
    assert stacked[0][1:] == ["SAV", "Community team (no department)", "Total"]
    assert len(stacked) == 31  # the header and 30 days
    assert stacked[-2][1:] == ["2", "1", "3"]  # yesterday, the day before today
    assert all(row[1:] == ["0", "0", "0"] for row in stacked[1:-2])

    heat = table(page, "Conversations received by weekday and hour")
    weekday = (rollup.today(workspace) - timedelta(days=1)).isoweekday()
    row = heat[weekday]
    assert row[1 + 9] == "2" and row[1 + 14] == "1"
    assert sum(int(c) for r in heat[1:] for c in r[1:]) == 3


def test_the_listening_dashboard_splits_the_mentions_by_sentiment(workspace, owner_client):
    brand = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="x")
    for sentiment in ("positive", "positive", "negative", "neutral"):
        mention(workspace, brand, yesterday_at(workspace, 10), sentiment)
    page = owner_client.get(url(workspace, "listening")).content.decode()
    rows = table(page, "Mentions of the brand by sentiment, day by day")
    assert rows[0][1:] == ["Negative", "Neutral", "Positive", "Total"]
    assert rows[-2][1:] == ["1", "1", "2", "4"]


def test_the_leads_funnel_counts_the_furthest_stage_each_lead_reached(workspace, owner_client):
    when = yesterday_at(workspace, 11)
    Lead.objects.create(workspace=workspace, stage=Stage.NEW, created_at=when)
    Lead.objects.create(workspace=workspace, stage=Stage.QUALIFIED, created_at=when)
    Lead.objects.create(workspace=workspace, stage=Stage.WON, created_at=when)
    lost = Lead.objects.create(workspace=workspace, stage=Stage.LOST, created_at=when)
    StageChange.objects.create(lead=lost, from_stage=Stage.NEW, to_stage=Stage.QUALIFIED)
    StageChange.objects.create(lead=lost, from_stage=Stage.QUALIFIED, to_stage=Stage.LOST)
    # Created in the 30 days before: the comparison period's funnel, where it went all the way.
    Lead.objects.create(workspace=workspace, stage=Stage.WON, created_at=when - timedelta(days=40))
    Lead.objects.create(workspace=workspace, stage=Stage.NEW, created_at=when - timedelta(days=70))
    page = owner_client.get(url(workspace, "leads")).content.decode()
    assert "chart-funnel" in page
    rows = table(page, "Leads by stage reached")
    assert rows[1:] == [
        ["New", "4", "100 %", "100 %", "1"],
        ["Qualified", "3", "75 %", "75 %", "1"],
        ["Handed to sales", "1", "25 %", "33 %", "1"],
        ["Won", "1", "25 %", "100 %", "1"],
        ["Lost", "1", "", "", "0"],
    ]


def test_only_the_modules_a_person_may_see(workspace):
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    page = analyst.get(f"/w/{workspace.slug}/analytics/").content.decode()
    assert f"/w/{workspace.slug}/analytics/modules/listening/" in page
    assert f"/w/{workspace.slug}/analytics/modules/inbox/" not in page  # no inbox.view
    assert analyst.get(url(workspace, "listening")).status_code == 200
    assert analyst.get(url(workspace, "inbox")).status_code == 403
    assert analyst.get(url(workspace, "animation")).status_code == 403
    client = client_for(make_user("client@brand.example", workspace, Role.CLIENT_APPROVER))
    page = client.get(url(workspace, "publishing")).content.decode()
    assert "/analytics/modules/publishing/" in page
    assert "/analytics/modules/listening/" not in page
    moderator = client_for(make_user("mod@brand.example", workspace, Role.MODERATOR))
    assert moderator.get(url(workspace, "moderation")).status_code == 403  # no analytics.view


def test_a_module_without_a_dashboard_is_not_found(workspace, owner_client):
    assert owner_client.get(url(workspace, "strategy")).status_code == 404
    assert owner_client.get(url(workspace, "nothing")).status_code == 404


def test_an_outsider_gets_nothing(workspace, outsider_client):
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="M")
    conversation(workspace, channel, yesterday_at(workspace, 9))
    for module in dashboard_modules():
        response = outsider_client.get(url(workspace, module.key))
        assert response.status_code == 404
        assert b"chart" not in response.content


def test_the_period_picker_and_a_long_period_by_weeks(workspace, owner_client):
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="M")
    conversation(workspace, channel, yesterday_at(workspace, 9))
    page = owner_client.get(url(workspace, "inbox", "90")).content.decode()
    assert '<option value="90" selected>' in page
    rows = table(page, "by breakdown, week by week")
    assert len(rows) == 1 + 13  # 90 days: 12 weeks and 6 days
    assert sum(int(r[-1]) for r in rows[1:]) == 1
    page = owner_client.get(url(workspace, "inbox", "bogus")).content.decode()
    assert '<option value="30" selected>' in page


def test_the_overview_tables_are_day_by_day_after_a_kpi_with_a_breakdown(workspace, owner_client):
    channel = Channel.objects.create(workspace=workspace, kind="mastodon", name="M")
    conversation(workspace, channel, yesterday_at(workspace, 9))  # inbox.received has parts
    page = owner_client.get(f"/w/{workspace.slug}/analytics/?period=7").content.decode()
    tables = re.findall(r"<details>.*?<tbody>(.*?)</tbody>", page, re.S)
    assert len(tables) == len(all_kpis())
    assert all(t.count("<tr>") == 7 for t in tables)
    received = all_kpis().index(next(k for k in all_kpis() if k.key == "inbox.received"))
    assert re.findall(r"<td>(\d+)</td>", tables[received]) == ["0"] * 5 + ["1", "0"]
