"""Matching mentions against all of a workspace's queries at once.

Every term of every query goes into one Aho–Corasick automaton, so a text is scanned once
whatever the number of queries; only the queries whose terms were found (plus the few that can
match without any term, such as `lang:fr` or `NOT spam`) have their trees evaluated.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import ahocorasick

from liant.listening.query import And, Field, Node, Not, Or, Term, fields_of, terms_of
from liant.text.normalise import fold

MAX_FIELD_COMBINATIONS = 10  # fields per query tried exhaustively; beyond, always evaluated


@dataclass(frozen=True)
class Document:
    """What a query can look at in a mention."""

    text: str
    language: str = ""
    source: str = ""  # channel kind or feed name
    author: str = ""  # handle, with or without "@"


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def evaluate(node: Node, hits: set[str], document: Document) -> bool:
    if isinstance(node, Term):
        return node.key in hits
    if isinstance(node, Field):
        return _field_matches(node, document)
    if isinstance(node, Not):
        return not evaluate(node.child, hits, document)
    if isinstance(node, And):
        return all(evaluate(c, hits, document) for c in node.children)
    return any(evaluate(c, hits, document) for c in node.children)


def _field_matches(node: Field, document: Document) -> bool:
    if node.name == "lang":
        return fold(document.language) == node.value
    if node.name == "source":
        return fold(document.source) == node.value
    author = fold(document.author).lstrip("@")
    # "author:jose" finds jose on any server; "author:jose@mastodon.social" only that one.
    return author == node.value or author.split("@", 1)[0] == node.value


def _needs_a_term(node: Node) -> bool:
    """True when no combination of field values makes the query true without a term found."""
    fields = list(dict.fromkeys(fields_of(node)))
    if len(fields) > MAX_FIELD_COMBINATIONS:
        return False

    def value(n: Node, chosen: dict[Field, bool]) -> bool:
        if isinstance(n, Term):
            return False
        if isinstance(n, Field):
            return chosen[n]
        if isinstance(n, Not):
            return not value(n.child, chosen)
        if isinstance(n, And):
            return all(value(c, chosen) for c in n.children)
        assert isinstance(n, Or)
        return any(value(c, chosen) for c in n.children)

    for combination in itertools.product((False, True), repeat=len(fields)):
        if value(node, dict(zip(fields, combination, strict=True))):
            return False
    return True


class Matcher:
    """Built once per workspace (and rebuilt when a query changes); `match` is the hot path."""

    def __init__(self, queries: Mapping[Hashable, Node]) -> None:
        self.queries = dict(queries)
        self.by_key: dict[str, set[Hashable]] = {}
        self.always: list[Hashable] = []
        automaton = ahocorasick.Automaton()
        for query_id, node in self.queries.items():
            for term in terms_of(node):
                self.by_key.setdefault(term.key, set()).add(query_id)
                automaton.add_word(term.key, term.key)
            if not _needs_a_term(node):
                self.always.append(query_id)
        self.automaton: ahocorasick.Automaton | None = None
        if self.by_key:
            automaton.make_automaton()
            self.automaton = automaton

    def terms_found(self, text: str) -> set[str]:
        if self.automaton is None:
            return set()
        folded = " ".join(fold(text).split())
        found = set()
        for end, key in self.automaton.iter(folded):
            start = end - len(key) + 1
            before = folded[start - 1] if start > 0 else " "
            after = folded[end + 1] if end + 1 < len(folded) else " "
            # A term is a whole word: "café" is not found in "cafétéria"; a hashtag or mention
            # in the text still counts ("#café" has a boundary before "café").
            if (_is_word(key[0]) and _is_word(before)) or (_is_word(key[-1]) and _is_word(after)):
                continue
            found.add(key)
        return found

    def match(self, document: Document, hits: set[str] | None = None) -> dict[Hashable, list[str]]:
        """The queries the document matches, each with the terms found for it. `hits` is
        `terms_found(document.text)` when the caller already has it (ingestion scans each text
        once to pick candidates, then reuses the scan)."""
        if hits is None:
            hits = self.terms_found(document.text)
        candidates: set[Hashable] = set(self.always)
        for key in hits:
            candidates |= self.by_key[key]
        matched = {}
        for query_id in candidates:
            node = self.queries[query_id]
            if evaluate(node, hits, document):
                matched[query_id] = sorted({t.key for t in terms_of(node) if t.key in hits})
        return matched
