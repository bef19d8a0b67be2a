"""liant.text.sentiment and analyse(): the hard cases of French and English social text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liant.text import analyse
from liant.text.lexicons import DATA, read_labelled
from liant.text.sentiment import explain, label, score


def sentiment(text: str, language: str) -> str:
    return label(score(text, language))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pas terrible ce café", "negative"),
        ("pas top l'accueil", "negative"),
        ("Pas mal du tout !", "positive"),
        ("ce n'est pas mal", "positive"),
        ("Je n'aime pas ce café", "negative"),
        ("J'aime pas ce café", "negative"),
        ("Ça marche plus depuis la mise à jour", "negative"),
        ("Jamais déçue par vos produits", "positive"),
        ("Aucun problème avec la livraison", "positive"),
        ("Je ne recommande pas", "negative"),
    ],
)
def test_french_negation(text, expected):
    assert sentiment(text, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not bad", "positive"),
        ("Not good at all", "negative"),
        ("No problems at all with my order", "positive"),
        ("I don't like the new recipe", "negative"),
        ("It doesn't work since the update", "negative"),
        ("Never disappointed", "positive"),
    ],
)
def test_english_negation(text, expected):
    assert sentiment(text, "en") == expected


def test_contrast_gives_the_last_clause_more_weight():
    assert sentiment("L'équipe était sympa mais le café était vraiment mauvais", "fr") == (
        "negative"
    )
    assert sentiment("Le service était un peu lent mais le repas était excellent", "fr") == (
        "positive"
    )
    assert sentiment("The staff were nice but the coffee was really bad", "en") == "negative"


def test_intensifiers_dampeners_caps_and_exclamation_marks_add_strength():
    assert score("très déçu", "fr") < score("déçu", "fr") < score("un peu déçu", "fr") < 0
    assert score("C'est NUL le service", "fr") < score("C'est nul le service", "fr")
    assert score("Love it!!!", "en") > score("Love it", "en") > 0
    assert score("trooop bien", "fr") >= score("trop bien", "fr") > 0


def test_emojis_and_emoticons_carry_sentiment_and_are_not_negated():
    assert sentiment("Colis livré 😡", "fr") == "negative"
    assert sentiment("Colis livré 😍", "fr") == "positive"
    assert sentiment("Parcel arrived :(", "en") == "negative"
    assert sentiment("reçu 👍🏽", "fr") == "positive"
    assert sentiment("Aucune nouvelle du colis 😞", "fr") == "negative"


def test_neutral_information_stays_neutral():
    for text in [
        "Vous ouvrez à quelle heure le dimanche ?",
        "The shop is moving to 12 High Street",
    ]:
        assert sentiment(text, "other") == "neutral"


def test_explain_lists_what_made_the_score():
    value, parts = explain("Pas terrible, mais le barista est adorable", "fr")
    assert value > 0
    assert [text for text, _ in parts] == ["Pas terrible", "adorable"]


def test_workspace_terms_override_the_shipped_lexicon_for_that_call_only():
    text = "Rupture de stock sur la Maison Lumière Super Corsé"
    plain = next(iter(analyse([text])))
    tuned = next(iter(analyse([text], terms={"super corsé": 0.0, "rupture de stock": -0.8})))
    assert plain.sentiment == "positive"  # "super" read as praise: what the terms fix
    assert tuned.sentiment == "negative"
    assert next(iter(analyse([text]))).sentiment == "positive"


def test_workspace_terms_add_domain_words_in_both_languages():
    terms = {"cramé": -0.7, "burnt to a crisp": -0.9}
    results = list(
        analyse(["Encore un café cramé ce matin", "My latte was burnt to a crisp"], terms)
    )
    assert [r.sentiment for r in results] == ["negative", "negative"]


def test_analyse_returns_one_result_per_text_in_order_with_the_classifiers_filled():
    results = list(analyse(["Pas terrible ce café…", "Love the new roast!", ""]))
    assert [(r.language, r.sentiment) for r in results] == [
        ("fr", "negative"),
        ("en", "positive"),
        ("other", "neutral"),
    ]
    assert all(-1.0 <= r.sentiment_score <= 1.0 for r in results)
    assert all(r.toxicity is not None and r.spam is not None for r in results)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_accuracy_on_the_hand_written_posts_stays_high(language):
    rows = read_labelled(DATA / f"posts_{language}.tsv")
    results = list(analyse(text for _, text in rows))
    right = sum(r.sentiment == expected for r, (expected, _) in zip(results, rows, strict=True))
    assert right / len(rows) >= 0.9


@given(st.text(), st.sampled_from(["fr", "en", "other"]))
def test_score_never_crashes_and_stays_in_range(text, language):
    assert -1.0 <= score(text, language) <= 1.0
