"""Listening queries: a boolean language, parsed into a tree, with errors that point at a column.

    "maison lumière" OR #MaisonLumiere OR (lumière AND café) -"lumière du jour" lang:fr

- a word, a "quoted phrase", a #hashtag or an @mention is a term; terms are matched on word
  boundaries after case and accent folding ("cafe" finds "Café" and "#café");
- AND, OR, NOT (or ET, OU, SAUF), in capitals; two terms side by side mean AND; `-term` is NOT;
  NOT binds tighter than AND, AND tighter than OR; parentheses group;
- `lang:fr`, `source:mastodon`, `author:@jose` filter on the mention's fields.

Parsing is separate from matching (matching.py) so the query tester and the form can report
a mistake without compiling anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from liant.text.normalise import fold

FIELDS = ("lang", "source", "author")
OPERATORS = {"AND": "AND", "ET": "AND", "OR": "OR", "OU": "OR", "NOT": "NOT", "SAUF": "NOT"}
MAX_LENGTH = 2000
MAX_DEPTH = 40  # parentheses; deeper is a mistake, and recursion must stay bounded


class QuerySyntaxError(ValueError):
    """`column` is 1-based, counted in characters of the query as typed."""

    def __init__(self, template: str, column: int, **params: object) -> None:
        self.template, self.column, self.params = template, column, params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def translated(self) -> str:
        """In the reader's language, with the column."""
        text = gettext(self.template) % self.params if self.params else gettext(self.template)
        return gettext("Column %(column)s: %(problem)s") % {"column": self.column, "problem": text}


@dataclass(frozen=True)
class Term:
    text: str  # as typed, without quotes
    key: str  # folded form used for matching
    column: int

    def __str__(self) -> str:
        return f'"{self.text}"' if " " in self.text else self.text


@dataclass(frozen=True)
class Field:
    name: str
    value: str  # folded
    column: int

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"


@dataclass(frozen=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"NOT {_wrapped(self.child)}"


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrapped(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrapped(c) for c in self.children)


Node = Term | Field | Not | And | Or


def _wrapped(node: Node) -> str:
    return f"({node})" if isinstance(node, And | Or) else str(node)


def terms_of(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Field):
        return []
    if isinstance(node, Not):
        return terms_of(node.child)
    return [t for child in node.children for t in terms_of(child)]


def fields_of(node: Node) -> list[Field]:
    if isinstance(node, Field):
        return [node]
    if isinstance(node, Term):
        return []
    if isinstance(node, Not):
        return fields_of(node.child)
    return [f for child in node.children for f in fields_of(child)]


# --- tokens -----------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<minus>-(?=[^\s)]))
  | (?P<phrase>"[^"]*"?)
  | (?P<field>(?P<name>[A-Za-z]+):(?P<value>"[^"]*"?|[^\s()"]+)?)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # open, close, not, and, or, term, field
    text: str
    column: int
    value: str = ""
    name: str = ""


def _tokens(query: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(query):
        match = _TOKEN_RE.match(query, position)
        assert match is not None  # the last alternative takes any other character
        column, position = match.start() + 1, match.end()
        kind = match.lastgroup
        text = match.group(0)
        if kind == "space":
            continue
        if kind == "phrase":
            if len(text) < 2 or not text.endswith('"'):
                raise QuerySyntaxError(gettext_noop("this quotation mark is never closed"), column)
            if not text[1:-1].strip():
                raise QuerySyntaxError(gettext_noop("empty quotation marks"), column)
            found.append(_Token("term", text, column, value=text[1:-1].strip()))
        elif kind == "field":
            name, value = match.group("name").lower(), match.group("value") or ""
            if name not in FIELDS:
                # "http://..." or "12:30" are words, not fields.
                found.append(_Token("term", text, column, value=text))
                continue
            if value.startswith('"'):
                if len(value) < 2 or not value.endswith('"'):
                    raise QuerySyntaxError(
                        gettext_noop("this quotation mark is never closed"),
                        column + len(name) + 1,
                    )
                value = value[1:-1]
            if not value.strip():
                raise QuerySyntaxError(
                    gettext_noop("%(field)s: needs a value, e.g. %(example)s"),
                    column,
                    field=name,
                    example={"lang": "lang:fr", "source": "source:mastodon"}.get(
                        name, "author:@jose"
                    ),
                )
            found.append(_Token("field", text, column, value=value.strip(), name=name))
        elif kind == "word" and text in OPERATORS:
            found.append(_Token(OPERATORS[text].lower(), text, column))
        elif kind == "minus":
            found.append(_Token("not", text, column))
        elif kind in ("open", "close"):
            found.append(_Token(kind, text, column))
        else:
            found.append(_Token("term", text, column, value=text))
    return found


# --- grammar: or := and (OR and)* ; and := unary (AND? unary)* ; unary := NOT unary | atom ------


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.position = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def end_column(self) -> int:
        return len(self.query.rstrip()) + 1

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError(gettext_noop("the query is empty"), 1)
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:  # only a stray ")" can stop the loops early
            raise QuerySyntaxError(gettext_noop("this parenthesis closes nothing"), extra.column)
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            children.append(self.parse_and(after=token))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, after: _Token | None = None) -> Node:
        children = [self.parse_unary(after)]
        while (token := self.peek()) is not None and token.kind not in ("or", "close"):
            if token.kind == "and":
                self.take()
                children.append(self.parse_unary(after=token))
            else:
                children.append(self.parse_unary())  # side by side: AND
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self, after: _Token | None = None) -> Node:
        token = self.peek()
        if token is None or token.kind in ("or", "and", "close"):
            column = token.column if token is not None else self.end_column()
            if after is not None:
                raise QuerySyntaxError(
                    gettext_noop("%(operator)s must be followed by a term"),
                    after.column,
                    operator=after.text,
                )
            if token is not None and token.kind == "close":
                raise QuerySyntaxError(gettext_noop("empty parentheses"), column)
            raise QuerySyntaxError(
                gettext_noop("%(operator)s needs a term before it"),
                column,
                operator=token.text if token is not None else "",
            )
        if token.kind == "not":
            self.take()
            return Not(self.parse_unary(after=token))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.take()
        if token.kind == "open":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(gettext_noop("too many nested parentheses"), token.column)
            if (inner := self.peek()) is not None and inner.kind == "close":
                raise QuerySyntaxError(gettext_noop("empty parentheses"), token.column)
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QuerySyntaxError(
                    gettext_noop("this parenthesis is never closed"), token.column
                )
            self.take()
            self.depth -= 1
            return node
        if token.kind == "field":
            value = token.value.lstrip("@") if token.name == "author" else token.value
            return Field(token.name, fold(value), token.column)
        key = " ".join(fold(token.value).split())
        if not any(ch.isalnum() for ch in key):
            raise QuerySyntaxError(
                gettext_noop("%(term)s has no letter or digit to look for"),
                token.column,
                term=token.text,
            )
        return Term(token.value, key, token.column)


def parse(query: str) -> Node:
    """The query's tree, or QuerySyntaxError saying what is wrong and where."""
    if len(query) > MAX_LENGTH:
        raise QuerySyntaxError(
            gettext_noop("a query is at most %(limit)s characters"),
            MAX_LENGTH + 1,
            limit=MAX_LENGTH,
        )
    node = _Parser(query).parse()
    if not terms_of(node) and not fields_of(node):  # pragma: no cover - the grammar forbids it
        raise QuerySyntaxError(gettext_noop("the query is empty"), 1)
    return node
