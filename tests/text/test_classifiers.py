"""liant.text toxicity and spam: probabilities, FR and EN, and the tricks used to dodge them."""

from __future__ import annotations

from liant.text import analyse, analysis, spam, toxicity
from liant.text.evaluate_moderation import main, precision_recall
from liant.text.normalise import defang, fold, matching_form
from liant.text.wordlist import WordList


def _one(text: str) -> analysis.Analysis:
    return next(analyse([text]))


def test_every_analysis_has_both_probabilities():
    for r in analyse(["Bonjour à tous", "Hello everyone", ""]):
        assert r.toxicity is not None and 0.0 <= r.toxicity <= 1.0
        assert r.spam is not None and 0.0 <= r.spam <= 1.0


def test_french_and_english_insults_score_high_and_criticism_low():
    assert _one("T'es vraiment qu'un connard").toxicity >= 0.8
    assert _one("You are a complete idiot, nobody wants you here").toxicity >= 0.8
    heated = _one("Votre service client est une catastrophe, c'est du foutage de gueule")
    assert heated.toxicity < 0.5
    assert _one("Your customer service is a disaster, unacceptable").toxicity < 0.5


def test_swearing_at_nobody_is_not_an_insult():
    assert _one("Putain c'est trop bon ce nouveau café").toxicity < 0.5
    assert _one("Holy shit this new coffee is amazing").toxicity < 0.5


def test_spam_scores_high_and_a_plain_link_low():
    assert _one("Gagnez 500€ par jour !!! Cliquez ici https://bit.ly/argent").spam >= 0.8
    assert _one("Earn $5000 a week from home, click here https://bit.ly/x").spam >= 0.8
    assert _one("Le compte rendu : https://example.org/compte-rendu").spam < 0.5
    assert spam.score("@a @b @c @d @e @f regardez https://tinyurl.com/x") > spam.score(
        "@a regardez https://example.org/x"
    )


def test_word_boundaries_keep_innocent_words_clean():
    words = WordList({"ass": 1, "con": 1, "cul": 1})
    assert words.find("Thanks for the assistance, great concert, a calculus class") == []
    assert [h.term for h in words.find("you ass")] == ["ass"]
    assert [h.term for h in words.find("bande de cons")] == ["con"]
    assert _one("Merci pour l'assistance et le concert").toxicity < 0.1
    assert _one("Scunthorpe United won the match").toxicity < 0.5


def test_zero_width_characters_do_not_hide_a_word():
    dodged = "T'es un con\u200bn\u200dard"
    assert matching_form(dodged) == "t'es un connard"
    assert _one(dodged).toxicity >= 0.8


def test_homoglyphs_from_another_script_are_folded_in_latin_words():
    dodged = "t'es un \u0441onn\u0430rd"  # Cyrillic "с" and "а"
    assert matching_form(dodged) == "t'es un connard"
    assert _one(dodged).toxicity >= 0.8


def test_mixed_script_words_are_folded_but_a_russian_sentence_keeps_its_letters():
    assert defang(fold("c'est du ѕсаm")) == "c'est du scam"  # look-alikes in Latin text
    assert defang(fold("Привет, как дела?")) == "привет, как дела?"


def test_letters_spelt_out_and_leetspeak_are_read_as_the_word():
    assert matching_form("c.o.n.n.a.r.d") == "connard"
    assert _one("Espèce de C0NNNN4RD").toxicity >= 0.8


def test_a_one_megabyte_message_is_judged_on_a_bounded_sample(monkeypatch):
    seen: list[int] = []
    real = toxicity.scores

    def spy(texts, languages, sentiments, prepared=None):
        seen.extend(len(t) for t in texts)
        return real(texts, languages, sentiments, prepared)

    monkeypatch.setattr(toxicity, "scores", spy)
    huge = ("bonjour tout le monde " * 50_000)[:1_000_000] + " espèce de connard"
    result = _one(huge)
    assert result.text is huge  # the caller gets its text back whole
    assert seen == [analysis.SAMPLE_HEAD + 1 + analysis.SAMPLE_TAIL]
    assert result.toxicity >= 0.5  # the end of the message was read


def test_precision_and_recall_on_a_known_confusion():
    score = precision_recall([True, True, False, False], [True, False, True, False])
    assert (score.precision, score.recall, score.n_positive) == (0.5, 0.5, 2)


def test_moderation_evaluation_reports_each_language_and_the_baseline(capsys):
    assert main(["--no-speed"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| mod")]
    assert len(lines) == 2 * 2 * 3
    assert {line.split(" | ")[1] for line in lines} == {"fr", "en"}


def test_a_word_that_is_an_insult_in_one_language_only_counts_in_that_language():
    assert _one("Le colis est arrivé en retard").toxicity < 0.5
    assert _one("Weigh the pros and cons before buying").toxicity < 0.5
    assert _one("You retard").toxicity >= 0.8
    assert _one("Pauvre con").toxicity >= 0.8


def test_callers_that_only_need_sentiment_can_skip_the_classifiers():
    from liant.text import analyse

    (plain,) = analyse(["Espèce de connard, achète mes pilules"], classify=False)
    (full,) = analyse(["Espèce de connard, achète mes pilules"])
    assert (plain.toxicity, plain.spam) == (None, None)
    assert full.toxicity is not None and full.toxicity > 0.5
    assert (plain.language, plain.sentiment) == (full.language, full.sentiment)
