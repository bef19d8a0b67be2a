"""The hand-written labelled posts that ship with liant.text."""

from __future__ import annotations

from collections import Counter

import pytest

from liant.text.lexicons import DATA, read_labelled, read_tsv


@pytest.mark.parametrize(
    ("name", "at_least"),
    [("posts_fr", 150), ("posts_en", 150), ("holdout_fr", 60), ("holdout_en", 60)],
)
def test_labelled_posts_are_balanced(name, at_least):
    rows = read_labelled(DATA / f"{name}.tsv")
    counts = Counter(label for label, _ in rows)
    assert set(counts) == {"positive", "neutral", "negative"}
    assert len(rows) >= at_least
    assert max(counts.values()) - min(counts.values()) <= 5
    assert len({text for _, text in rows}) == len(rows)


def test_the_holdout_shares_no_post_with_the_development_set():
    for language in ("fr", "en"):
        development = {text for _, text in read_labelled(DATA / f"posts_{language}.tsv")}
        holdout = {text for _, text in read_labelled(DATA / f"holdout_{language}.tsv")}
        assert not development & holdout


@pytest.mark.parametrize("name", ["lexicon_fr.tsv", "lexicon_en.tsv", "emoji.tsv"])
def test_lexicon_valences_are_on_vaders_scale(name):
    assert all(-4.0 <= valence <= 4.0 for _, valence in read_tsv(DATA / name))
