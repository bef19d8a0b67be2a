"""X connector: the cost of counting a post's weighted length (twitter-text config v3), which
the composer does at each check of an X variant."""

from __future__ import annotations

import time
from collections.abc import Callable

DATABASE = False  # reads no table: `liant bench` skips the migrations for it

MIXED = (
    "Atelier dégustation samedi 6 décembre ☕ à la Croix-Rousse : 12 places, 珈琲 👨‍👩‍👧 "
    "https://maison-lumiere.fr/atelier?session=decembre "
) * 2
ROUNDS = 5000


def _per_call(count: Callable[[str], int], text: str) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        count(text)
    return (time.perf_counter() - started) / ROUNDS * 1e6


def run(report: Callable[..., None]) -> None:
    from liant.connectors.x.text import count_x

    report("count_mixed_post", _per_call(count_x, MIXED), "µs", f"{len(MIXED)} characters")
    report("count_plain_280", _per_call(count_x, "a" * 280), "µs")
    report("count_pasted_10000", _per_call(count_x, "Lyon " * 2000), "µs")
