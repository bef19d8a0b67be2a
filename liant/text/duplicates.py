"""Near-duplicate posts: reposts, copy-pasted complaints, spam waves.

MinHash signatures of character 5-grams (of the post's folded words, without URLs, mentions
or emojis, which vary between copies) go into an LSH index, which proposes candidates in
constant time per post; each candidate is confirmed by an edit-distance ratio (rapidfuzz), so
the index's false positives never reach the caller.
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from rapidfuzz import fuzz

from liant.text.tokens import words

SHINGLE = 5
NUM_PERM = 64
LSH_THRESHOLD = 0.5  # loose on purpose: the ratio below decides
CONFIRM_RATIO = 85.0  # rapidfuzz ratio, 0 … 100; 80 let opposite short posts through


def canonical(text: str) -> str:
    """What two copies of a post have in common: folded words, single spaces."""
    return " ".join(words(text))


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    return _shingles(canonical(text), size)


def _shingles(canon: str, size: int = SHINGLE) -> set[bytes]:
    if len(canon) <= size:
        return {canon.encode()} if canon else set()
    return {canon[i : i + size].encode() for i in range(len(canon) - size + 1)}


class NearDuplicates:
    """An index of posts; `add()` answers which earlier posts the new one nearly repeats."""

    def __init__(
        self,
        threshold: float = LSH_THRESHOLD,
        ratio: float = CONFIRM_RATIO,
        num_perm: int = NUM_PERM,
    ) -> None:
        from datasketch import MinHash, MinHashLSH

        self.num_perm = num_perm
        self.ratio = ratio
        # Drawing the permutations is most of a MinHash's cost: draw them once per index.
        # CRC-32 hashes shingles in C and, unlike hash(), is the same in every process.
        template = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
        self._permutations, self._scheme = template.permutations, template.scheme
        self._lsh: Any = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._texts: dict[Hashable, str] = {}

    def _signature(self, canon: str) -> Any:
        from datasketch import MinHash

        signature = MinHash(
            num_perm=self.num_perm,
            hashfunc=zlib.crc32,
            permutations=self._permutations,
            scheme=self._scheme,
        )
        signature.update_batch(list(_shingles(canon)))
        return signature

    def _confirmed(self, canon: str, candidates: Iterable[Hashable]) -> list[Hashable]:
        return [
            key
            for key in candidates
            if fuzz.ratio(canon, self._texts[key], score_cutoff=self.ratio) >= self.ratio
        ]

    def query(self, text: str) -> list[Hashable]:
        canon = canonical(text)
        if not canon:
            return []
        return self._confirmed(canon, self._lsh.query(self._signature(canon)))

    def add(self, key: Hashable, text: str) -> list[Hashable]:
        """Index `text` under `key`; return the keys of the posts it nearly duplicates."""
        canon = canonical(text)
        if not canon or key in self._texts:
            return []
        signature = self._signature(canon)
        found = self._confirmed(canon, self._lsh.query(signature))
        self._lsh.insert(key, signature)
        self._texts[key] = canon
        return found

    def __len__(self) -> int:
        return len(self._texts)


def groups(texts: Sequence[str], ratio: float = CONFIRM_RATIO) -> list[list[int]]:
    """Indexes of texts grouped by near-duplication (groups of two or more), in order."""
    index = NearDuplicates(ratio=ratio)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, text in enumerate(texts):
        for j in index.add(i, text):
            assert isinstance(j, int)
            parent[root(i)] = root(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(texts)):
        clusters.setdefault(root(i), []).append(i)
    return [members for members in clusters.values() if len(members) > 1]
