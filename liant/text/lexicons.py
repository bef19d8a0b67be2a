"""The word lists sentiment is computed from, loaded once from the installed packages.

- English: VADER's lexicon (vaderSentiment, MIT), plus Liant's additions in data/lexicon_en.tsv.
- French: the adjective lexicon of textblob-fr (from Pattern, PDDL), plus Liant's own
  data/lexicon_fr.tsv for verbs, nouns, slang and set phrases, which wins over it.
- Emojis and emoticons: data/emoji.tsv, then the words of each emoji's name in VADER's lexicon.

Keys are folded (case and accents), so "DÉÇU", "decu" and "déçu" find the same entry.
"""

from __future__ import annotations

import functools
import importlib.util
import xml.etree.ElementTree as ET  # noqa: S405 - a file shipped inside an installed package
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from liant.text.normalise import _ACCENTS

DATA = Path(__file__).parent / "data"
VADER_SCALE = 4.0  # valences run from -4 to 4, as in VADER's lexicon


def wordset(words: str) -> frozenset[str]:
    """Word lists are written as one string: easier to read and to review than a list."""
    return frozenset(words.split())


def fold_token(token: str) -> str:
    """Cheap per-token folding; the whole text is NFKC-normalised once before tokenising."""
    return token.lower().translate(_ACCENTS)


def phrase_key(text: str) -> tuple[str, ...]:
    from liant.text.tokens import tokenise

    return tuple(fold_token(t) for t in tokenise(text))


@dataclass
class Lexicon:
    """Single words and phrases (up to four tokens) with a valence."""

    words: dict[str, float] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], float]]] = field(default_factory=dict)
    # Valences of tokens already looked up, inflections and all; emptied by every change.
    seen: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def add(self, entry: str, valence: float) -> None:
        self.seen.clear()
        key = phrase_key(entry)
        if not key:
            return
        if len(key) == 1:
            self.words[key[0]] = valence
            return
        bucket = self.phrases.setdefault(key[0], [])
        bucket[:] = [(k, v) for k, v in bucket if k != key]
        bucket.append((key, valence))
        bucket.sort(key=lambda kv: -len(kv[0]))

    def update(self, entries: Iterable[tuple[str, float]]) -> None:
        for entry, valence in entries:
            self.add(entry, valence)


def read_tsv(path: Path) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        entry, value = line.rsplit("\t", 1)
        rows.append((entry, float(value)))
    return rows


def _package_file(package: str, name: str) -> str:
    """Read a data file of an installed package without importing it: importing textblob_fr
    would pull in textblob and NLTK, seconds of start-up for one XML file."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed (see pyproject.toml)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / name).read_text(encoding="utf-8")


def vader_words() -> dict[str, float]:
    table: dict[str, float] = {}
    for line in _package_file("vaderSentiment", "vader_lexicon.txt").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            table[parts[0]] = float(parts[1])
    return table


def textblob_fr_words() -> dict[str, float]:
    """Pattern's French adjectives: polarity in [-1, 1] weighed by how subjective the word is,
    so descriptive words with a slight lean ("premier", "grand") count for little."""
    root = ET.fromstring(_package_file("textblob_fr", "fr-sentiment.xml"))  # noqa: S314
    table: dict[str, float] = {}
    for word in root.iter("word"):
        form = word.get("form")
        polarity = float(word.get("polarity") or 0)
        subjectivity = float(word.get("subjectivity") or 0)
        if not form or abs(polarity) < 0.1 or fold_token(form) in _FR_NOT_OPINIONS:
            continue
        # Mostly objective words ("fermé", "dernière") describe; in a post they rarely judge.
        if subjectivity < 0.3 and abs(polarity) < 0.5:
            continue
        table[form] = 3.0 * polarity * min(1.0, 0.4 + subjectivity)
    return table


# Once accents are folded, some of Pattern's adjectives collide with grammar words ("sûr" and
# "sur", "passé" and "passe"), and some are adverbs Liant treats as intensifiers instead.
_FR_NOT_OPINIONS = wordset(
    "sur si passe passee passes plus moins tout tous toute toutes meme autre autres beaucoup "
    "peu assez trop tres point pas ne fin pres loin seul seule seulement premier premiere "
    "dernier derniere nouveau nouvelle nouveaux nouvelles grand grande petit petite long "
    "longue vrai vraie certain certaine general generale simple possible prochain prochaine"
)


@functools.cache
def emoji_valences() -> dict[str, float]:
    words = vader_words()
    table: dict[str, float] = {}
    for line in _package_file("vaderSentiment", "emoji_utf8_lexicon.txt").splitlines():
        emoji, _, name = line.partition("\t")
        scores = [words[w] for w in name.split() if w in words]
        if scores:
            table[emoji] = sum(scores) / len(scores)
    table.update(read_tsv(DATA / "emoji.tsv"))
    return {fold_token(k): v for k, v in table.items()}


@functools.cache
def english() -> Lexicon:
    lexicon = Lexicon()
    lexicon.words.update((fold_token(w), v) for w, v in vader_words().items())
    lexicon.update(read_tsv(DATA / "lexicon_en.tsv"))
    lexicon.words.update(emoji_valences())
    return lexicon


@functools.cache
def french() -> Lexicon:
    lexicon = Lexicon()
    lexicon.words.update((fold_token(w), v) for w, v in textblob_fr_words().items())
    lexicon.update(read_tsv(DATA / "lexicon_fr.tsv"))
    lexicon.words.update(emoji_valences())
    return lexicon


@functools.cache
def bilingual() -> Lexicon:
    """For text in neither language: English first, French where English has nothing."""
    lexicon = Lexicon()
    fr, en = french(), english()
    lexicon.words.update(fr.words)
    lexicon.words.update(en.words)
    for source in (fr, en):
        for first, bucket in source.phrases.items():
            lexicon.phrases.setdefault(first, []).extend(bucket)
    for bucket in lexicon.phrases.values():
        bucket.sort(key=lambda kv: -len(kv[0]))
    return lexicon


def with_terms(base: Lexicon, terms: Mapping[str, float]) -> Lexicon:
    """A workspace's own terms (polarity -1 … 1) laid over a shared lexicon, which stays intact."""
    overlay = Lexicon(dict(base.words), {k: list(v) for k, v in base.phrases.items()})
    for term, polarity in terms.items():
        overlay.add(term, max(-1.0, min(1.0, float(polarity))) * VADER_SCALE)
    return overlay


def read_labelled(path: Path) -> list[tuple[str, str]]:
    """(label, text) rows of a hand-labelled file such as data/posts_fr.tsv."""
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows
