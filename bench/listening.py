"""Listening: matching a stream of mentions against 1 query, then against 1,000 queries.

One automaton holds every term, so the cost per mention should barely grow with the number of
queries (goal: 1,000 queries cost at most 1.5× one query). Both runs use the same mentions.
"""

from __future__ import annotations

import random
import time

from liant.listening.matching import Document, Matcher
from liant.listening.query import parse

N_MENTIONS = 20_000
WORDS = [
    "café",
    "thé",
    "croissant",
    "livraison",
    "barista",
    "tasse",
    "boutique",
    "commande",
    "retard",
    "froid",
    "brûlé",
    "génial",
    "coffee",
    "tea",
    "delivery",
    "order",
    "late",
    "cold",
    "burnt",
    "great",
    "cup",
    "shop",
    "roast",
    "beans",
    "service",
    "price",
]


def _mentions(rng: random.Random) -> list[Document]:
    docs = []
    for n in range(N_MENTIONS):
        words = rng.choices(WORDS, k=rng.randint(6, 30))
        if n % 7 == 0:
            words.insert(rng.randrange(len(words)), "Maison Lumière")
        if n % 11 == 0:
            words.insert(0, f"#marque{rng.randrange(2000)}")
        docs.append(Document(" ".join(words), language=rng.choice(("fr", "en"))))
    return docs


def _queries(count: int) -> dict[int, object]:
    queries = {0: parse('("maison lumière" OR #maisonlumiere) AND NOT (recrute OR job) lang:fr')}
    for n in range(1, count):
        queries[n] = parse(f'(#marque{n} OR "produit {n}" OR concurrent{n}) -spam')
    return queries


def _rate(matcher: Matcher, docs: list[Document]) -> tuple[float, int]:
    start = time.perf_counter()
    matched = sum(len(matcher.match(doc)) for doc in docs)
    return len(docs) / (time.perf_counter() - start), matched


def run(report) -> None:
    docs = _mentions(random.Random(7))
    one, _ = _rate(Matcher(_queries(1)), docs)
    start = time.perf_counter()
    many_matcher = Matcher(_queries(1000))
    build = time.perf_counter() - start
    many, matched = _rate(many_matcher, docs)
    report("match_1_query", one, "mentions/s", f"{N_MENTIONS} generated FR/EN mentions")
    report("match_1000_queries", many, "mentions/s", f"{matched} query matches")
    report("cost_ratio_1000_vs_1", one / many, "×", "goal ≤ 1.5")
    report("compile_1000_queries", build * 1000, "ms")
