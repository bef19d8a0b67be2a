"""liant.text.normalise: folding for matching, and what a post links to, mentions and tags."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from liant.text.normalise import (
    EMOJI_RE,
    MENTION_RE,
    URL_RE,
    emojis,
    extract,
    fold,
    hashtags,
    matching_form,
    mentions,
    strip_entities,
    urls,
)


def test_folding_removes_case_and_accents():
    assert fold("Ça VA, Élodie ? Déçu, très DÉÇU") == "ca va, elodie ? decu, tres decu"


def test_folding_applies_nfkc_and_ligatures():
    assert fold("ﬁn ＣＡＦÉ Œuvre") == "fin cafe oeuvre"


def test_matching_form_folds_leetspeak_and_repeated_letters():
    assert matching_form("C0NNNN4RD") == matching_form("connard") == "connard"
    assert matching_form("$al0pe") == "salope"
    assert matching_form("n00000b") == "noob"


def test_matching_form_leaves_numbers_mentions_and_punctuation_alone():
    assert matching_form("2024 @marque super!") == "2024 @marque super!"


def test_urls_drop_trailing_punctuation():
    text = "Voir https://example.org/menu?x=1. Et www.example.com/a, merci"
    assert urls(text) == ["https://example.org/menu?x=1", "www.example.com/a"]


def test_mentions_include_fediverse_handles_but_not_email_addresses():
    text = "Merci @bob et @alice@mastodon.social ! Contact : support@example.org"
    assert mentions(text) == ["@bob", "@alice@mastodon.social"]


def test_hashtags_keep_accents_and_skip_numbers_and_url_fragments():
    text = "#CaféLumière #1 #fail https://example.org/#section"
    assert hashtags(text) == ["CaféLumière", "fail"]


def test_emojis_keep_skin_tones_flags_and_joined_sequences_whole():
    assert emojis("Top 👍🏽 🇫🇷 👩‍💻 ❤️ 1️⃣ ok") == ["👍🏽", "🇫🇷", "👩\u200d💻", "❤️", "1️⃣"]


def test_extract_gathers_everything_at_once():
    found = extract("@bob regarde #promo https://x.example 😍")
    assert (found.mentions, found.hashtags, found.urls, found.emojis) == (
        ["@bob"],
        ["promo"],
        ["https://x.example"],
        ["😍"],
    )


@given(st.text())
def test_folding_never_crashes_and_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_matching_form_never_crashes_and_is_idempotent(text):
    once = matching_form(text)
    assert matching_form(once) == once


@given(st.text())
def test_extraction_never_crashes(text):
    found = extract(text)
    assert all(u for u in found.urls)


def test_strip_entities_keeps_the_prose_and_hashtag_words():
    text = "@bob Regarde WWW.Example.org/x et HTTPS://a.example 👍🏽 1️⃣ #promo café"
    assert strip_entities(text).split() == ["Regarde", "et", "promo", "café"]


# Posts made of what the three patterns look for, so each shortcut (no "://", no "@", ASCII
# only) is tried on texts where it applies and on texts where it must not.
_ENTITY_PIECES = st.sampled_from(
    ["http://a.b", "HTTPS://", "www.", "WwW.x", "ſ", "@", "@bob", "a@b.c", "#tag", "1️⃣", "\u20e3"]
    + ["🇫🇷", "👍🏽", "❤️", "é", " ", ".", "://", "w", "x", "\u200d"]
)


@given(st.lists(_ENTITY_PIECES, max_size=12).map("".join) | st.text())
def test_strip_entities_shortcuts_change_nothing(text):
    slow = EMOJI_RE.sub(" ", MENTION_RE.sub(" ", URL_RE.sub(" ", text))).replace("#", " ")
    assert strip_entities(text) == slow
