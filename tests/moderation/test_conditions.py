"""Rule conditions on one message: words on word boundaries after normalisation, patterns
with a time limit, links and domains, mentions, capitals, waves, new members, classifiers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from liant.moderation.conditions import Compiled, Message
from liant.moderation.models import Rule, validate_pattern
from tests.moderation.conftest import WHEN


def check(text: str, **fields) -> bool:
    message_fields = {
        k: fields.pop(k)
        for k in ("toxicity", "spam", "wave", "author_first_seen", "author_previous")
        if k in fields
    }
    rule = Rule(name="r", **fields)
    return Compiled(rule).check(Message(text, 1, WHEN, **message_fields)).matched


def test_watched_words_match_whole_words_only():
    assert check("espèce de con", words="con")
    assert not check("Merci pour l'assistance et le concert", words="ass\ncon")
    assert check("you ASS", words="ass")


def test_watched_words_see_through_leetspeak_accents_and_stretched_letters():
    assert check("Quel C0NNNN4RD", words="connard")
    assert check("CONNÂRD", words="connard")
    assert check("t'es un gros connnnard", words="gros connard")


def test_watched_words_see_through_zero_width_characters_and_homoglyphs():
    assert check("con\u200bnard", words="connard")
    assert check("\u0441onn\u0430rd", words="connard")  # Cyrillic с and а
    assert check("c.o.n.n.a.r.d", words="connard")


def test_a_catastrophic_pattern_times_out_and_asks_a_person():
    rule = Rule(name="r", pattern=r"(a|aa)+$")
    verdict = Compiled(rule).check(Message("a" * 60 + "b", 1, WHEN))
    assert not verdict.matched and verdict.timed_out


def test_a_pattern_matches_with_case_ignored():
    assert check("Appelez le 06 12 34 56 78", pattern=r"\b0[67](?:[ .]?\d\d){4}\b")
    assert not check("Rien ici", pattern=r"\d{10}")


def test_an_invalid_or_huge_pattern_is_refused():
    with pytest.raises(ValidationError):
        validate_pattern("(unclosed")
    with pytest.raises(ValidationError):
        validate_pattern("a" * 501)
    validate_pattern(r"\bpromo\w*")


def test_links_and_domains():
    text = "Voir https://shop.spam.example/x et https://example.org"
    assert check(text, min_links=2)
    assert not check(text, min_links=3)
    assert check(text, denied_domains="spam.example")
    assert not check("https://example.org", denied_domains="spam.example")
    assert check(text, allowed_domains="example.org")
    assert not check("https://www.example.org/a", allowed_domains="example.org")


def test_mentions_and_capitals():
    assert check("@a @b @c @d coucou", min_mentions=4)
    assert not check("@a coucou", min_mentions=4)
    assert check("ACHETEZ MAINTENANT CE PRODUIT", all_caps=True)
    assert not check("OK MERCI", all_caps=True)  # too short to be shouting
    assert not check("Achetez maintenant ce produit", all_caps=True)


def test_classifier_thresholds_waves_and_new_members():
    assert check("x", min_toxicity=0.5, toxicity=0.9)
    assert not check("x", min_toxicity=0.5, toxicity=0.2)
    assert check("x", min_spam=0.5, spam=0.6)
    assert check("x", wave_size=3, wave=3)
    assert not check("x", wave_size=3, wave=2)
    assert check("x", new_member_days=2, author_first_seen=WHEN - timedelta(hours=5))
    assert not check("x", new_member_days=2, author_first_seen=WHEN - timedelta(days=9))
    assert check("x", max_previous_messages=0, author_previous=0)
    assert not check("x", max_previous_messages=0, author_previous=4)


def test_all_conditions_must_hold():
    assert not check("espèce de con", words="con", min_links=1)
    assert check("espèce de con https://x.example", words="con", min_links=1)


def test_a_rule_without_any_condition_is_refused():
    with pytest.raises(ValidationError):
        Rule(name="vide").clean()
