"""The hand-written labelled posts that ship with liant.text."""

from __future__ import annotations

from collections import Counter

import pytest

from liant.text.lexicons import DATA, read_labelled, read_tsv


@pytest.mark.parametrize("language", ["fr", "en"])
def test_posts_are_balanced_and_at_least_150(language):
    rows = read_labelled(DATA / f"posts_{language}.tsv")
    counts = Counter(label for label, _ in rows)
    assert set(counts) == {"positive", "neutral", "negative"}
    assert len(rows) >= 150
    assert max(counts.values()) - min(counts.values()) <= 5
    assert len({text for _, text in rows}) == len(rows)


@pytest.mark.parametrize("name", ["lexicon_fr.tsv", "lexicon_en.tsv", "emoji.tsv"])
def test_lexicon_valences_are_on_vaders_scale(name):
    assert all(-4.0 <= valence <= 4.0 for _, valence in read_tsv(DATA / name))
