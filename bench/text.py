"""Text: how fast liant.text.analyse() reads generated FR/EN posts, against raw baselines.

Baselines run in the same process on the same posts: vaderSentiment alone (English sentiment
only, no language detection) and textblob-fr alone (French sentiment only).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

N_POSTS = 10_000

FR = {
    "start": ["", "Franchement, ", "Bon, ", "@MaisonLumiere ", "Alors là ", "Honnêtement "],
    "subject": [
        "le café",
        "la livraison",
        "le service client",
        "la nouvelle recette",
        "l'appli",
        "la boutique de Lyon",
        "le barista",
        "l'abonnement",
        "le croissant",
        "la tasse",
    ],
    "verdict": [
        "est génial",
        "est pas terrible",
        "c'est pas mal du tout",
        "est vraiment nul",
        "m'a déçu",
        "est arrivé en retard",
        "est au top",
        "ne marche plus",
        "est correct",
        "était froid",
        "est parfait",
        "est trop cher",
        "a changé",
        "ouvre à 8h",
    ],
    "end": ["", " !", " !!!", " 😍", " 😡", " #fail", " merci", " https://lumiere.example/p", "…"],
}
EN = {
    "start": ["", "Honestly, ", "Well, ", "@MaisonLumiere ", "OMG ", "Not gonna lie, "],
    "subject": [
        "the coffee",
        "the delivery",
        "customer service",
        "the new recipe",
        "the app",
        "the Leeds shop",
        "the barista",
        "my subscription",
        "the croissant",
        "the mug",
    ],
    "verdict": [
        "is amazing",
        "is not great",
        "is not bad at all",
        "is really awful",
        "let me down",
        "arrived late",
        "is top notch",
        "doesn't work anymore",
        "is fine",
        "was cold",
        "is perfect",
        "is way too expensive",
        "has changed",
        "opens at 8am",
    ],
    "end": ["", "!", "!!!", " 😍", " 😡", " #fail", " thanks", " https://lumiere.example/p", "..."],
}


def posts(words: dict[str, list[str]], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = (
            rng.choice(words["start"])
            + rng.choice(words["subject"])
            + " "
            + rng.choice(words["verdict"])
            + rng.choice(words["end"])
        )
        # A number keeps every post distinct, as real posts are: no cache can help.
        out.append(f"{text} #{i}" if i % 3 == 0 else f"{text} ({i})")
    return out


def rate(function: Callable[[str], object], texts: Sequence[str]) -> float:
    t = time.perf_counter()
    for text in texts:
        function(text)
    return len(texts) / (time.perf_counter() - t)


def run(report: Callable[..., None]) -> None:
    from textblob_fr import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from liant.text import analyse
    from liant.text.duplicates import NearDuplicates

    fr, en = posts(FR, N_POSTS, 1), posts(EN, N_POSTS, 2)
    list(analyse(["Bonjour, ça marche ?", "Hello, how are you?", "ok"]))  # loads the models
    vader = SentimentIntensityAnalyzer()
    textblob_fr = PatternAnalyzer()
    textblob_fr.analyze("bon")

    def analysed_rate(texts: Sequence[str]) -> float:
        t = time.perf_counter()
        for _ in analyse(texts):
            pass
        return len(texts) / (time.perf_counter() - t)

    note = f"{N_POSTS} generated distinct posts per language, one process"
    en_rate = analysed_rate(en)
    vader_rate = rate(vader.polarity_scores, en)
    report("analyse_en", en_rate, "texts/s", note=f"analyse(): language + sentiment, EN, {note}")
    report("vader_en", vader_rate, "texts/s", note="baseline: raw vaderSentiment, same posts")
    report("analyse_en_vs_vader", en_rate / vader_rate, "ratio")
    fr_rate = analysed_rate(fr)
    blob_rate = rate(textblob_fr.analyze, fr)
    report("analyse_fr", fr_rate, "texts/s", note=f"analyse(): language + sentiment, FR, {note}")
    report("textblob_fr", blob_rate, "texts/s", note="baseline: raw textblob-fr, same posts")
    report("analyse_fr_vs_textblob_fr", fr_rate / blob_rate, "ratio")

    index = NearDuplicates()
    mixed = [p for pair in zip(fr, en, strict=True) for p in pair]
    t = time.perf_counter()
    for i, text in enumerate(mixed):
        index.add(i, text)
    dedupe_rate = len(mixed) / (time.perf_counter() - t)
    report(
        "near_duplicates",
        dedupe_rate,
        "texts/s",
        note=f"NearDuplicates.add() (MinHash LSH + rapidfuzz), {len(mixed)} FR/EN posts",
    )
    report("near_duplicates_vs_analyse", dedupe_rate / ((en_rate + fr_rate) / 2), "ratio")
