"""Rule-based sentiment for French and English social posts.

The shape follows what VADER showed works on short social text (a valence lexicon, then rules
for negation, intensifiers, contrast, ALL-CAPS and exclamation marks, summed and squashed into
[-1, 1]); the rules here are written for both languages, French word order included:
"je n'aime pas", "j'aime pas", "ça marche plus" negate the verb before "pas".
"""

from __future__ import annotations

import functools
import html
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from liant.text import lexicons
from liant.text.lexicons import Lexicon, fold_token, wordset
from liant.text.normalise import squeeze
from liant.text.tokens import tokens_of

NEGATION_SCALAR = -0.74
BOOST = 0.293
CAPS_BOOST = 0.733
EXCLAMATION_BOOST = 0.292
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
NEUTRAL_BAND = 0.05  # |score| below this is neutral
SQUASH = 15.0  # how fast the summed valence approaches ±1
# People pile up mild praise even when they are unhappy ("bien écrit, mais…"); a negative word
# says more than a positive one. Chosen on the French data named in README.md.
NEGATIVITY = {"fr": 1.3, "en": 1.0, "other": 1.0}

NEGATORS_FR = wordset("ne n' pas jamais rien aucun aucune sans ni nullement guere peu moins")
# In spoken French the "ne" disappears and the negation follows the verb: "j'aime pas".
NEGATORS_AFTER_FR = wordset("pas plus jamais point")
NEGATORS_EN = wordset(
    "not no never none nobody nothing neither nor without cannot cant dont doesnt didnt isnt "
    "wasnt werent arent aint wont wouldnt shouldnt couldnt hasnt havent hadnt neednt hardly "
    "barely rarely seldom nope nah"
)
BOOSTERS_FR = {
    **dict.fromkeys(
        wordset(
            "tres trop vraiment tellement hyper ultra super grave carrement totalement "
            "completement absolument extremement franchement vachement tant si archi mega "
            "particulierement enormement vraiiment tres-tres"
        ),
        BOOST,
    ),
    **dict.fromkeys(wordset("assez plutot legerement presque moyennement"), -BOOST),
}
BOOSTERS_EN = {
    **dict.fromkeys(
        wordset(
            "absolutely amazingly awfully completely considerably decidedly deeply effing "
            "enormously entirely especially exceptionally extremely fabulously flippin "
            "fricking friggin fully fucking greatly hella highly hugely incredibly intensely "
            "majorly more most particularly purely quite really remarkably so soo sooo "
            "substantially thoroughly totally tremendously uber unbelievably unusually "
            "utterly very super too"
        ),
        BOOST,
    ),
    **dict.fromkeys(
        wordset(
            "almost kinda kindof less little marginally occasionally partly scarcely slightly "
            "somewhat sorta sortof fairly"
        ),
        -BOOST,
    ),
}
CONTRAST = wordset("mais cependant pourtant toutefois neanmoins but however yet though")
_CLAUSE_END = frozenset('.,;:!?…()[]"«»')


@dataclass(frozen=True)
class Rules:
    lexicon: Lexicon
    negators: frozenset[str]
    negators_after: frozenset[str]
    boosters: Mapping[str, float]


def _rules(language: str, lexicon: Lexicon | None = None) -> Rules:
    if language == "fr":
        return Rules(lexicon or lexicons.french(), NEGATORS_FR, NEGATORS_AFTER_FR, BOOSTERS_FR)
    if language == "en":
        return Rules(lexicon or lexicons.english(), NEGATORS_EN, frozenset(), BOOSTERS_EN)
    return Rules(
        lexicon or lexicons.bilingual(),
        NEGATORS_FR | NEGATORS_EN,
        NEGATORS_AFTER_FR,
        {**BOOSTERS_FR, **BOOSTERS_EN},
    )


def base_lexicon(language: str) -> Lexicon:
    return _rules(language).lexicon


_STRIP_EMOJI_MODIFIERS = str.maketrans({0xFE0F: None, **dict.fromkeys(range(127995, 128000))})
_FR_ENDINGS = ("ement", "ment", "ees", "es", "ee", "s", "x", "e")


def _lookup(word: str, lexicon: Lexicon, cache: dict[str, float]) -> float:
    """Valence of one folded token, trying the forms a lexicon would list it under."""
    if word in cache:
        return cache[word]
    words = lexicon.words
    valence = words.get(word)
    if valence is None and not word[0].isalnum():
        valence = words.get(word.translate(_STRIP_EMOJI_MODIFIERS))
    if valence is None and word[0] == "#":
        valence = words.get(word[1:])
    if valence is None and word.endswith("n't"):
        valence = words.get(word[:-3])
    if valence is None and len(word) > 4:
        for ending in _FR_ENDINGS:
            if word.endswith(ending):
                valence = words.get(word[: -len(ending)])
                if valence is not None:
                    break
    if len(cache) > 100_000:
        cache.clear()
    cache[word] = valence or 0.0
    return cache[word]


def _unstretch(folded: list[str], rules: Rules) -> set[int]:
    """Bring "trooop", "nuuul", "sooo goood" back to dictionary words, in place, and return
    where they were: stretching a word is a way of stressing it."""
    stretched: set[int] = set()
    # Most posts have no letter three times in a row: one search of the whole post (no match
    # spans the spaces between words) instead of one per word.
    if not _STRETCH.search(" ".join(folded)):
        return stretched
    lexicon = rules.lexicon
    for i, word in enumerate(folded):
        if not _STRETCH.search(word) or not word[0].isalpha():
            continue
        twice = squeeze(word)
        once = _STRETCH_ANY.sub(r"\1", twice)
        known = (lexicon.words, rules.boosters, lexicon.phrases)
        folded[i] = (
            once if any(once in k for k in known) and not any(twice in k for k in known) else twice
        )
        stretched.add(i)
    return stretched


