"""Finding many words and phrases at once, on word boundaries, after `matching_form`.

One Aho–Corasick automaton (pyahocorasick, as listening's matcher) scans a text once whatever
the number of terms. A term counts only as a whole word: "assistance" does not contain "ass",
"concert" does not contain "con". A few inflections are accepted after a term (plural "s"/"x",
and for terms of five letters or more the French feminine "e"/"es"), so a list does not have to
spell "connards" and "connasses" out; shorter terms would catch too much ("con" → "cone").
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from liant.text.normalise import matching_form

# Scanning is linear, but normalising 1 MB still costs ~0.4 s: a longer text is read on its
# beginning and its end, where what its author wants seen is.
SCAN_HEAD = 150_000
SCAN_TAIL = 50_000


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True, slots=True)
class Hit:
    term: str  # the term in its matching form
    value: Any


class WordList:
    """`terms` maps a word or phrase (as a moderator wrote it) to a value returned with it."""

    def __init__(self, terms: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        items = terms.items() if isinstance(terms, Mapping) else terms
        self.values: dict[str, Any] = {}
        self.automaton: Any = None
        automaton = ahocorasick.Automaton()
        for term, value in items:
            key = " ".join(matching_form(term).split())
            if not key or key in self.values:
                continue
            self.values[key] = value
            automaton.add_word(key, key)
        if self.values:
            automaton.make_automaton()
            self.automaton = automaton

    def __len__(self) -> int:
        return len(self.values)

    def prepare(self, text: str) -> str:
        """The text in the form the automaton reads; compute it once for several lists."""
        if len(text) > SCAN_HEAD + SCAN_TAIL:
            text = text[:SCAN_HEAD] + "\n" + text[-SCAN_TAIL:]
        return " ".join(matching_form(text).split())

    def find(self, text: str, prepared: str | None = None) -> list[Hit]:
        """Each term found, once, in order of first appearance."""
        if self.automaton is None:
            return []
        form = prepared if prepared is not None else self.prepare(text)
        found: dict[str, Hit] = {}
        for end, key in self.automaton.iter(form):
            if key in found:
                continue
            start = end - len(key) + 1
            before = form[start - 1] if start > 0 else " "
            if _is_word(key[0]) and _is_word(before):
                continue
            if _is_word(key[-1]) and not _ends_a_word(form, end + 1, len(key)):
                continue
            found[key] = Hit(key, self.values[key])
        return list(found.values())

    def terms(self) -> list[Hashable]:
        return list(self.values)


def _ends_a_word(form: str, after: int, length: int) -> bool:
    """True when the term ends at a word boundary, allowing a plural or feminine ending."""
    suffixes = ("s", "x", "e", "es") if length >= 5 else ("s", "x")
    for suffix in ("", *suffixes):
        end = after + len(suffix)
        if form[after:end] == suffix and (end >= len(form) or not _is_word(form[end])):
            return True
    return False
