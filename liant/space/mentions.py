"""@mentions name an account of the same space, three ways:

- "@handle": the account's handle (`SpaceAccount.handle`, shown on its profile), which never
  changes and is unique in the space — the Discourse way, and the one that always works;
- "@Name" when the display name is one word;
- "@Marie Dupont", the display name as it is shown, when it has several words (up to
  `MAX_WORDS`): as typed in Discord, without quotes. After "@", the longest run of words that
  is exactly (case aside) the display name of one account wins, so "@Marie Dupont" names Marie
  Dupont even when someone's handle is "marie"; a full stop or an apostrophe ending the
  sentence may follow ("@Marie Dupont."). Two accounts with the same display name are not
  told apart: neither is linked, their handles are.

They are resolved when a post is saved and turned into links in the HTML that nh3 has already
cleaned. The links are put into the sanitized HTML, never built from the raw text: only text
between tags is searched (nothing inside a link, `code` or `pre`), what is matched is letters,
digits, "_", spaces and "'’.-" only (so never an entity such as "&lt;"), and the link is made
with format_html, so nothing a member typed can become markup here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

if TYPE_CHECKING:
    from liant.space.models import Post, SpaceAccount

MAX_WORDS = 4  # a display name of more words is mentioned by its handle
# "@" not preceded by a word character (an e-mail address is not a mention), then a run of
# up to MAX_WORDS words separated by one space; which part of it is a name is decided later.
NAME_WORD = r"\w[\w'’.\-]*"
MENTION = re.compile(rf"(?<![\w@/.])@({NAME_WORD}(?: {NAME_WORD}){{0,{MAX_WORDS - 1}}})")
ONE_WORD = re.compile(r"\w{2,30}")
WHOLE_NAME = re.compile(rf"{NAME_WORD}(?: {NAME_WORD}){{1,{MAX_WORDS - 1}}}")
TRAILING = "'’.-"  # punctuation ending a sentence, not a name ("@Marie Dupont.")
# Splitting on tags is sound on nh3's output only: it writes "<" and ">" inside attribute
# values as entities, so a ">" always ends a tag (tests/space/test_notifications.py checks it).
TAG = re.compile(r"(<[^>]*>)")
SKIP_INSIDE = {"a", "code", "pre"}
MAX_MENTIONS = 20  # a post naming more people is not a conversation, it is a broadcast


def fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def phrases(run: str) -> list[tuple[str, str]]:
    """The multi-word names a run after "@" may start with, longest first, as (the text to
    link, its folded form)."""
    words = run.split(" ")
    found: list[tuple[str, str]] = []
    for count in range(len(words), 1, -1):
        text = " ".join(words[:count])
        for candidate in (text, text.rstrip(TRAILING)):
            if " " in candidate and (candidate, fold_name(candidate)) not in found:
                found.append((candidate, fold_name(candidate)))
    return found


def by_name(display_name: str) -> bool:
    """Whether "@" followed by this display name is a mention of it (when no other account
    has the same name): the profile form says so."""
    name = " ".join(display_name.split())
    return bool(ONE_WORD.fullmatch(name) or WHOLE_NAME.fullmatch(name))


def single(run: str) -> str:
    match = ONE_WORD.match(run)
    return match.group(0) if match else ""


def candidates(text: str) -> list[str]:
    """The runs after "@" in `text`, at most MAX_MENTIONS different ones."""
    seen: dict[str, None] = {}
    for run in MENTION.findall(text or ""):
        seen.setdefault(run, None)
    return list(seen)[:MAX_MENTIONS]


def resolve(space_id: int, runs: list[str]) -> dict[str, SpaceAccount]:
    """Folded word or name → account of this space: handles, one-word display names and
    several-word display names named by `runs`. Accounts not confirmed, banned or erased are
    not mentionable; a display name two accounts share names neither."""
    from liant.space.models import SpaceAccount  # noqa: PLC0415

    words = {single(run).casefold() for run in runs} - {""}
    names = {folded for run in runs for _text, folded in phrases(run)}
    if not words and not names:
        return {}
    rows = SpaceAccount.objects.filter(
        space_id=space_id, confirmed_at__isnull=False, banned_at__isnull=True
    ).exclude(email="", staff=False)
    found: dict[str, SpaceAccount] = {}
    for account in rows.filter(handle__in=words).select_related("space__workspace"):
        found[account.handle.casefold()] = account
    # Display names are compared in Python: the database's case folding differs between
    # SQLite (ASCII only) and PostgreSQL. The query only narrows to names starting with a
    # word typed after "@" (as typed, or capitalised as names usually are).
    starts = {run.split(" ", 1)[0] for run in runs}
    first = Q()
    for word in starts:
        for variant in {word, word.casefold(), word.capitalize(), word.upper()}:
            first |= Q(display_name__istartswith=variant)
    if not first:
        return found
    by_name: dict[str, list[SpaceAccount]] = defaultdict(list)
    for account in rows.filter(first).select_related("space__workspace"):
        by_name[fold_name(account.display_name)].append(account)
    for key, accounts in by_name.items():
        if key in found or len(accounts) != 1:
            continue
        if (" " in key and key in names) or (" " not in key and key in words):
            found[key] = accounts[0]
    return found


def link_mentions(post: Post, html: str) -> tuple[str, list[SpaceAccount]]:
    """The post's sanitized HTML with its mentions as links, and the accounts mentioned
    (not its author)."""
    runs = candidates(html)
    if not runs:
        return html, []
    space_id = post.topic.category.space_id
    found = resolve(space_id, runs)
    if not found:
        return html, []
    parts = TAG.split(html)
    depth = 0  # inside how many a/code/pre elements
    linked: dict[int, SpaceAccount] = {}
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part.strip("</ >").split(" ", 1)[0].lower()
            if name in SKIP_INSIDE:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth > 0 or "@" not in part:
            continue
        parts[index] = MENTION.sub(lambda m: _link(m, found, linked), part)
    mentioned = [a for a in linked.values() if a.pk != post.author_id]
    return "".join(parts), mentioned


def _link(
    match: re.Match[str], found: dict[str, SpaceAccount], linked: dict[int, SpaceAccount]
) -> str:
    """The run after "@" with its longest known name linked, the rest left as text."""
    run = match.group(1)
    for text, folded in phrases(run):
        if folded in found:
            return _anchor(found[folded], text, linked) + run[len(text) :]
    word = single(run)
    account = found.get(word.casefold()) if word else None
    if account is None:
        return match.group(0)
    return _anchor(account, word, linked) + run[len(word) :]


def _anchor(account: SpaceAccount, text: str, linked: dict[int, SpaceAccount]) -> str:
    linked[account.pk] = account
    url = reverse("space_profile", kwargs={"slug": account.space.slug, "pk": account.pk})
    return str(format_html('<a href="{}" class="mention">@{}</a>', url, text))
