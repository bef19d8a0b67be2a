"""How likely a message is an insult, a threat, hate or harassment: a probability, 0 … 1.

Two opinions, combined as independent evidence (noisy-or):

- Liant's own weighted list (data/insults.tsv, French and English), matched on word boundaries
  after `matching_form`, so leetspeak, stretched letters, invisible characters and look-alike
  letters from other scripts do not hide a word, and "assistance" never contains "ass". A
  message that also addresses someone ("t'es", "espèce de", "you're") is more likely an insult
  than one that swears at the weather.
- For English (and any language that is not French), alt-profanity-check's linear SVM over
  word n-grams, shipped inside its wheel (MIT, trained on English tweets and Wikipedia
  comments). It reads swearing as much as insults, so its opinion is damped when the message
  addresses nobody or is clearly positive ("holy shit this coffee is amazing"). It is called on
  whole batches: one text at a time it is ~100 times slower.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liant.text.lexicons import DATA
from liant.text.wordlist import WordList

# Second-person markers: who the words are aimed at.
ADDRESSED = (
    "tu t'es t es toi te ta ton tes vous votre vos espece de bande de pauvre "
    "you you're youre ur u your yourself yourselves"
)
ADDRESSED_PHRASES = ("espece de", "bande de", "t'es", "t es", "you're")
TARGETED_BOOST = 0.3  # share of the remaining doubt an addressed insult removes
SVM_DAMPING_UNADDRESSED = 0.6
SVM_DAMPING_SWEARING = 0.4  # unaddressed, and the list found at most mild swearing
MILD = 0.3
SVM_DAMPING_POSITIVE = 0.6
POSITIVE = 0.3  # sentiment score above which a message is "clearly positive"
FLOOR = 0.01


@dataclass(frozen=True)
class Entry:
    weight: float
    language: str  # "" for every language, else only texts detected in this one


@functools.cache
def insults() -> WordList:
    entries = []
    for line in (DATA / "insults.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            term, weight, *language = line.split("\t")
            entries.append((term, Entry(float(weight), language[0] if language else "")))
    return WordList(entries)


@functools.cache
def _addressed() -> WordList:
    words = ADDRESSED.split() + list(ADDRESSED_PHRASES)
    return WordList((w, True) for w in words)


@functools.cache
def _svm() -> Any:
    # Imported on first use: loading scikit-learn and the model costs ~2 s, paid once.
    from profanity_check import profanity_check

    return profanity_check


def svm_probabilities(texts: Sequence[str]) -> list[float]:
    """alt-profanity-check's probability for each text, in one batch call."""
    if not texts:
        return []
    module = _svm()
    probabilities = module.model.predict_proba(module.vectorizer.transform(list(texts)))
    return [float(p[1]) for p in probabilities]


def lexicon_score(prepared: str, language: str = "") -> tuple[float, list[str]]:
    """Noisy-or of the weights of the listed terms found, and those terms. A term limited to
    one language counts in texts of that language, and in texts of neither (a language that
    was not recognised is no reason to miss an insult)."""
    found = [
        hit
        for hit in insults().find("", prepared)
        if hit.value.language in ("", language) or language not in ("fr", "en")
    ]
    # A set phrase speaks for the words in it: "holy shit" is not also "shit".
    hits = [h for h in found if not any(h.term in o.term.split() for o in found if o is not h)]
    if not hits:
        return 0.0, []
    clean = 1.0
    for hit in hits:
        clean *= 1.0 - hit.value.weight
    score = 1.0 - clean
    if _addressed().find("", prepared):
        score += (1.0 - score) * TARGETED_BOOST
    return score, [h.term for h in hits]


def scores(
    texts: Sequence[str],
    languages: Sequence[str],
    sentiments: Sequence[float],
    prepared: Sequence[str] | None = None,
) -> list[float]:
    """Toxicity probabilities for a batch of (already sampled) texts; `prepared`, their
    matching forms when the caller has them (analyse() shares them with the spam score)."""
    if prepared is None:
        prepared = [insults().prepare(t) for t in texts]
    # The SVM reads the matching form too: "f*ck" and "a$$hole" come out as it learnt them.
    english = [i for i, lang in enumerate(languages) if lang != "fr"]
    svm = dict(zip(english, svm_probabilities([prepared[i] for i in english]), strict=True))
    result = []
    for i, form in enumerate(prepared):
        score, _ = lexicon_score(form, languages[i])
        if i in svm:
            opinion = svm[i]
            if not _addressed().find("", form):
                mild = score <= MILD
                opinion *= SVM_DAMPING_SWEARING if mild else SVM_DAMPING_UNADDRESSED
            if sentiments[i] > POSITIVE:
                opinion *= SVM_DAMPING_POSITIVE
            score = 1.0 - (1.0 - score) * (1.0 - opinion)
        result.append(round(max(FLOOR, min(1.0, score)), 4))
    return result
