"""How likely a message is spam (advertising, scams, link and mention farming): 0 … 1.

A logistic score over features a moderator can read: links and link shorteners, mentions,
hashtags, shouting, prices and discounts, phone numbers, repetition, and Liant's own list of
spam phrases in French and English (data/spam_terms.tsv). The weights were set by hand and
checked on Liant's labelled posts (evaluate.py); a near-duplicate wave is another signal, seen
across messages, that moderation rules add on top.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from liant.text.lexicons import DATA, read_tsv, wordset
from liant.text.normalise import URL_RE, hashtags, mentions
from liant.text.wordlist import WordList

BIAS = -3.2
SHORTENERS = wordset(
    "bit.ly tinyurl.com t.co goo.gl is.gd cutt.ly ow.ly rebrand.ly shorturl.at tiny.cc "
    "buff.ly t.ly rb.gy s.id"
)
PRICE_RE = re.compile(r"\d[\d .,]*\s?(?:€|\$|k€|eur\b|euros?\b|dollars?\b)|[$€]\s?\d", re.I)
DISCOUNT_RE = re.compile(r"-?\d{1,3}\s?%")
PHONE_RE = re.compile(r"(?:\+\d{1,3}[ .]?)?(?:\d[ .-]?){9,12}\d")
# Income claims: "500€ par jour", "$3000 a week".
EARNINGS_RE = re.compile(
    r"(?:\d[\d .,]*\s?(?:€|\$|k€|euros?|dollars?)|[$€]\s?\d[\d.,]*k?)\s*"
    r"(?:par|per|a|an|/|chaque|every)\s*(?:jour|semaine|mois|heure|day|week|month|hour)",
    re.I,
)
SCAM_TLD_RE = re.compile(r"\.(?:win|bet|click|top|xyz|shop|loan|vip|buzz)\b", re.I)


@functools.cache
def phrases() -> WordList:
    return WordList(read_tsv(DATA / "spam_terms.tsv"))


def domain(url: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).split("/", 1)[0]
    return host.split(":", 1)[0].split("@")[-1]


@dataclass(frozen=True)
class Features:
    links: int
    shortened: int
    mentions: int
    hashtags: int
    caps_ratio: float
    letters: int
    prices: int
    discounts: int
    phones: int
    scam_tlds: int
    earnings: int
    repeated_words: float  # share of the words taken by the most repeated one
    phrase_weight: float

    def log_odds(self) -> float:
        z = BIAS
        z += min(self.links, 3) * 1.0 + min(self.shortened, 2) * 1.2
        z += min(max(self.mentions - 2, 0), 5) * 0.5
        z += 1.0 if self.hashtags >= 5 else 0.0
        if self.letters >= 12 and self.caps_ratio > 0.6:
            z += 1.2
        z += min(self.prices, 2) * 0.8 + min(self.discounts, 2) * 0.8
        z += min(self.phones, 1) * 1.0 + min(self.scam_tlds, 2) * 0.8
        z += min(self.earnings, 1) * 1.2
        if self.repeated_words > 0.3:
            z += 1.0
        return z + min(self.phrase_weight, 5.0)


def features(text: str, prepared: str | None = None) -> Features:
    found = [m.group(0) for m in URL_RE.finditer(text)]
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    words = re.findall(r"\w{3,}", text.lower())
    top = Counter(words).most_common(1)[0][1] / len(words) if len(words) >= 6 else 0.0
    form = prepared if prepared is not None else phrases().prepare(text)
    return Features(
        links=len(found),
        shortened=sum(domain(u) in SHORTENERS for u in found),
        mentions=len(mentions(text)),
        hashtags=len(hashtags(text)),
        caps_ratio=upper / len(letters) if letters else 0.0,
        letters=len(letters),
        prices=len(PRICE_RE.findall(text)),
        discounts=len(DISCOUNT_RE.findall(URL_RE.sub(" ", text))),
        phones=len(PHONE_RE.findall(URL_RE.sub(" ", text))),
        scam_tlds=sum(bool(SCAM_TLD_RE.search(domain(u))) for u in found),
        earnings=len(EARNINGS_RE.findall(text)),
        repeated_words=top,
        phrase_weight=sum(float(h.value) for h in phrases().find("", form)),
    )


def score(text: str, prepared: str | None = None) -> float:
    """`prepared`: the text's matching form (WordList.prepare), when the caller has it."""
    return round(1.0 / (1.0 + math.exp(-features(text, prepared).log_odds())), 4)
