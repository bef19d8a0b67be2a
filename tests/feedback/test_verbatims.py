from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from liant.feedback import sources, verbatims
from liant.feedback.models import Collection, Theme, Verbatim
from liant.inbox.models import Department, Message
from liant.listening.models import Mention
from liant.members import attach
from liant.members.models import Identity
from tests.feedback.conftest import inbound, ws_url

pytestmark = pytest.mark.django_db


def test_keeping_a_message_copies_its_words_and_finds_the_member(workspace, channel, owner):
    message = inbound(
        channel, "Ma commande est arrivée cassée, c'est la deuxième fois.", name="José"
    )
    attach.attach(workspace.pk, [message.event])
    verbatim, created = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    assert created
    assert verbatim.text == "Ma commande est arrivée cassée, c'est la deuxième fois."
    assert (verbatim.author_name, verbatim.channel_name, verbatim.network) == (
        "José",
        "Social",
        "scripted_reply",
    )
    assert verbatim.url == message.event.url and verbatim.said_at == message.occurred_at
    assert verbatim.language == message.language and verbatim.sentiment == message.sentiment
    identity = Identity.objects.get(workspace=workspace, key="ana")
    assert verbatim.member == identity.member and verbatim.kept_by == owner
    # A second click, by anyone, gives the same verbatim.
    again, created = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    assert not created and again.pk == verbatim.pk


def test_the_copy_outlives_its_source(workspace, channel, owner):
    message = inbound(channel, "Le meilleur café de Lyon.")
    verbatim, _ = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    assert verbatim.member is None  # the members worker has not read this author yet
    Message.objects.filter(pk=message.pk).delete()
    verbatim.refresh_from_db()
    assert verbatim.message is None and verbatim.text == "Le meilleur café de Lyon."


def test_a_mention_found_by_search_matches_the_member_by_handle(workspace, channel, owner):
    message = inbound(channel, "hello", author="nina")
    attach.attach(workspace.pk, [message.event])
    mention = Mention.objects.create(
        workspace=workspace,
        source="scripted_reply",
        remote_id="s-1",
        url="https://net.example/@nina/s-1",
        author_handle="@nina",
        author_name="Nina",
        text="Le nouveau déca de #maisonlumiere est top",
        language="fr",
        sentiment="positive",
        sentiment_score=0.7,
        occurred_at=timezone.now(),
        dedupe_key="x",
    )
    verbatim, _ = verbatims.keep(workspace.pk, sources.from_mention(mention), owner)
    assert verbatim.member.identities.get().handle == "@nina"
    assert (verbatim.channel_name, verbatim.sentiment, verbatim.url) == (
        "scripted_reply",
        "positive",
        "https://net.example/@nina/s-1",
    )


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    for dangerous in ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"):
        assert verbatims.neutralise(dangerous) == "'" + dangerous
    assert verbatims.neutralise("Bon café = bonheur") == "Bon café = bonheur"


def test_the_collection_exports_as_csv_and_prints(owner_client, workspace, channel, owner):
    message = inbound(channel, '=cmd|"/c calc"!A1 trop cher', name="Eve")
    verbatim, _ = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    theme = Theme.objects.create(workspace=workspace, name="Prix")
    department = Department.objects.create(workspace=workspace, name="Ventes")
    verbatim.themes.add(theme)
    verbatim.departments.add(department)
    collection = Collection.objects.create(workspace=workspace, name="Rapport de novembre")
    collection.verbatims.add(verbatim)

    response = owner_client.get(ws_url(workspace, f"collections/{collection.pk}/export.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="brand-rapport-de-novembre-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "Date" and len(rows) == 2
    assert rows[1][1] == "Eve" and rows[1][7] == "Prix" and rows[1][8] == "Ventes"
    assert rows[1][9] == "'" + '=cmd|"/c calc"!A1 trop cher'

    page = owner_client.get(ws_url(workspace, f"collections/{collection.pk}/")).content.decode()
    assert "feedback/print.css" in page and 'media="print"' in page
    assert "Rapport de novembre" in page and "Eve" in page


def test_stored_words_are_shown_escaped(owner_client, workspace, channel, owner):
    message = inbound(channel, "<script>alert(1)</script> <b>gras</b>")
    verbatim, _ = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    page = owner_client.get(ws_url(workspace, f"verbatims/{verbatim.pk}/")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_keep_buttons_on_the_inbox_and_their_permissions(
    owner_client, analyst_client, outsider_client, workspace, channel
):
    message = inbound(channel, "Super accueil en boutique !")
    conversation_page = owner_client.get(
        f"/w/{workspace.slug}/inbox/{message.conversation_id}/"
    ).content.decode()
    keep_url = ws_url(workspace, f"keep/message/{message.pk}/")
    assert keep_url in conversation_page and "Keep as verbatim" in conversation_page
    assert outsider_client.post(keep_url).status_code == 404
    assert analyst_client.post(keep_url).status_code == 403
    assert not Verbatim.objects.exists()
    response = owner_client.post(keep_url)
    verbatim = Verbatim.objects.get()
    assert response["Location"] == ws_url(workspace, f"verbatims/{verbatim.pk}/")
    owner_client.post(keep_url)
    assert Verbatim.objects.count() == 1


def test_tags_and_routing_are_saved_within_the_workspace(
    owner_client, workspace, other_workspace, channel, owner
):
    message = inbound(channel, "Livraison en retard")
    verbatim, _ = verbatims.keep(workspace.pk, sources.from_message(message), owner)
    department = Department.objects.create(workspace=workspace, name="SAV")
    foreign = Department.objects.create(workspace=other_workspace, name="Leur SAV")
    url = ws_url(workspace, f"verbatims/{verbatim.pk}/")
    owner_client.post(url, {"departments": [foreign.pk]})
    assert not verbatim.departments.exists()  # another workspace's id is refused
    owner_client.post(url, {"departments": [department.pk], "new_themes": "Livraison, Délais"})
    assert list(verbatim.departments.all()) == [department]
    assert sorted(t.name for t in verbatim.themes.all()) == ["Délais", "Livraison"]
    page = owner_client.get(ws_url(workspace, f"departments/{department.pk}/")).content.decode()
    assert "Livraison en retard" in page
