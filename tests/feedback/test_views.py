from __future__ import annotations

import pytest

from liant.core import csvexport
from liant.core.permissions import Role
from liant.feedback.models import Collection, Idea, NotebookNote, Verbatim
from liant.inbox.models import Department
from tests.conftest import client_for, make_user
from tests.feedback.conftest import inbound, ws_url

pytestmark = pytest.mark.django_db

PAGES = [
    "",
    "themes/",
    "collections/",
    "ideas/",
    "ideas/export.csv",
    "ideas/new/",
    "departments/",
    "notebook/",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_opens_for_the_team_and_is_refused_to_others(
    path, owner_client, member_client, analyst_client, outsider_client, workspace
):
    url = ws_url(workspace, path)
    assert owner_client.get(url).status_code == 200
    assert member_client.get(url).status_code == 200  # a community manager
    assert analyst_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404


def test_object_pages_refuse_another_workspaces_ids(
    owner_client, outsider_client, analyst_client, workspace, other_workspace
):
    idea = Idea.objects.create(workspace=workspace, title="Ours")
    theirs = Idea.objects.create(workspace=other_workspace, title="Theirs")
    collection = Collection.objects.create(workspace=workspace, name="Report")
    for path in (f"ideas/{idea.pk}/", f"collections/{collection.pk}/"):
        assert outsider_client.get(ws_url(workspace, path)).status_code == 404
        assert analyst_client.get(ws_url(workspace, path)).status_code == 403
        assert owner_client.get(ws_url(workspace, path)).status_code == 200
    assert owner_client.get(ws_url(workspace, f"ideas/{theirs.pk}/")).status_code == 404
    # Merging into another workspace's idea is refused as an invalid choice.
    owner_client.post(ws_url(workspace, f"ideas/{idea.pk}/merge/"), {"into": theirs.pk})
    idea.refresh_from_db()
    assert idea.merged_into is None


def test_a_typed_idea_is_routed_and_shown_to_its_department(owner_client, workspace):
    product = Department.objects.create(workspace=workspace, name="Produit")
    response = owner_client.post(
        ws_url(workspace, "ideas/new/"),
        {"title": "Un atelier dégustation", "text": "Le samedi matin", "department": product.pk},
    )
    idea = Idea.objects.get()
    assert response["Location"] == ws_url(workspace, f"ideas/{idea.pk}/")
    assert idea.department == product and idea.status == "received"
    owner_client.post(
        ws_url(workspace, f"ideas/{idea.pk}/status/"),
        {"status": "planned", "public_reason": "En janvier"},
    )
    page = owner_client.get(ws_url(workspace, f"departments/{product.pk}/")).content.decode()
    assert "Un atelier dégustation" in page and "Planned" in page


def test_merging_from_the_idea_page(owner_client, workspace):
    kept = Idea.objects.create(workspace=workspace, title="Abonnement")
    duplicate = Idea.objects.create(workspace=workspace, title="Box mensuelle")
    response = owner_client.post(
        ws_url(workspace, f"ideas/{duplicate.pk}/merge/"), {"into": kept.pk}
    )
    assert response["Location"] == ws_url(workspace, f"ideas/{kept.pk}/")
    page = owner_client.get(ws_url(workspace, "ideas/")).content.decode()
    assert "Abonnement" in page and "Box mensuelle" not in page


def test_the_notebook_is_private_to_its_author(
    owner_client, member_client, workspace, channel, owner
):
    message = inbound(channel, "Penser à un jeu concours pour Noël")
    owner_client.post(
        ws_url(workspace, "notebook/"),
        {"kind": "idea", "text": "Jeu concours de Noël", "message": message.pk},
    )
    note = NotebookNote.objects.get()
    assert note.author == owner and note.message == message
    assert (
        "Jeu concours de Noël" in owner_client.get(ws_url(workspace, "notebook/")).content.decode()
    )
    # Another community manager of the same workspace sees nothing of it.
    assert "Jeu concours" not in member_client.get(ws_url(workspace, "notebook/")).content.decode()
    for path in (f"notebook/{note.pk}/", f"notebook/{note.pk}/delete/"):
        assert member_client.post(ws_url(workspace, path), {"text": "x"}).status_code == 404
    assert (
        member_client.post(ws_url(workspace, f"notebook/{note.pk}/to-idea-box/")).status_code == 404
    )
    note.refresh_from_db()
    assert note.text == "Jeu concours de Noël"
    response = owner_client.post(ws_url(workspace, f"notebook/{note.pk}/to-idea-box/"))
    idea = Idea.objects.get()
    assert response["Location"] == ws_url(workspace, f"ideas/{idea.pk}/")
    assert idea.message == message and idea.created_by == owner


def test_verbatims_are_gathered_into_a_collection(owner_client, workspace, channel):
    for text in ("Colis abîmé", "Service au top"):
        owner_client.post(ws_url(workspace, f"keep/message/{inbound(channel, text).pk}/"))
    owner_client.post(ws_url(workspace, "collections/"), {"name": "Bilan", "description": ""})
    collection = Collection.objects.get()
    owner_client.post(
        ws_url(workspace, ""),
        {
            "collection": collection.pk,
            "verbatim": list(Verbatim.objects.values_list("pk", flat=True)),
        },
    )
    assert collection.verbatims.count() == 2
    page = owner_client.get(ws_url(workspace, f"collections/{collection.pk}/")).content.decode()
    assert "Colis abîmé" in page and "Service au top" in page


def test_the_mention_list_offers_the_buttons_only_to_those_allowed(workspace, owner_client):
    from django.utils import timezone

    from liant.listening.models import Mention

    Mention.objects.create(
        workspace=workspace, source="mastodon", remote_id="1", text="Top café",
        sentiment="positive", sentiment_score=0.5, occurred_at=timezone.now(), dedupe_key="a",
    )  # fmt: skip
    listening_url = f"/w/{workspace.slug}/listening/mentions/"
    page = owner_client.get(listening_url).content.decode()
    assert "Keep as verbatim" in page and 'id="feedback-actions-form"' in page
    analyst = client_for(make_user("an@brand.example", workspace, Role.ANALYST))
    page = analyst.get(listening_url).content.decode()
    assert "Top café" in page and "Keep as verbatim" not in page


def test_an_idea_told_in_person_is_typed_with_its_proposer(owner_client, workspace, channel):
    from liant.members.models import Activity, Identity, Member

    member = Member.objects.create(workspace=workspace, name="Jo")
    Identity.objects.create(
        workspace=workspace, member=member, network="scripted_reply", key="jo",
        remote_id="jo", handle="@jo", channel=channel,
    )  # fmt: skip
    url = ws_url(workspace, "ideas/new/")
    page = owner_client.post(url, {"title": "Des tasses", "proposer": "@nobody"}).content.decode()
    assert "No member of this workspace has this address or handle." in page
    assert not Idea.objects.exists()
    owner_client.post(url, {"title": "Des tasses consignées", "proposer": "jo"})
    idea = Idea.objects.get()
    proposer = idea.proposers.get()
    assert proposer.member == member and proposer.channel == channel
    assert Activity.objects.filter(member=member, kind="idea").count() == 1


def test_the_ideas_export_as_csv_filtered_like_the_list(owner_client, workspace, other_workspace):
    product = Department.objects.create(workspace=workspace, name="Produit")
    Idea.objects.create(
        workspace=workspace, title="Abonnement", status="planned", department=product
    )
    Idea.objects.create(workspace=workspace, title="=cmd|' /C calc'!A0", text="Des dosettes")
    kept = Idea.objects.create(workspace=workspace, title="Abonnement mensuel")
    Idea.objects.create(workspace=workspace, title="Doublon", merged_into=kept)
    Idea.objects.create(workspace=other_workspace, title="Theirs")
    assert (
        "ideas/export.csv?status=" in owner_client.get(ws_url(workspace, "ideas/")).content.decode()
    )
    lines = csvexport.body(owner_client.get(ws_url(workspace, "ideas/export.csv"))).splitlines()
    assert len(lines) == 4  # the header and the three ideas of the box, not the merged one
    text = "\n".join(lines)
    assert "Theirs" not in text and "Doublon" not in text
    assert "'=cmd|" in text  # a formula stays text in the spreadsheet
    planned = csvexport.body(owner_client.get(ws_url(workspace, "ideas/export.csv?status=planned")))
    assert planned.splitlines()[1].startswith("Abonnement,") and "Produit" in planned
    assert len(planned.splitlines()) == 2
