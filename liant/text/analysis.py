"""The one batch call every caller shares: language, sentiment, toxicity and spam for many
texts at once."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from liant.text import language as _language
from liant.text import lexicons, sentiment, spam, toxicity

BATCH = 256  # texts classified together: the toxicity SVM is fast on batches only
# A message longer than this is judged on its beginning and its end: the time a worker spends
# on one message stays bounded (a 1 MB post costs what a 10 kB one does), and what a spammer or
# a troll wants read is at one end or the other.
SAMPLE_HEAD = 8_000
SAMPLE_TAIL = 2_000


def sample(text: str) -> str:
    if len(text) <= SAMPLE_HEAD + SAMPLE_TAIL:
        return text
    return text[:SAMPLE_HEAD] + "\n" + text[-SAMPLE_TAIL:]


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    language: str  # "fr" | "en" | "other"
    language_confidence: float  # 0.0 … 1.0
    sentiment: str  # "negative" | "neutral" | "positive"
    sentiment_score: float  # -1.0 … 1.0
    # Probabilities, 0.0 … 1.0; None only where a caller built an Analysis by hand.
    toxicity: float | None = None
    spam: float | None = None


def analyse(
    texts: Iterable[str], terms: Mapping[str, float] | None = None, *, classify: bool = True
) -> Iterator[Analysis]:
    """Analyse texts lazily, in order.

    `terms` are a workspace's own words or phrases with a polarity from -1.0 to 1.0 ("Maison
    Lumière": 0.0 to neutralise a brand name that contains a sentiment word, "rupture": -0.6);
    they win over the shipped lexicons in every language. `classify=False` skips toxicity and
    spam (left None), which cost about half the time, for callers that only need language and
    sentiment (listening).
    """
    overlays: dict[str, lexicons.Lexicon] = {}
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, BATCH)):
        rows = []
        for text in batch:
            read = sample(text)
            lang, confidence = _language.detect(read)
            lexicon = None
            if terms:
                lexicon = overlays.get(lang)
                if lexicon is None:
                    lexicon = overlays[lang] = lexicons.with_terms(
                        sentiment.base_lexicon(lang), terms
                    )
            rows.append((text, read, lang, confidence, sentiment.score(read, lang, lexicon)))
        if not classify:
            for text, _read, lang, confidence, value in rows:
                yield Analysis(text, lang, confidence, sentiment.label(value), value)
            continue
        # One matching form per text serves both classifiers' word lists.
        forms = [toxicity.insults().prepare(r[1]) for r in rows]
        toxic = toxicity.scores(
            [r[1] for r in rows], [r[2] for r in rows], [r[4] for r in rows], forms
        )
        for (text, read, lang, confidence, value), tox, form in zip(
            rows, toxic, forms, strict=True
        ):
            yield Analysis(
                text, lang, confidence, sentiment.label(value), value, tox, spam.score(read, form)
            )
