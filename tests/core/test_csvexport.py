"""The shared CSV helper, and the product's tables exported with it: each export applies
its page's filters and permission, keeps formulas as text, and gives an outsider nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from liant.channels.models import Channel
from liant.core import csvexport
from liant.core.permissions import Role
from liant.inbox.models import Conversation
from liant.listening.models import Mention
from liant.members.models import Member
from liant.moderation.models import LogEntry
from liant.newsletters.models import Campaign, MailingList, Send
from liant.publishing.models import Post, Variant
from tests.conftest import client_for, make_user

EVIL = '=HYPERLINK("http://evil.example","x")'


def read(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(raw[1:])))


# --- The helper ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_that_a_spreadsheet_would_run_is_kept_as_text(start):
    assert csvexport.cell(start + "1+1") == "'" + start + "1+1"


def test_other_cells_are_written_as_they_are():
    assert csvexport.cell("Bon café = bonheur") == "Bon café = bonheur"
    assert csvexport.cell(-3) == -3  # a number, not a formula
    assert csvexport.cell(Decimal("-1.50")) == Decimal("-1.50")
    assert csvexport.cell(None) == ""
    assert csvexport.cell(date(2026, 3, 29)) == "2026-03-29"
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 in Paris, after the change
    assert csvexport.cell(moment, csvexport.ZoneInfo("Europe/Paris")) == (
        "2026-03-29T03:30:00+02:00"
    )


def test_the_file_is_utf8_with_a_mark_and_one_line_per_row():
    text = csvexport.text(["Nom", "Valeur"], [["Élodie", 1], ["-2", -2]])
    assert text == "\ufeffNom,Valeur\r\nÉlodie,1\r\n'-2,-2\r\n"


@pytest.mark.django_db
def test_the_response_streams_with_the_workspace_and_day_in_its_name(workspace):
    with translation.override("fr"):
        response = csvexport.response(workspace, "Mentions", ["Date"], iter([[1]]))
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.now().astimezone(csvexport.zone_of(workspace)).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="brand-mentions-{day}.csv"'
    assert read(response) == [["Date"], ["1"]]


# --- The exports ---------------------------------------------------------------------------


@pytest.fixture
def channel(workspace) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")


@pytest.fixture
def rival_channel(other_workspace) -> Channel:
    return Channel.objects.create(workspace=other_workspace, kind="mastodon", name="Rival")


def mention(workspace, text, sentiment="neutral", n=[0]) -> Mention:  # noqa: B006
    n[0] += 1
    return Mention.objects.create(
        workspace=workspace,
        source="mastodon",
        remote_id=f"m{n[0]}",
        text=text,
        sentiment=sentiment,
        sentiment_score=0.0,
        occurred_at=timezone.now(),
        dedupe_key=f"k{n[0]}",
    )


def get(client, workspace, path: str):
    return client.get(f"/w/{workspace.slug}/{path}")


@pytest.mark.django_db
def test_mentions_follow_the_list_filters(workspace, other_workspace, owner_client, outsider):
    mention(workspace, EVIL, "negative")
    mention(workspace, "Très bien", "positive")
    mention(other_workspace, "rival secret", "negative")
    rows = read(get(owner_client, workspace, "listening/mentions/export.csv?sentiment=negative"))
    assert rows[0][0] == "Date" and len(rows) == 2
    assert rows[1][7] == "'" + EVIL
    everything = read(get(owner_client, workspace, "listening/mentions/export.csv"))
    assert len(everything) == 3 and "rival secret" not in str(everything)
    assert get(client_for(outsider), workspace, "listening/mentions/export.csv").status_code == 404


@pytest.mark.django_db
def test_conversations_follow_the_queue_filters(
    workspace, other_workspace, channel, rival_channel, owner_client, outsider
):
    Conversation.objects.create(
        workspace=workspace, channel=channel, key="a", contact_name=EVIL, status="open"
    )
    Conversation.objects.create(
        workspace=workspace, channel=channel, key="b", contact_name="Fermé", status="closed"
    )
    Conversation.objects.create(
        workspace=other_workspace, channel=rival_channel, key="c", contact_name="Rival"
    )
    rows = read(get(owner_client, workspace, "inbox/export.csv"))
    assert [r[2] for r in rows[1:]] == ["'" + EVIL]  # open and pending only, like the queue
    rows = read(get(owner_client, workspace, "inbox/export.csv?status=all"))
    assert sorted(r[2] for r in rows[1:]) == ["'" + EVIL, "Fermé"]
    analyst = client_for(make_user("an@brand.example", workspace, Role.ANALYST))
    assert get(analyst, workspace, "inbox/export.csv").status_code == 403  # no inbox.view
    assert get(client_for(outsider), workspace, "inbox/export.csv").status_code == 404


@pytest.mark.django_db
def test_members_follow_the_list_filters(workspace, other_workspace, owner_client, outsider):
    Member.objects.create(workspace=workspace, name=EVIL, level="ambassador")
    Member.objects.create(workspace=workspace, name="Observatrice")
    Member.objects.create(workspace=other_workspace, name="Rival")
    rows = read(get(owner_client, workspace, "members/export.csv?levels=ambassador"))
    assert [r[0] for r in rows[1:]] == ["'" + EVIL]
    rows = read(get(owner_client, workspace, "members/export.csv"))
    assert sorted(r[0] for r in rows[1:]) == ["'" + EVIL, "Observatrice"]
    client = client_for(make_user("cl@brand.example", workspace, Role.CLIENT_APPROVER))
    assert get(client, workspace, "members/export.csv").status_code == 403
    assert get(client_for(outsider), workspace, "members/export.csv").status_code == 404


@pytest.mark.django_db
def test_posts_one_row_per_channel_and_the_state_filter(
    workspace, other_workspace, channel, owner_client, outsider
):
    post = Post.objects.create(workspace=workspace, title="+33 promo", state="scheduled")
    Variant.objects.create(post=post, channel=channel, text="Hello", state="scheduled")
    Post.objects.create(workspace=workspace, title="Brouillon", state="draft")
    Post.objects.create(workspace=other_workspace, title="Rival", state="draft")
    rows = read(get(owner_client, workspace, "publishing/export.csv?state=scheduled"))
    assert len(rows) == 2 and rows[1][1] == "'+33 promo" and rows[1][7] == "Mastodon"
    rows = read(get(owner_client, workspace, "publishing/export.csv"))
    assert sorted(r[1] for r in rows[1:]) == ["'+33 promo", "Brouillon"]
    assert get(client_for(outsider), workspace, "publishing/export.csv").status_code == 404


@pytest.mark.django_db
def test_the_whole_moderation_log(workspace, other_workspace, owner_client, outsider):
    LogEntry.objects.create(workspace=workspace, action="hide", text=EVIL, outcome="done")
    LogEntry.objects.create(workspace=other_workspace, action="hide", text="rival", outcome="done")
    rows = read(get(owner_client, workspace, "moderation/log/export.csv"))
    assert len(rows) == 2 and rows[1][6] == "'" + EVIL
    analyst = client_for(make_user("an@brand.example", workspace, Role.ANALYST))
    assert get(analyst, workspace, "moderation/log/export.csv").status_code == 403
    assert get(client_for(outsider), workspace, "moderation/log/export.csv").status_code == 404


@pytest.mark.django_db
def test_a_campaigns_recipients_and_their_figures(workspace, owner_client, outsider):
    mailing = MailingList.objects.create(workspace=workspace, name="News")
    campaign = Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing,
        name="Nov",
        sender_name="Brand",
        sender_address="news@brand.example",
        state="sent",
    )
    Send.objects.create(
        campaign=campaign, email="a@example.com", language="fr", state="sent",
        opened_at=timezone.now(),
    )  # fmt: skip
    Send.objects.create(campaign=campaign, email="b@example.com", language="en", state="failed")
    path = f"newsletters/campaigns/{campaign.pk}/recipients.csv"
    rows = read(get(owner_client, workspace, path))
    assert [r[0] for r in rows[1:]] == ["a@example.com", "b@example.com"]
    assert rows[1][5] and not rows[2][5]  # opened, not opened
    assert "token" not in rows[0]
    assert get(client_for(outsider), workspace, path).status_code == 404
