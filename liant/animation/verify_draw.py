#!/usr/bin/env python3
"""Check a Liant contest draw yourself, with nothing but Python 3.

Usage:

    python verify_draw.py draw.json

`draw.json` is the file offered on the contest's public page. The script re-runs the draw
from what was published and prints the winners and whether every hash matches. It uses only
the Python standard library, so it can be read in full before it is trusted; Liant itself
draws with these very functions, so there is one definition of the draw, not two.

How the draw works
------------------

1. Before the draw, the list of eligible entries is frozen as a JSON document (the "list"):
   entry ids and pseudonymous labels, the number of winners and the planned draw time, with
   sorted keys, no spaces and ASCII only. Its SHA-256 (the "list hash") is published.
2. At the same moment Liant generates a secret of 32 random bytes and publishes only its
   SHA-256 (the "secret hash"): Liant is bound to a secret nobody can see yet, and neither
   the list nor the secret can be chosen afterwards to favour someone.
3. At the draw the secret is revealed. The seed is SHA-256(secret || list hash), both taken
   as raw bytes (32 + 32).
4. Winners are picked by a partial Fisher-Yates shuffle of the entries in list order. Step i
   (from 0) needs a whole number j in [0, n - i): the k-th number drawn is
   HMAC-SHA256(key=seed, message=k as 8 bytes big-endian) read as a 256-bit big-endian
   integer, k = 0, 1, 2, ... A number that falls in the incomplete last band (at or above
   the largest multiple of n - i below 2**256) is rejected and the next k is used, so every
   j is exactly as likely. Entry i + j is swapped with entry i; the first `winners` entries
   are the winners, in the order drawn.

Exit status: 0 when everything matches, 1 when something does not, 2 on a malformed file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from typing import Any

FORMAT_VERSION = 1


def canonical(document: Any) -> bytes:
    """The one byte form of a JSON document that gets hashed."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seed_of(secret_hex: str, list_hash_hex: str) -> bytes:
    return hashlib.sha256(bytes.fromhex(secret_hex) + bytes.fromhex(list_hash_hex)).digest()


class _Numbers:
    """The stream of 256-bit numbers HMAC-SHA256(seed, counter) gives."""

    def __init__(self, seed: bytes):
        self.seed = seed
        self.counter = 0

    def below(self, bound: int) -> int:
        """A whole number in [0, bound), without modulo bias."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        space = 2**256
        limit = space - (space % bound)
        while True:
            block = hmac.new(self.seed, self.counter.to_bytes(8, "big"), hashlib.sha256).digest()
            self.counter += 1
            value = int.from_bytes(block, "big")
            if value < limit:
                return value % bound


def pick(entry_ids: list[int], winners: int, seed: bytes) -> list[int]:
    """The winning entry ids, in the order they were drawn."""
    pool = list(entry_ids)
    numbers = _Numbers(seed)
    chosen = min(winners, len(pool))
    for i in range(chosen):
        j = numbers.below(len(pool) - i)
        pool[i], pool[i + j] = pool[i + j], pool[i]
    return pool[:chosen]


def verify(draw: dict[str, Any]) -> tuple[bool, list[str], list[dict[str, Any]]]:
    """Re-run a published draw: (all good, findings, winners as recomputed)."""
    findings: list[str] = []
    list_text = draw["list"]
    document = json.loads(list_text)
    list_hash = sha256_hex(list_text.encode("utf-8"))
    ok = True
    if canonical(document) != list_text.encode("utf-8"):
        ok = False
        findings.append("the list is not in canonical form (keys sorted, no spaces, ASCII)")
    if list_hash == draw["list_hash"]:
        findings.append(f"list hash matches: {list_hash}")
    else:
        ok = False
        findings.append(f"LIST HASH MISMATCH: published {draw['list_hash']}, computed {list_hash}")
    secret_hash = sha256_hex(bytes.fromhex(draw["secret"]))
    if secret_hash == draw["secret_hash"]:
        findings.append(f"secret hash matches: {secret_hash}")
    else:
        ok = False
        findings.append(
            f"SECRET HASH MISMATCH: published {draw['secret_hash']}, computed {secret_hash}"
        )
    seed = seed_of(draw["secret"], list_hash)
    if draw.get("seed") and draw["seed"] != seed.hex():
        ok = False
        findings.append(f"SEED MISMATCH: published {draw['seed']}, computed {seed.hex()}")
    labels = {e["id"]: e["label"] for e in document["entries"]}
    ids = [e["id"] for e in document["entries"]]
    computed = [
        {"rank": rank, "id": entry_id, "label": labels[entry_id]}
        for rank, entry_id in enumerate(pick(ids, int(document["winners"]), seed), start=1)
    ]
    published = [{"rank": w["rank"], "id": w["id"], "label": w["label"]} for w in draw["winners"]]
    if computed == published:
        findings.append("winners match the published winners")
    else:
        ok = False
        findings.append("WINNERS DIFFER from the published winners")
    return ok, findings, computed


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("How the draw works")[0].strip())
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            draw = json.load(handle)
        ok, findings, winners = verify(draw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read the draw: {exc!r}")
        return 2
    for line in findings:
        print(line)
    print("winners:")
    for winner in winners:
        print(f"  {winner['rank']}. {winner['label']} (entry {winner['id']})")
    print("VERIFIED" if ok else "NOT VERIFIED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
