"""liant.text.duplicates: reposts and copy-paste waves found, distinct posts left apart."""

from __future__ import annotations

import random

from liant.text.duplicates import NearDuplicates, canonical, groups
from liant.text.lexicons import DATA, read_labelled


def test_canonical_form_ignores_case_accents_urls_mentions_and_emojis():
    assert canonical("RT @bob: Café BRÛLÉ 😡 https://t.example/1") == canonical("rt café brûlé")


def test_a_repost_with_a_link_and_a_mention_is_found():
    index = NearDuplicates()
    index.add("a", "Le café était froid et le croissant rassis, quelle déception")
    index.add("b", "Super accueil ce matin à la boutique de Lyon")
    found = index.add(
        "c",
        "RT @marie: le café était froid et le croissant rassis, quelle déception https://t.example/x",
    )
    assert found == ["a"]


def test_edited_copies_are_found_and_distinct_posts_are_not():
    rng = random.Random(7)
    posts = [text for _, text in read_labelled(DATA / "posts_fr.tsv")]
    posts += [text for _, text in read_labelled(DATA / "posts_en.tsv")]
    index = NearDuplicates()
    for i, text in enumerate(posts):
        assert index.add(i, text) == [], f"post {i} is not a copy: {text!r}"
    found = 0
    for i, text in enumerate(posts):
        chars = list(text)
        for _ in range(max(1, len(chars) // 25)):
            chars[rng.randrange(len(chars))] = rng.choice("abcdefghij ")
        copy = "".join(chars) + rng.choice([" !!!", " 😡", " #fail", " merci"])
        hits = index.query(copy)
        assert set(hits) <= {i}
        found += hits == [i]
    assert found / len(posts) >= 0.9


def test_groups_gather_a_spam_wave():
    texts = [
        "Gagnez un iPhone gratuit ici https://spam.example/1",
        "Nouvelle boutique rue de la République",
        "GAGNEZ un iPhone gratuit ICI !! https://spam.example/2",
        "gagnez un iphone gratuit ici 🎁 https://spam.example/3",
    ]
    assert groups(texts) == [[0, 2, 3]]


def test_empty_text_is_never_a_duplicate():
    index = NearDuplicates()
    assert index.add(1, "") == []
    assert index.add(2, "https://x.example") == []
    assert len(index) == 0
