"""Listening pages: queries are saved only when they parse, the tester reads stored events,
and nobody outside the workspace sees or changes anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from liant.channels.models import Channel, Event
from liant.core.models import AuditEvent
from liant.core.permissions import Role
from liant.listening.models import Alert, ListeningSettings, Query
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def url(workspace, tail=""):
    return f"/w/{workspace.slug}/listening/{tail}"


@pytest.fixture
def events(workspace, other_workspace):
    when = datetime(2026, 11, 20, 9, tzinfo=UTC)
    ours = Channel.objects.create(workspace=workspace, kind="mastodon", name="Mastodon")
    theirs = Channel.objects.create(workspace=other_workspace, kind="feed", name="Rival")
    texts = [
        (ours, "Le café de Maison Lumière est cramé ce matin", "fr", "jose@piaille.fr"),
        (ours, "Maison Lumière recrute un barista", "fr", "rh@maison-lumiere.example"),
        (ours, "Loved the new roast at #MaisonLumiere", "en", "sam@mastodon.social"),
        (theirs, "Maison Lumière, secret du concurrent", "fr", "spy@rival.example"),
    ]
    for n, (channel, text, language, author) in enumerate(texts):
        Event.objects.create(
            workspace=channel.workspace,
            channel=channel,
            kind="mention",
            remote_id=str(n),
            text=text,
            language=language,
            author_handle=author,
            occurred_at=when + timedelta(minutes=n),
        )


def test_a_query_that_parses_is_saved_and_audited(owner_client, workspace):
    answer = owner_client.post(
        url(workspace, "queries/new/"),
        {"name": "Marque", "kind": "brand", "text": '"maison lumière" OR #MaisonLumiere'},
    )
    assert answer.status_code == 302
    query = Query.objects.get(workspace=workspace)
    assert str(query.tree()) == '"maison lumière" OR #MaisonLumiere'
    assert AuditEvent.objects.filter(action="listening.query_saved", workspace=workspace).exists()
    page = owner_client.get(url(workspace, "queries/"))
    assert "Marque" in page.content.decode()


def test_a_broken_query_is_refused_with_its_column_in_the_readers_language(owner, workspace):
    owner.language = "fr"
    owner.save()
    client = client_for(owner)
    answer = client.post(
        url(workspace, "queries/new/"), {"name": "Marque", "kind": "brand", "text": "(café OR"}
    )
    assert answer.status_code == 200
    assert "Colonne 7 : OR doit être suivi d&#x27;un terme" in answer.content.decode()
    assert not Query.objects.exists()


def test_the_tester_finds_stored_events_of_this_workspace_only(member_client, workspace, events):
    answer = member_client.get(
        url(workspace, "tester/"), {"q": '("maison lumière" OR #maisonlumiere) -recrute'}
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "cramé" in page and "roast" in page
    assert "recrute un barista" not in page  # excluded by -recrute
    assert "concurrent" not in page  # another workspace's event
    assert "2 matches among the 3 most recent items" in page


def test_the_tester_answers_htmx_with_the_results_only(member_client, workspace, events):
    answer = member_client.get(
        url(workspace, "tester/"), {"q": "café lang:fr"}, headers={"HX-Request": "true"}
    )
    page = answer.content.decode()
    assert "<html" not in page and "1 match among the 3 most recent items" in page


def test_the_tester_shows_a_syntax_error(member_client, workspace, events):
    page = member_client.get(url(workspace, "tester/"), {"q": 'café "brûlé'}).content.decode()
    assert "Column 6: this quotation mark is never closed" in page


def test_an_analyst_reads_but_cannot_change_queries(workspace):
    Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="lumière")
    analyst = client_for(make_user("analyst@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace, "queries/")).status_code == 200
    assert analyst.get(url(workspace, "queries/new/")).status_code == 403
    query = Query.objects.get()
    assert analyst.post(url(workspace, f"queries/{query.pk}/delete/")).status_code == 403
    assert Query.objects.count() == 1


def test_the_outsider_gets_nothing(outsider_client, workspace, events):
    query = Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="café")
    alert = Alert.objects.create(
        workspace=workspace, query=query, kind="spike", key="k", about=timezone.now()
    )
    for path in (
        "",
        "queries/",
        "queries/new/",
        f"queries/{query.pk}/",
        "tester/?q=café",
        "mentions/",
        "alerts/",
    ):
        assert outsider_client.get(url(workspace, path)).status_code == 404
    assert outsider_client.post(url(workspace, f"queries/{query.pk}/delete/")).status_code == 404
    assert (
        outsider_client.post(
            url(workspace, f"queries/{query.pk}/"), {"name": "x", "kind": "brand", "text": "y"}
        ).status_code
        == 404
    )
    for path in (
        f"queries/{query.pk}/exclude/",
        "mentions/bulk/",
        f"alerts/{alert.pk}/acknowledge/",
    ):
        assert outsider_client.post(url(workspace, path), {"term": "x"}).status_code == 404
    query.refresh_from_db()
    alert.refresh_from_db()
    assert query.text == "café" and alert.acknowledged_at is None


def test_a_query_of_another_workspace_cannot_be_opened_through_mine(
    owner_client, workspace, other_workspace
):
    theirs = Query.objects.create(workspace=other_workspace, name="R", kind="brand", text="x")
    assert owner_client.get(url(workspace, f"queries/{theirs.pk}/")).status_code == 404
    assert owner_client.post(url(workspace, f"queries/{theirs.pk}/delete/")).status_code == 404
    assert Query.objects.filter(pk=theirs.pk).exists()


def test_settings_keep_crisis_words_and_the_workspaces_own_sentiment_words(
    owner_client, member_client, workspace
):
    answer = member_client.post(
        url(workspace, "settings/"),
        {
            "crisis_terms": "intoxication\nrappel produit",
            "spike_min_mentions": "12",
            "influencer_followers": "5000",
            "terms": "cramé = -0,7\nMaison Lumière = 0",
        },
    )
    assert answer.status_code == 302
    saved = ListeningSettings.of(workspace)
    assert saved.crisis_list() == ["intoxication", "rappel produit"]
    assert saved.sentiment_terms == {"cramé": -0.7, "Maison Lumière": 0.0}
    page = owner_client.get(url(workspace, "settings/")).content.decode()
    assert "cramé = -0.7" in page


def test_a_bad_sentiment_line_is_refused_with_its_number(member_client, workspace):
    answer = member_client.post(
        url(workspace, "settings/"),
        {"spike_min_mentions": "10", "influencer_followers": "1", "terms": "bon = 1\nnul = -3"},
    )
    assert "Line 2: write a word" in answer.content.decode()
    assert ListeningSettings.of(workspace).sentiment_terms == {}


def test_settings_are_for_those_who_manage_listening(workspace, outsider_client):
    analyst = client_for(make_user("analyst2@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace, "settings/")).status_code == 403
    assert outsider_client.get(url(workspace, "settings/")).status_code == 404
    assert outsider_client.post(url(workspace, "settings/"), {"terms": "x = 1"}).status_code == 404


def test_a_second_query_with_the_same_name_is_refused_plainly(owner_client, workspace):
    Query.objects.create(workspace=workspace, name="Marque", kind="brand", text="lumière")
    answer = owner_client.post(
        url(workspace, "queries/new/"), {"name": "Marque", "kind": "brand", "text": "café"}
    )
    assert answer.status_code == 200
    assert "Another query already has this name." in answer.content.decode()
    assert Query.objects.get(workspace=workspace).text == "lumière"
