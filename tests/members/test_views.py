from __future__ import annotations

import pytest

from liant.core.permissions import Role
from liant.members import attach, engagement, suggestions
from liant.members.models import (
    EngagementSettings,
    Member,
    Merge,
    MergeSuggestion,
    Segment,
    Task,
)
from tests.conftest import client_for, make_user
from tests.members.factories import channel, event


@pytest.fixture
def community(workspace):
    mastodon, bluesky = channel(workspace, "mastodon"), channel(workspace, "bluesky")
    question = event(mastodon, "tom", name="Tom Petit", text="Quel #moulin pour #espresso ?")
    event(mastodon, "lea", name="Léa Martin", parent=question.remote_id, text="#moulin #espresso")
    event(bluesky, "did:plc:lea", name="Lea Martin")
    attach.attach_workspace(workspace.pk)
    lea = Member.objects.get(identities__network="mastodon", identities__handle="lea")
    lea.email = "lea@example.org"
    lea.save()
    other = Member.objects.get(identities__network="bluesky")
    other.email = "lea@example.org"
    other.save()
    engagement.score_workspace(workspace.pk)
    suggestions.suggest(workspace.pk)
    return lea


def url(workspace, path=""):
    return f"/w/{workspace.slug}/members/{path}"


def test_every_members_page_opens_for_the_owner(owner_client, workspace, community):
    for path in ["", f"{community.pk}/", "to-do/", "merges/", "engagement/", "segments/",
                 "segments/new/", "graph/", "?levels=participant&q=lea&sort=recent"]:  # fmt: skip
        response = owner_client.get(url(workspace, path))
        assert response.status_code == 200, path
    assert "Léa Martin" in owner_client.get(url(workspace)).content.decode()


def test_an_outsider_sees_none_of_them(outsider_client, workspace, community):
    for path in ["", f"{community.pk}/", "to-do/", "merges/", "graph/", "segments/"]:
        assert outsider_client.get(url(workspace, path)).status_code == 404


def test_a_client_approver_cannot_see_members(workspace, community):
    client = client_for(make_user("client@example.org", workspace, Role.CLIENT_APPROVER))
    assert client.get(url(workspace)).status_code == 403


def test_an_analyst_reads_but_cannot_change(workspace, community):
    client = client_for(make_user("analyst@example.org", workspace, Role.ANALYST))
    assert client.get(url(workspace, f"{community.pk}/")).status_code == 200
    response = client.post(url(workspace, f"{community.pk}/"), {"note": "hello"})
    assert response.status_code == 404
    assert not community.notes.exists()


def test_merge_from_the_suggestion_and_undo(owner_client, workspace, community):
    suggestion = MergeSuggestion.objects.get()
    response = owner_client.post(
        url(workspace, "merges/merge/"),
        {"kept": suggestion.first_id, "absorbed": suggestion.second_id},
    )
    assert response.status_code == 302
    record = Merge.objects.get()
    assert Member.objects.get(pk=suggestion.second_id).merged_into_id == suggestion.first_id
    # The absorbed member's page leads to the kept one.
    assert owner_client.get(url(workspace, f"{suggestion.second_id}/")).status_code == 302
    owner_client.post(url(workspace, f"merges/{record.pk}/undo/"))
    assert Member.objects.get(pk=suggestion.second_id).merged_into_id is None


def test_a_merge_across_workspaces_is_refused(owner_client, workspace, other_workspace, community):
    stranger = Member.objects.create(workspace=other_workspace, name="Stranger")
    response = owner_client.post(
        url(workspace, "merges/merge/"), {"kept": community.pk, "absorbed": stranger.pk}
    )
    assert response.status_code == 404
    assert not Merge.objects.exists()


