"""Tokenisation for French and English social posts.

French elision is split off ("l'eau" → "l'", "eau"; "qu'il" → "qu'", "il") but words whose
apostrophe is part of the word stay whole ("aujourd'hui", "quelqu'un"), and English contractions
stay whole too ("don't" is one negating token).
"""

from __future__ import annotations

import functools
import re

from liant.text.normalise import EMOJI_PATTERN, fold

# Order matters: URLs before emoticons (":/" in "https://"), emoticons before words ("xD").
TOKEN_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.])@\w+(?:[.\-]\w+)*(?:@\w+(?:[.\-]\w+)+)?"
    r"|(?<![\w&#])#\w+"
    r"|</?3|\^\^|\^_\^|[Tt]_[Tt]|-_-|[xX][dD]+\b"
    r"|(?<!\w)[:;=8][\-o'^]?[)(\]\[dDpP/\\|*3oOcClL$@](?![\w/])"
    r"|\w+(?:['’\-]\w+)*['’]?"
    r"|!+|\?+|\.{2,}|…|[.,;:()\[\]\"«»]"
    rf"|{EMOJI_PATTERN}",
    re.UNICODE,
)

ELIDED = frozenset(
    ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]
)
# Words that carry an apostrophe of their own and must not be split.
WHOLE = frozenset(["aujourd'hui", "quelqu'un", "quelqu'une", "prud'homme", "prud'hommes"])


_LAUGH_EMOTICON = re.compile(r"[xX][dD]+")


def _split_elision(token: str) -> list[str]:
    token = token.replace("’", "'")
    if "'" not in token or token.endswith("'"):
        return [token]
    lower = fold(token)
    if lower in WHOLE or lower.split("-", 1)[0] in WHOLE:
        return [token]
    parts: list[str] = []
    # Chains like "qu'l'on" are rare; "s'l'" never; one or two elisions is what happens.
    while "'" in token:
        head, tail = token.split("'", 1)
        if fold(head) not in ELIDED or not tail:
            break
        parts.append(head + "'")
        token = tail
    parts.append(token)
    return parts


def tokenise(text: str) -> list[str]:
    """Tokens as written (case kept, for ALL-CAPS emphasis); apostrophes become "'"."""
    return list(tokens_of(text))


# Ingestion tokenises each text twice in a row, for its sentiment and for its dedupe key: the
# tokens of the last few thousand texts (a batch) are kept, read-only. Long texts are not
# kept, so the cache stays small whatever comes in.
_tokens_cached = functools.lru_cache(maxsize=4096)(lambda text: tuple(_tokenise(text)))


def tokens_of(text: str) -> tuple[str, ...] | list[str]:
    """tokenise(), shared: the caller must not change what it gets."""
    return _tokens_cached(text) if len(text) <= 2000 else _tokenise(text)


def _tokenise(text: str) -> list[str]:
    out: list[str] = []
    for token in TOKEN_RE.findall(text):
        if "'" in token or "’" in token:
            out.extend(_split_elision(token))
        else:
            out.append(token)
    return out


# The same few thousand words come back in every post: folding each once is a measurable share
# of ingestion (dedupe keys are built from words()). fold() is pure, so the cache changes nothing.
# Only words of ordinary length are kept, so a hostile post of huge "words" cannot fill memory.
_fold_cached = functools.lru_cache(maxsize=1 << 16)(fold)


def _fold_word(token: str) -> str:
    return _fold_cached(token) if len(token) <= 64 else fold(token)


def _word(token: str) -> str | None:
    """A token's folded word, None for what words() leaves out."""
    first = token[0]
    if first == "#":
        return _fold_word(token[1:])
    if (
        (first.isalnum() or first == "_")
        and not token.startswith(("http", "www."))
        and not _LAUGH_EMOTICON.fullmatch(token)
    ):
        return _fold_word(token)
    return None


# Each token's verdict, for the same reason as _fold_cached: one dictionary look-up per token
# instead of four tests and a call. Emptied when full; ordinary lengths only.
_WORD_OF: dict[str, str | None] = {}
_UNKNOWN = object()


def words(text: str) -> list[str]:
    """Folded word tokens only (hashtags as their word, no URLs/mentions/emojis/punctuation)."""
    result: list[str] = []
    known = _WORD_OF
    for token in tokens_of(text):
        word = known.get(token, _UNKNOWN)
        if word is _UNKNOWN:
            word = _word(token)
            if len(token) <= 64:
                if len(known) >= 1 << 16:
                    known.clear()
                known[token] = word
        if word is not None:
            result.append(word)  # type: ignore[arg-type]
    return result
