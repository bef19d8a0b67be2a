"""One search interface; runs on SQLite (FTS5) and, when the suite runs there, PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from liant.inbox import grouping, search
from liant.inbox.models import Conversation, Message
from tests.inbox.conftest import stored

pytestmark = pytest.mark.django_db


def found(workspace, query: str) -> set[str]:
    rows = search.matching(Conversation.objects.filter(workspace=workspace), query)
    return set(rows.values_list("key", flat=True))


def test_the_engine_of_the_database_answers(workspace, channel):
    stored(channel, "Le Café Éthiopie est épuisé ?", thread="fr", name="Zoé")
    stored(channel, "Is the Ethiopia roast back?", thread="en")
    grouping.group_all()
    assert found(workspace, "cafe ethiopie") == {"thread:fr"}
    assert found(workspace, "ÉTHIOP") == {"thread:fr", "thread:en"}  # prefix, folded
    assert found(workspace, "zoe") == {"thread:fr"}  # the author's name is searched too
    assert found(workspace, "roast -café") == set()  # every word must be there
    assert found(workspace, "") == {"thread:fr", "thread:en"}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM inbox_message_fts")
            assert cursor.fetchone()[0] == 2
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'inbox_message_search'"
            )
            assert cursor.fetchone()[0] == 1


def test_an_edited_or_deleted_message_is_searched_as_it_is_now(workspace, channel):
    stored(channel, "ancienne version", thread="t")
    grouping.group_all()
    message = Message.objects.get()
    message.text = "nouvelle version"
    message.save(update_fields=["text"])
    assert found(workspace, "ancienne") == set()
    assert found(workspace, "nouvelle") == {"thread:t"}
    message.delete()
    assert found(workspace, "nouvelle") == set()


@pytest.mark.parametrize("query", ['"', "NEAR(a b)", "a OR b", "*", "x:y", "'); --", "a & !b"])
def test_engine_syntax_typed_by_a_person_is_only_words(workspace, channel, query):
    stored(channel, "a b x y", thread="t")
    grouping.group_all()
    search_result = found(workspace, query)
    assert search_result in (set(), {"thread:t"})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only")
def test_both_postgresql_paths_find_the_same_conversations(workspace, channel, monkeypatch):
    """Index first (a rare word) or newest-first walk (a common one): which runs depends on
    the column's statistics; both must give the same answer."""
    stored(channel, "Je veux un remboursement", thread="a")
    stored(channel, "Remboursé hier, merci", thread="b")
    stored(channel, "Quel moulin choisir ?", thread="c")
    grouping.group_all()
    answers = []
    for common in (frozenset(), frozenset({"remboursement", "rembourse"})):
        monkeypatch.setattr(search, "common_words", lambda c=common: c)
        for query in ("rembours", "merci rembours"):
            answers.append((query, found(workspace, query)))
    assert (
        answers
        == [
            ("rembours", {"thread:a", "thread:b"}),
            ("merci rembours", {"thread:b"}),
        ]
        * 2
    )
