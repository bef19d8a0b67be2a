"""The search index (FTS5 on SQLite, tsvector on PostgreSQL): ranked, accents and French
elisions folded, kept in step with every way a post changes, and never another space's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from liant.space import search
from liant.space.models import Category, Post, SpaceAccount, Topic
from liant.space.posting import open_channel, space_of
from tests.space.conftest import url

pytestmark = pytest.mark.django_db


def post(topic: Topic, author: SpaceAccount, body: str) -> Post:
    return Post.objects.create(topic=topic, author=author, body=body)


def titles(space, q: str) -> list[str]:
    return [p.topic.title for p in search.search(space, q)]


def bodies(space, q: str) -> list[str]:
    return [p.body for p in search.search(space, q)]


def test_best_matches_come_first_not_the_newest(space, recipes, alice):
    by_title = Topic.objects.create(category=recipes, author=alice, title="La moka italienne")
    post(by_title, alice, "Comment la nettoyer sans la rayer ?")
    elsewhere = Topic.objects.create(category=recipes, author=alice, title="Questions diverses")
    post(elsewhere, alice, "une moka en passant, puis filtre papier et tasse")
    post(elsewhere, alice, "moka, moka et encore moka pour moi")  # the newest of all
    found = bodies(space, "moka")
    # The title's word weighs most, then three mentions beat one in a body of the same length.
    assert found == [
        "Comment la nettoyer sans la rayer ?",
        "moka, moka et encore moka pour moi",
        "une moka en passant, puis filtre papier et tasse",
    ]
    scores = [p.score for p in search.search(space, "moka")]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_accents_and_case_are_folded_both_ways(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Crème brûlée")
    post(topic, alice, "Un CAFÉ très torréfié")
    plain = Topic.objects.create(category=recipes, author=alice, title="Sans accents")
    post(plain, alice, "un cafe tres torrefie")
    assert len(bodies(space, "cafe")) == 2
    assert len(bodies(space, "Café TORRÉFIÉ")) == 2
    assert titles(space, "creme brulee") == ["Crème brûlée"]
    assert titles(space, "Brûl") == ["Crème brûlée"]  # the last word is a prefix


def test_french_elisions_are_split_off(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Saisons")
    post(topic, alice, "Le cold brew de l'été, et l’hiver qu’il fait")
    other = Topic.objects.create(category=recipes, author=alice, title="Autre")
    post(other, alice, "Cet été à Lyon")
    assert len(bodies(space, "été")) == 2
    assert len(bodies(space, "hiver")) == 1
    # Typed with its article, the word still finds the post without one.
    assert len(bodies(space, "l’été")) == 2
    assert bodies(space, "qu'il") == ["Le cold brew de l'été, et l’hiver qu’il fait"]


def test_every_word_must_be_found_in_the_post_or_its_title(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Mouture fine")
    post(topic, alice, "Pour un espresso serré")
    assert len(bodies(space, "mouture espresso")) == 1
    assert bodies(space, "mouture piston") == []
    assert bodies(space, "") == [] and bodies(space, "''") == []


def test_what_the_engines_read_as_syntax_is_only_words(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Syntaxe")
    post(topic, alice, "near or and not")
    for q in ('NEAR(" OR *', "a:* & !b | c", '"unclosed', "or", "-not"):
        assert Client().get(url(space, "search/"), {"q": q}).status_code == 200
    assert len(bodies(space, "near OR")) == 1


def test_the_index_follows_updates_bulk_inserts_title_changes_and_deletes(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Ancien titre")
    first = post(topic, alice, "chemex en verre")
    Post.objects.bulk_create(
        [Post(topic=topic, author=alice, body="x", body_html="<p>v60</p>", search_text="v60")]
    )
    assert len(bodies(space, "v60")) == 1
    # Erasure and moderation write with update(), which skips save().
    Post.objects.filter(pk=first.pk).update(search_text="aeropress")
    assert bodies(space, "chemex") == [] and len(bodies(space, "aeropress")) == 1
    topic.title = "Nouveau titre"
    topic.save()
    assert titles(space, "ancien") == [] and len(titles(space, "nouveau")) == 2
    Post.objects.filter(pk=first.pk).delete()
    assert bodies(space, "aeropress") == []


def test_hidden_deleted_held_and_staffless_rules_still_apply(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Filtre")
    shown = post(topic, alice, "kalita visible")
    hidden = post(topic, alice, "kalita cachée")
    Post.objects.filter(pk=hidden.pk).update(hidden=True)
    gone = post(topic, alice, "kalita effacée")
    Post.objects.filter(pk=gone.pk).update(deleted_at=shown.created_at)
    assert [p.pk for p in search.search(space, "kalita")] == [shown.pk]
    Topic.objects.filter(pk=topic.pk).update(hidden=True)
    assert bodies(space, "kalita") == []


def test_another_workspaces_space_is_never_searched(
    space, recipes, alice, other_workspace, outsider
):
    theirs = space_of(other_workspace)
    theirs.enabled, theirs.title = True, "Rival"
    theirs.save()
    open_channel(theirs)
    their_category = Category.objects.create(space=theirs, name="Rival")
    stranger = SpaceAccount.objects.create(space=theirs, email="s@rival.example", display_name="S")
    rival_topic = Topic.objects.create(category=their_category, author=stranger, title="Secret")
    post(rival_topic, stranger, "siphon du concurrent")
    ours = Topic.objects.create(category=recipes, author=alice, title="Le nôtre")
    post(ours, alice, "siphon de la maison")
    assert bodies(space, "siphon") == ["siphon de la maison"]
    assert bodies(theirs, "siphon") == ["siphon du concurrent"]
    # The rival's staff, signed in, reads our space as anyone: no more than the public.
    staff = Client()
    staff.force_login(outsider)
    page = staff.get(url(space, "search/"), {"q": "siphon"}).content.decode()
    assert "de la maison" in page and "concurrent" not in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds tables on ALTER")
def test_triggers_dropped_by_a_table_rebuild_are_put_back(space, recipes, alice):
    topic = Topic.objects.create(category=recipes, author=alice, title="Réparation")
    assert search.repair_sqlite() is False
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER space_post_fts_insert")
    post(topic, alice, "hario pendant la panne")
    assert bodies(space, "hario") == []
    assert search.repair_sqlite() is True
    assert bodies(space, "hario") == ["hario pendant la panne"]
    post(topic, alice, "hario après")
    assert len(bodies(space, "hario")) == 2
