"""Terms of a set of posts, and which terms are rising between two periods.

Rising is judged by the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi
& Quinn, 2008): a term's z-score says how surprising its share in this period is given the
previous one, so a term going from 2 to 4 mentions does not outrank one going from 40 to 200,
and a period with twice the volume does not make every term "rise".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from liant.text.lexicons import wordset
from liant.text.normalise import URL_RE
from liant.text.tokens import words

STOPWORDS = wordset(
    # French
    "a au aux avec c' ca cela ce ces cet cette ceci chez comme d' dans de des du elle elles en "
    "est et etait ete etre eu il ils j' je l' la le les leur leurs lui m' ma mais me mes moi mon "
    "n' ne ni nos notre nous on ont ou par pas plus pour qu' que qui s' sa sans se ses si son "
    "sont sur t' ta te tes toi ton tu un une vos votre vous y a ai as avait avez avons fait "
    "faire tres trop bien aussi tout tous toute toutes deja encore meme alors car donc quand "
    "comment pourquoi quoi ici la-bas oui non ca c'est etes sera suis va vais quel quelle "
    "quels quelles "
    # English
    "the a an and or but if then so of to in on at by for with from as is are was were be been "
    "being it its it's this that these those i me my we our you your he him his she her they "
    "them their what which who whom when where why how all any both each few more most other "
    "some such no nor not only own same than too very can will just don't should now do does "
    "did have has had i'm you're i've there here about into over after before again up down "
    "out off get got would could"
)


_SEGMENT_BREAK = re.compile(rf"{URL_RE.pattern}|[.,;:!?…()\[\]\"«»]+(?:\s|$)|\s[-–—]\s")


def candidate_terms(text: str, max_words: int = 2) -> list[str]:
    """Words and two-word phrases worth counting: no stop word at either end, no numbers."""
    terms: list[str] = []
    # Phrases do not run across punctuation: "nul, fail" is not a term.
    for segment in _SEGMENT_BREAK.split(text):
        tokens = words(segment)
        for n in range(1, max_words + 1):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                first, last = gram[0], gram[-1]
                if first in STOPWORDS or last in STOPWORDS:
                    continue
                if len(first) < 3 or len(last) < 3 or first.isdigit() or last.isdigit():
                    continue
                terms.append(" ".join(gram))
    return terms


def term_counts(texts: Iterable[str], max_words: int = 2) -> Counter[str]:
    """In how many texts each term appears (a spam wave repeating a word counts once a post)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(candidate_terms(text, max_words)))
    return counts


@dataclass(frozen=True)
class RisingTerm:
    term: str
    z: float  # how many standard deviations above what the previous period predicts
    count: int  # texts containing it in this period
    previous: int  # … and in the previous one


def rising_terms(
    current: Iterable[str],
    previous: Iterable[str],
    top: int = 20,
    min_count: int = 3,
    prior_strength: float = 10.0,
) -> list[RisingTerm]:
    """Terms whose share grew most significantly from `previous` to `current`."""
    now, before = term_counts(current), term_counts(previous)
    n_now, n_before = sum(now.values()), sum(before.values())
    if not n_now:
        return []
    pooled = now + before
    n_pooled = n_now + n_before
    # The prior is the pooled distribution, scaled so it weighs like `prior_strength` × the
    # vocabulary's size in pseudo-counts; rare terms are pulled towards "no change".
    alpha_0 = prior_strength * len(pooled)
    rising: list[RisingTerm] = []
    for term, count in now.items():
        if count < min_count:
            continue
        alpha = alpha_0 * pooled[term] / n_pooled
        y_now, y_before = count, before.get(term, 0)
        log_odds_now = math.log((y_now + alpha) / (n_now + alpha_0 - y_now - alpha))
        log_odds_before = math.log((y_before + alpha) / (n_before + alpha_0 - y_before - alpha))
        variance = 1.0 / (y_now + alpha) + 1.0 / (y_before + alpha)
        z = (log_odds_now - log_odds_before) / math.sqrt(variance)
        if z > 0:
            rising.append(RisingTerm(term, z, y_now, y_before))
    rising.sort(key=lambda r: (-r.z, r.term))
    return rising[:top]


def top_terms(texts: Iterable[str], top: int = 20, min_count: int = 2) -> list[tuple[str, int]]:
    """The terms most posts share, longer phrases first among equals ("café brûlé" before
    "café" when both appear in as many posts)."""
    counts = term_counts(texts)
    ranked = sorted(
        ((term, count) for term, count in counts.items() if count >= min_count),
        key=lambda tc: (-tc[1], -tc[0].count(" "), tc[0]),
    )
    return ranked[:top]
