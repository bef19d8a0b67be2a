"""liant.text.tokens: French elision, hashtags, contractions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from liant.text.tokens import tokenise, words


def test_french_elision_is_split_off():
    assert tokenise("l'équipe qu'il d'accord j’adore") == [
        "l'",
        "équipe",
        "qu'",
        "il",
        "d'",
        "accord",
        "j'",
        "adore",
    ]


def test_words_with_their_own_apostrophe_stay_whole():
    assert tokenise("aujourd'hui quelqu'un") == ["aujourd'hui", "quelqu'un"]


def test_chained_elisions_and_jusqu():
    assert tokenise("jusqu'à qu'l'on") == ["jusqu'", "à", "qu'", "l'", "on"]


def test_english_contractions_stay_one_token():
    assert tokenise("I don't think it's bad") == ["I", "don't", "think", "it's", "bad"]


def test_hashtags_mentions_urls_emoticons_and_emojis_are_single_tokens():
    assert tokenise("#CaféLumière @bob https://x.example/a :) 😍👍🏽 !!!") == [
        "#CaféLumière",
        "@bob",
        "https://x.example/a",
        ":)",
        "😍",
        "👍🏽",
        "!!!",
    ]


def test_words_are_folded_and_keep_hashtag_words():
    assert words("C'est GÉNIAL #TopCafé @bob https://x.example xD") == [
        "c'",
        "est",
        "genial",
        "topcafe",
    ]


def test_hyphenated_words_stay_whole():
    assert tokenise("peut-être rendez-vous") == ["peut-être", "rendez-vous"]


@given(st.text())
def test_tokenising_never_crashes_nor_yields_an_empty_token(text):
    tokens = tokenise(text)
    assert all(tokens)
