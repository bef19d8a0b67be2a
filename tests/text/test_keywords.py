"""liant.text.keywords: candidate terms and rising terms between two periods."""

from __future__ import annotations

from liant.text.keywords import candidate_terms, rising_terms, term_counts, top_terms


def test_candidate_terms_skip_stop_words_numbers_and_phrases_across_punctuation():
    terms = candidate_terms("Le café brûlé de Maison Lumière, c'est nul. 3 euros https://x.example")
    assert "cafe brule" in terms
    assert "maison lumiere" in terms
    assert "lumiere nul" not in terms
    assert not any(t in terms for t in ["le", "de", "c'", "3"])


def test_a_term_counts_once_per_post():
    assert term_counts(["nul nul nul", "nul"])["nul"] == 2


def test_a_new_complaint_rises_above_steady_chatter():
    steady = ["Super accueil à la boutique", "Merci pour la livraison rapide"] * 50
    previous = steady + ["Le café brûlé, bof"] * 2
    current = steady + ["Café brûlé encore"] * 30
    rising = rising_terms(current, previous, top=3)
    assert rising[0].term in {"cafe brule", "brule"}
    assert rising[0].count == 30 and rising[0].previous == 2
    assert "accueil" not in [r.term for r in rising]


def test_more_volume_alone_does_not_make_terms_rise():
    period = ["Super accueil à la boutique", "Merci pour la livraison rapide"] * 10
    assert rising_terms(period * 5, period) == []


def test_top_terms_rank_by_posts_and_prefer_phrases_among_equals():
    texts = ["Café brûlé ce matin", "café brûlé encore", "Le café est bon", "Bonne journée"]
    assert top_terms(texts, top=3) == [("cafe", 3), ("cafe brule", 2), ("brule", 2)]
