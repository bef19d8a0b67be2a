"""The listening query language: what it accepts, how it reads, where it says a mistake is."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from liant.listening.matching import Document, Matcher
from liant.listening.query import And, Field, Not, Or, QuerySyntaxError, Term, parse


def matches(query: str, text: str, **fields: str) -> bool:
    return "q" in Matcher({"q": parse(query)}).match(Document(text, **fields))


def test_precedence_not_then_and_then_or():
    tree = parse("a OR b c NOT d")
    assert isinstance(tree, Or)
    left, right = tree.children
    assert isinstance(left, Term) and left.key == "a"
    assert isinstance(right, And) and isinstance(right.children[2], Not)
    assert str(tree) == "a OR (b AND c AND NOT d)"


def test_french_operators_phrases_fields_and_minus():
    tree = parse('("Maison Lumière" OU #MaisonLumiere) ET lang:FR SAUF -author:@Troll')
    assert str(tree) == '("Maison Lumière" OR #MaisonLumiere) AND lang:fr AND NOT NOT author:troll'
    assert str(parse(str(tree))) == str(tree)  # what the page shows parses back the same


@pytest.mark.parametrize(
    "query,column,problem",
    [
        ("", 1, "the query is empty"),
        ('café "burnt coffee', 6, "this quotation mark is never closed"),
        ("(café OR thé", 1, "this parenthesis is never closed"),
        ("café) OR thé", 5, "this parenthesis closes nothing"),
        ("café OR", 6, "OR must be followed by a term"),
        ("AND café", 1, "AND needs a term before it"),
        ("café AND OR thé", 6, "AND must be followed by a term"),
        ("café ()", 6, "empty parentheses"),
        ('café ""', 6, "empty quotation marks"),
        ("lang: café", 1, "lang: needs a value, e.g. lang:fr"),
        ("café !!!", 6, "!!! has no letter or digit to look for"),
        ("(" * 50 + "café" + ")" * 50, 41, "too many nested parentheses"),
    ],
)
def test_mistakes_are_said_with_their_column(query, column, problem):
    with pytest.raises(QuerySyntaxError) as error:
        parse(query)
    assert (error.value.column, error.value.message) == (column, problem)


def test_the_mistake_reads_in_french_for_a_french_reader():
    with pytest.raises(QuerySyntaxError) as error:
        parse("café OR")
    with translation.override("fr"):
        assert error.value.translated() == "Colonne 6 : OR doit être suivi d'un terme"


def test_words_that_look_like_fields_are_words():
    tree = parse("https://maison-lumiere.example 12:30")
    assert isinstance(tree, And) and all(isinstance(c, Term) for c in tree.children)
    assert isinstance(parse("source:mastodon"), Field)


@given(st.text(max_size=80))
def test_any_input_parses_or_fails_with_a_column_inside_the_query(query):
    try:
        parse(query)
    except QuerySyntaxError as error:
        assert 1 <= error.column <= len(query) + 1


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,text,expected",
    [
        ("cafe", "Le CAFÉ était froid", True),
        ("café", "À la cafétéria", False),  # whole words only
        ("café", "Vive le #café du matin", True),
        ("#café", "Vive le café du matin", False),
        ('"maison lumière"', "chez Maison  Lumière hier", True),
        ('"maison lumière"', "la lumière de la maison", False),
        ("lumière -jour", "la lumière du jour", False),
        ("lumière NOT jour", "la lumière du café", True),
        ("(brûlé OR cramé) café", "café complètement cramé", True),
        ("@maisonlumiere", "merci @MaisonLumiere !", True),
        ("œuf", "des oeufs et un oeuf", True),
    ],
)
def test_matching(query, text, expected):
    assert matches(query, text) is expected


def test_fields_filter_on_the_mention():
    assert matches("café lang:fr", "café", language="fr")
    assert not matches("café lang:fr", "café", language="en")
    assert matches("café source:mastodon", "café", source="mastodon")
    assert matches("author:jose", "salut", author="@jose@mastodon.social")
    assert not matches("author:jose@piaille.fr", "salut", author="jose@mastodon.social")


def test_queries_that_need_no_term_are_evaluated_on_every_mention():
    matcher = Matcher({"fr": parse("lang:fr"), "quiet": parse("NOT spam"), "word": parse("café")})
    assert set(matcher.match(Document("bonjour", language="fr"))) == {"fr", "quiet"}
    assert set(matcher.match(Document("spam café", language="en"))) == {"word"}
    assert matcher.always == ["fr", "quiet"]


def test_many_queries_share_one_scan_and_report_their_own_terms():
    queries = {n: parse(f"marque{n} OR produit{n}") for n in range(1000)}
    queries["brand"] = parse('"maison lumière" OR lumière')
    matcher = Matcher(queries)
    found = matcher.match(Document("Maison Lumière et produit7, pas marque70"))
    assert found == {
        7: ["produit7"],
        70: ["marque70"],
        "brand": ["lumiere", "maison lumiere"],
    }
    assert matcher.always == []


def test_no_queries_match_nothing():
    assert Matcher({}).match(Document("café")) == {}