_STRETCH = re.compile(r"(\w)\1\1")
_STRETCH_ANY = re.compile(r"(\w)\1+")


def _is_negator(word: str, negators: frozenset[str]) -> bool:
    return word in negators or word.endswith("n't")


def tokens_for_scoring(text: str) -> tuple[list[str], list[str]]:
    """Tokens as written and folded, from one pass over the NFKC-normalised text."""
    # Posts often arrive HTML-escaped ("&gt;"), and "gt" is a word in VADER's lexicon.
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    raw = list(tokens_of(text))
    return raw, [_fold_cached(t) if len(t) <= 64 else fold_token(t) for t in raw]


# The same few thousand words come back in every post (as for tokens.words); fold_token is
# pure, and only words of ordinary length are kept.
_fold_cached = functools.lru_cache(maxsize=1 << 16)(fold_token)


def score(text: str, language: str = "other", lexicon: Lexicon | None = None) -> float:
    """A score in [-1, 1]; `lexicon` replaces the language's shared one (workspace terms)."""
    return _score(text, language, lexicon, None)


def explain(
    text: str, language: str = "other", lexicon: Lexicon | None = None
) -> tuple[float, list[tuple[str, float]]]:
    """The score and what made it: each sentiment-bearing token with its valence after rules."""
    parts: list[tuple[str, float]] = []
    return _score(text, language, lexicon, parts), parts


def _score(
    text: str, language: str, lexicon: Lexicon | None, explained: list[tuple[str, float]] | None
) -> float:
    rules = _rules(language, lexicon)
    cache = rules.lexicon.seen
    raw, folded = tokens_for_scoring(text)
    n = len(folded)
    if not n:
        return 0.0
    lex = rules.lexicon
    stretched = _unstretch(folded, rules)
    cased = [t for t in raw if t[0].isalpha() and len(t) > 1]
    shouting = sum(map(str.isupper, cased))
    caps_matter = 0 < shouting < len(cased)

    valences: list[tuple[int, float]] = []
    consumed: set[int] = set()
    clause_start = 0
    contrast_at = -1
    exclamations = 0
    i = 0
    while i < n:
        word = folded[i]
        first = word[0]
        if first in _CLAUSE_END and (len(word) == 1 or word.strip("!?.") == ""):
            clause_start = i + 1
            if first == "!":
                exclamations += len(word)
            i += 1
            continue
        if word in CONTRAST:
            contrast_at = len(valences)
            clause_start = i + 1
            i += 1
            continue
        span = 1
        valence = 0.0
        phrase_negates = False
        for key, phrase_valence in lex.phrases.get(word, ()):
            if tuple(folded[i : i + len(key)]) == key:
                valence, span = phrase_valence, len(key)
                phrase_negates = _is_negator(word, rules.negators)
                break
        else:
            # A lone letter is an initial or a typo, never an opinion.
            valence = _lookup(word, lex, cache) if len(word) > 1 or not first.isalpha() else 0.0
            if (
                valence
                and word in rules.boosters
                and i + 1 < n
                and _lookup(folded[i + 1], lex, cache)
            ):
                valence = 0.0  # "super bon": here "super" intensifies, it is not a verdict
            elif (
                valence
                and _is_negator(word, rules.negators)
                and any(
                    folded[k][0] not in _CLAUSE_END and _lookup(folded[k], lex, cache)
                    for k in range(i + 1, min(i + 4, n))
                )
            ):
                valence = 0.0  # "no problems": "no" turns "problems", it is not a verdict
        if valence:
            sign = 1.0 if valence > 0 else -1.0
            negated = False
            # An emoji or emoticon says how the writer feels; words around it do not turn it,
            # and "no" after "no" is not a yes.
            turnable = (first.isalpha() or first == "#") and not _is_negator(word, rules.negators)
            for distance in (1, 2, 3) if turnable else ():
                j = i - distance
                if j < clause_start:
                    break
                if j in consumed:
                    continue
                before = folded[j]
                boost = rules.boosters.get(before)
                if boost is not None and not (before == "peu" and j > 0 and folded[j - 1] == "un"):
                    valence += sign * boost * (1.0, 0.95, 0.9)[distance - 1]
                elif before == "peu" and j > 0 and folded[j - 1] == "un":
                    valence -= sign * BOOST
                elif _is_negator(before, rules.negators):
                    negated = True
            after = i + span
            if (
                after < n
                and folded[after] in rules.negators_after
                and not (after + 1 < n and folded[after + 1] in ("que", "qu'"))
            ):
                negated = True
                consumed.add(after)
            if negated and not phrase_negates:
                valence *= NEGATION_SCALAR
            if caps_matter and raw[i].isupper() and len(raw[i]) > 1:
                valence += sign * CAPS_BOOST
            if i in stretched:
                valence += sign * BOOST
            valences.append((i, valence))
            if explained is not None:
                explained.append((" ".join(raw[i : i + span]), valence))
            consumed.update(range(i, i + span))
        i += span

    if not valences:
        return 0.0
    total = 0.0
    negativity = NEGATIVITY.get(language, 1.0)
    for position, (_, valence) in enumerate(valences):
        if valence < 0:
            valence *= negativity
        if contrast_at >= 0:
            valence *= BEFORE_CONTRAST if position < contrast_at else AFTER_CONTRAST
        total += valence
    if total and exclamations:
        total += math.copysign(min(exclamations, 4) * EXCLAMATION_BOOST, total)
    return max(-1.0, min(1.0, total / math.sqrt(total * total + SQUASH)))


def label(value: float) -> str:
    if value >= NEUTRAL_BAND:
        return "positive"
    if value <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"
