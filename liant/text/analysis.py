"""The one batch call every caller shares: language and sentiment for many texts at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from liant.text import language as _language
from liant.text import lexicons, sentiment


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    language: str  # "fr" | "en" | "other"
    language_confidence: float  # 0.0 … 1.0
    sentiment: str  # "negative" | "neutral" | "positive"
    sentiment_score: float  # -1.0 … 1.0
    # Classifiers to come (issue 6, moderation): None means "not computed", never "clean".
    toxicity: float | None = None
    spam: float | None = None


def analyse(texts: Iterable[str], terms: Mapping[str, float] | None = None) -> Iterator[Analysis]:
    """Analyse texts lazily, in order.

    `terms` are a workspace's own words or phrases with a polarity from -1.0 to 1.0 ("Maison
    Lumière": 0.0 to neutralise a brand name that contains a sentiment word, "rupture": -0.6);
    they win over the shipped lexicons in every language.
    """
    overlays: dict[str, lexicons.Lexicon] = {}
    for text in texts:
        lang, confidence = _language.detect(text)
        lexicon = None
        if terms:
            lexicon = overlays.get(lang)
            if lexicon is None:
                lexicon = overlays[lang] = lexicons.with_terms(sentiment.base_lexicon(lang), terms)
        value = sentiment.score(text, lang, lexicon)
        yield Analysis(text, lang, confidence, sentiment.label(value), value)