def test_profile_edit_tags_fields_and_notes(owner_client, workspace, community):
    response = owner_client.post(
        url(workspace, f"{community.pk}/"),
        {
            "name": "Léa Martin",
            "email": "lea@example.org",
            "language": "fr",
            "country": "FR",
            "kind": "person",
            "bio": "",
            "tag_names": "barista, lyon",
            "fields_text": "city = Lyon\nroast = light",
        },
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert set(community.tags.values_list("name", flat=True)) == {"barista", "lyon"}
    assert community.custom_fields == {"city": "Lyon", "roast": "light"}
    owner_client.post(url(workspace, f"{community.pk}/"), {"note": "Met her at the Lyon shop"})
    assert community.notes.get().text == "Met her at the Lyon shop"
    bad = owner_client.post(
        url(workspace, f"{community.pk}/"),
        {"name": "x", "kind": "person", "fields_text": "no equal sign"},
    )
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()


def test_filters_saved_as_a_segment(owner_client, workspace, community):
    response = owner_client.post(
        url(workspace, "?q=lea&levels=participant"), {"segment_name": "Léa and friends"}
    )
    segment = Segment.objects.get()
    assert response.status_code == 302 and segment.filters["q"] == "lea"
    listed = owner_client.get(url(workspace, f"?segment={segment.pk}")).content.decode()
    assert "Léa Martin" in listed and "Tom Petit" not in listed


def test_segment_form_refuses_a_bad_field_line(owner_client, workspace, community):
    response = owner_client.post(
        url(workspace, "segments/new/"),
        {"name": "Lyon", "custom_fields": "city = Lyon", "min_score": "2"},
    )
    assert response.status_code == 302
    assert Segment.objects.get().filters == {"min_score": 2.0, "fields": {"city": "Lyon"}}


def test_engagement_settings_rescore(owner_client, workspace, community):
    data = {
        "monthly_decay": "0.5",
        "participant_score": "1",
        "participant_days": "1",
        "contributor_score": "15",
        "contributor_days": "3",
        "ambassador_score": "60",
        "ambassador_days": "6",
        "grace_days": "30",
        "silent_days": "21",
    }
    data |= {f"w_{k}": "1" for k in EngagementSettings.DEFAULT_WEIGHTS}
    data["w_comment"] = "7"
    response = owner_client.post(url(workspace, "engagement/"), data)
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.score == 7.0
    data["per_network"] = "mastodon comment = 2"
    owner_client.post(url(workspace, "engagement/"), data)
    community.refresh_from_db()
    assert community.score == 2.0
    data["per_network"] = "mastodon shouting = 2"
    page = owner_client.post(url(workspace, "engagement/"), data)
    assert page.status_code == 200 and "Line 1" in page.content.decode()
    data["per_network"], data["monthly_decay"] = "", "1.5"
    assert owner_client.post(url(workspace, "engagement/"), data).status_code == 200


def test_closing_a_task_and_promoting_an_ambassador(owner_client, workspace, community):
    task = Task.objects.create(workspace=workspace, member=community, kind=Task.Kind.AMBASSADOR)
    owner_client.post(url(workspace, f"to-do/{task.pk}/close/"), {"done": "1", "promote": "1"})
    community.refresh_from_db()
    task.refresh_from_db()
    assert community.level == "ambassador" and task.state == Task.State.DONE


def test_the_profile_lists_what_other_modules_hold(owner_client, workspace, community):
    from liant.animation.models import Contest, Entry

    contest = Contest.objects.create(workspace=workspace, title="Grand concours de Noël")
    Entry.objects.create(workspace=workspace, contest=contest, member=community, source="form")
    page = owner_client.get(url(workspace, f"{community.pk}/")).content.decode()
    assert "Grand concours de Noël" in page


def test_introductions_pair_members_with_shared_interests_who_never_talked(workspace):
    from liant.members import graph
    from liant.members.models import Tag

    ch = channel(workspace, "mastodon")
    for who in ("ana", "bob", "cid"):
        event(ch, who, kind="post", text="Mon #Espresso du matin #V60")
    attach.attach_workspace(workspace.pk)
    engagement.score_workspace(workspace.pk)
    decaf = Tag.objects.create(workspace=workspace, name="Décaféiné")
    Member.objects.get(identities__handle="ana").tags.add(decaf)
    found = graph.introductions(workspace.pk)
    assert len(found) == 3
    assert found[0].shared == ["#Espresso", "#V60"]
