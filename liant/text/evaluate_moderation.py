"""`python -m liant.text.evaluate_moderation`: precision, recall and speed of the toxicity and
spam classifiers, per language, on Liant's hand-labelled moderation posts.

No package on the registries Liant can reach ships labelled toxicity or spam data for short
French or English posts (alt-profanity-check's source archive has its model, not its training
data), so the data is Liant's own, committed under data/:

- moderation_{fr,en}.tsv: 50 posts per language (insults, spam, and acceptable posts that
  look like either: heated criticism, swearing at the weather, "assistance", "Scunthorpe",
  a promo code asked for). The word lists were written with these in view: a development set.
- moderation_holdout_{fr,en}.tsv: 20 posts per language written after the tuning and scored
  once: the fair figure.

A post is flagged when its probability is at least THRESHOLD. The baseline is
alt-profanity-check alone (its own SVM on the raw text), run in the same process.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from liant.text import analyse, spam, toxicity
from liant.text.lexicons import DATA, read_labelled

THRESHOLD = 0.5
SPEED_REPEAT = 20  # the sets are small: each is classified this many times for the rate


@dataclass
class Score:
    precision: float
    recall: float
    n_positive: int


def precision_recall(gold: Sequence[bool], flagged: Sequence[bool]) -> Score:
    tp = sum(g and f for g, f in zip(gold, flagged, strict=True))
    fp = sum(f and not g for g, f in zip(gold, flagged, strict=True))
    fn = sum(g and not f for g, f in zip(gold, flagged, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Score(precision, recall, tp + fn)


def rows_for(name: str, language: str) -> list[str]:
    rows = read_labelled(DATA / f"{name}_{language}.tsv")
    texts = [t for _, t in rows]
    labels = [label for label, _ in rows]
    results = list(analyse(texts))
    out = []
    for task, label, values in (
        ("toxicity", "insult", [r.toxicity or 0.0 for r in results]),
        ("spam", "spam", [r.spam or 0.0 for r in results]),
    ):
        gold = [lab == label for lab in labels]
        score = precision_recall(gold, [v >= THRESHOLD for v in values])
        out.append(
            f"| {name} | {language} | {task} | liant.text | {len(texts)} | {score.n_positive} "
            f"| {score.precision:.3f} | {score.recall:.3f} |"
        )
    baseline = toxicity.svm_probabilities(texts)
    score = precision_recall(
        [lab == "insult" for lab in labels], [v >= THRESHOLD for v in baseline]
    )
    out.append(
        f"| {name} | {language} | toxicity | alt-profanity-check alone | {len(texts)} "
        f"| {score.n_positive} | {score.precision:.3f} | {score.recall:.3f} |"
    )
    return out


def speed(language: str) -> str:
    texts = [t for _, t in read_labelled(DATA / f"moderation_{language}.tsv")] * SPEED_REPEAT
    languages = [language] * len(texts)
    t = time.perf_counter()
    toxicity.scores(texts, languages, [0.0] * len(texts))
    for text in texts:
        spam.score(text)
    classifiers = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    list(analyse(texts))
    whole = len(texts) / (time.perf_counter() - t)
    return f"| {language} | {len(texts)} | {classifiers:,.0f} | {whole:,.0f} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput table")
    args = parser.parse_args(argv)
    list(analyse(["Bonjour, ça marche ?", "Hello there, you idiot"]))  # load the models
    print(
        f"| data | lang | task | system | n | positives | precision | recall |  (flagged at "
        f"p ≥ {THRESHOLD})\n|---|---|---|---|---|---|---|---|"
    )
    for name in ("moderation", "moderation_holdout"):
        for language in ("fr", "en"):
            for line in rows_for(name, language):
                print(line, flush=True)
    if not args.no_speed:
        print(
            "\n| lang | texts | toxicity + spam texts/s | whole analyse() texts/s |\n"
            "|---|---|---|---|"
        )
        for language in ("fr", "en"):
            print(speed(language), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
