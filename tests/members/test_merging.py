from __future__ import annotations

import pytest
from django.apps import apps
from django.core import serializers

from liant.members import attach, merging, suggestions
from liant.members.models import (
    Consent,
    Identity,
    Member,
    MemberNote,
    Merge,
    MergeSuggestion,
    Tag,
)
from tests.members.factories import channel, event


def everything() -> str:
    """Every row of every app, serialised: the state a merge + undo must give back."""
    rows = []
    for model in apps.get_models():
        if model._meta.label_lower in {"members.merge", "members.mergesuggestion"}:
            continue  # the merge's own record and the suggestion's state are the history
        if model._meta.app_label in {"sessions", "admin", "axes"}:
            continue
        rows.append(serializers.serialize("json", model._default_manager.order_by("pk")))
    return "\n".join(rows)


@pytest.fixture
def two_of_lea(workspace, owner):
    mastodon, bluesky = channel(workspace, "mastodon"), channel(workspace, "bluesky")
    event(mastodon, "lea", name="Léa Martin", days_ago=3)
    event(bluesky, "did:plc:lea", name="Lea Martin", days_ago=1)
    attach.attach_workspace(workspace.pk)
    first = Member.objects.get(identities__network="mastodon")
    second = Member.objects.get(identities__network="bluesky")
    first.tags.add(Tag.objects.create(workspace=workspace, name="barista"))
    second.tags.add(
        Tag.objects.get(name="barista"), Tag.objects.create(workspace=workspace, name="lyon")
    )
    second.email = "lea@example.org"
    second.custom_fields = {"city": "Lyon"}
    second.save()
    MemberNote.objects.create(member=second, author=owner, text="Loves the Ethiopian roast")
    Consent.objects.create(member=second, purpose="newsletter", text="Yes please")
    return first, second


def test_merge_moves_everything_and_undo_puts_it_back_exactly(two_of_lea, owner):
    first, second = two_of_lea
    before = everything()
    record = merging.merge(first, second, by=owner)
    first.refresh_from_db()
    assert first.identities.count() == 2 and first.activities.count() == 2
    assert set(first.tags.values_list("name", flat=True)) == {"barista", "lyon"}
    assert first.email == "lea@example.org" and first.custom_fields == {"city": "Lyon"}
    assert first.notes.count() == 1 and first.consents.count() == 1
    assert Member.objects.get(pk=second.pk).merged_into == first
    merging.undo(record, by=owner)
    assert everything() == before
    assert Merge.objects.get().undone_at is not None


def test_a_merge_is_undone_once_and_a_merged_member_is_not_merged_again(two_of_lea, owner):
    first, second = two_of_lea
    record = merging.merge(first, second)
    with pytest.raises(merging.MergeRefused):
        merging.merge(first, second)
    merging.undo(record)
    with pytest.raises(merging.MergeRefused):
        merging.undo(record)


def test_members_of_two_workspaces_are_never_merged(workspace, other_workspace):
    a = Member.objects.create(workspace=workspace, name="A")
    b = Member.objects.create(workspace=other_workspace, name="A")
    with pytest.raises(merging.MergeRefused):
        merging.merge(a, b)


def test_suggestions_find_the_same_person_with_a_confidence(two_of_lea, workspace):
    first, second = two_of_lea
    first.email = "LEA@example.org"
    first.save()
    assert suggestions.suggest(workspace.pk) == 1
    found = MergeSuggestion.objects.get()
    assert {found.first, found.second} == {first, second}
    assert found.confidence == 0.85 and "same_email" in found.reasons
    # Once dismissed, the pair is not suggested again.
    found.state = MergeSuggestion.State.DISMISSED
    found.save()
    assert suggestions.suggest(workspace.pk) == 0


def test_same_handle_on_two_networks_with_a_similar_name(workspace):
    mastodon, bluesky = channel(workspace, "mastodon"), channel(workspace, "bluesky")
    event(mastodon, "lea", name="Léa Martin")
    e = event(bluesky, "did:plc:x", name="Lea Martin")
    e.author_handle = "lea.bsky.social"
    e.save()
    event(mastodon, "tom", name="Tom Petit")
    attach.attach_workspace(workspace.pk)
    suggestions.suggest(workspace.pk)
    found = MergeSuggestion.objects.get()
    assert found.confidence == 0.8 and "same_handle" in found.reasons


def test_an_identity_moved_back_keeps_attaching_to_its_member(two_of_lea, workspace):
    first, second = two_of_lea
    record = merging.merge(first, second)
    merging.undo(record)
    event(Identity.objects.get(member=second).channel, "did:plc:lea")
    attach.attach_workspace(workspace.pk)
    assert second.activities.count() == 2


def test_a_similar_name_needs_a_distinctive_clue(workspace):
    def person(name, city=""):
        return Member.objects.create(
            workspace=workspace,
            name=name,
            language="fr",
            country="FR",
            custom_fields={"ville": city} if city else {},
        )

    person("Léa Martin"), person("Lea Martin")  # same name, same country: not a clue
    assert suggestions.suggest(workspace.pk) == 0
    person("Hugo Bernard", "Lyon"), person("Hugo Bernard", "lyon")
    assert suggestions.suggest(workspace.pk) == 1
    found = MergeSuggestion.objects.get()
    assert found.confidence == 0.7 and "same_city" in found.reasons
