"""Length of a post as X counts it: twitter-text's "weighted length" (configuration v3).

https://docs.x.com/fundamentals/counting-characters and twitter-text's config/v3.json: the
text is NFC-normalised; every URL counts 23 (it is shortened to t.co); an emoji, however many
code points it is made of, counts 2; any other code point counts 1 in the ranges below
(Latin, Greek, Cyrillic, Arabic, Hebrew, Indic scripts… and some punctuation) and 2 elsewhere
(CJK, Hangul, Japanese kana…). The limit is 280.

The PyPI ports of twitter-text are not maintained (twitter-text-parser: last release 2023),
so the rule is written here from the documented configuration.
"""

from __future__ import annotations

import unicodedata

import regex

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
SCALE = 100
DEFAULT_WEIGHT = 200  # what HEAVY code points weigh: 2 characters
EMOJI_WEIGHT = 200
# (first code point, last code point, weight) from config v3.json
RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))

# URLs with a scheme, and bare domains under common top-level domains ("maison-lumiere.fr/
# atelier"): X links those too, so they also count 23. twitter-text knows every TLD; the
# common ones cover what a community manager writes.
TLDS = (
    "com|net|org|fr|be|ch|ca|de|uk|eu|io|co|info|biz|shop|store|coffee|app|dev|me|ly|gl|"
    "us|es|it|nl|lu|ma|tn|sn|ci|re|paris|bzh|corsica|alsace"
)
URL = regex.compile(
    r"https?://[^\s<>\"']+"
    rf"|(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{TLDS})\b(?:/[^\s<>\"']*)?",
    regex.IGNORECASE,
)
# An emoji sequence (a pictograph with its modifiers, joiners and selectors, a flag) counts
# as one, as \X groups it; a keycap (1️⃣) too. The lookahead makes the scan skip everything
# else at C speed.
EMOJI = regex.compile(
    r"(?=[\p{Extended_Pictographic}\p{Regional_Indicator}])\X|[0-9#*]\uFE0F?\u20E3"
)
# Code points outside the weight-1 ranges of config v3.
HEAVY = regex.compile("[^" + "".join(rf"\u{a:04X}-\u{b:04X}" for a, b, _w in RANGES) + "]")


def count_x(text: str) -> int:
    """The weighted length X compares with 280."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in URL.finditer(text):
        total += _weighted(text[position : match.start()])
        total += URL_LENGTH * SCALE
        position = match.end()
    total += _weighted(text[position:])
    return total // SCALE


def _weighted(text: str) -> int:
    total = 0
    position = 0
    for match in EMOJI.finditer(text):
        emoji = match.group()
        if len(emoji) == 1 and ord(emoji) <= 0xFF:
            continue  # © and ® alone are text, weighed with the rest
        total += _plain(text[position : match.start()]) + EMOJI_WEIGHT
        position = match.end()
    return total + _plain(text[position:])


def _plain(text: str) -> int:
    return SCALE * (len(text) + len(HEAVY.findall(text)))
