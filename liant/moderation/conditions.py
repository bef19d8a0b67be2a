"""Whether a rule's conditions hold for one message.

A `Compiled` rule is built once per evaluation run (its watched words become one automaton,
its pattern a compiled `regex`), then `check()` is called per message with what the engine
knows about it (`Message`). Nothing here touches the database, so the dry run and the worker
judge a message the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import regex
from django.utils.translation import gettext_noop as _

from liant.connectors.base import Problem
from liant.moderation.models import Rule, lines
from liant.text.normalise import URL_RE, mentions
from liant.text.spam import domain
from liant.text.wordlist import WordList

PATTERN_TIMEOUT = 0.05  # seconds one pattern may spend on one message
PATTERN_SCAN = 100_000  # characters a pattern reads: the time limit bounds the rest
CAPS_MIN_LETTERS = 12
LEVELS = ["observer", "participant", "contributor", "ambassador"]


@dataclass
class Message:
    """What the rules can look at in a stored event."""

    text: str
    channel_id: int
    occurred_at: datetime
    toxicity: float = 0.0
    spam: float = 0.0
    language: str = ""
    author_first_seen: datetime | None = None
    author_previous: int = 0  # earlier messages of the same author in the workspace
    wave: int = 1  # this message and the near-identical ones of the last hour
    # From Members: an author Liant does not know yet is an observer in no segment.
    author_level: str = "observer"
    author_segments: frozenset[int] = frozenset()
    # Whether the author accepted the workspace's current charter version; None when the
    # workspace has no charter (then there is nothing to accept and the condition never holds).
    charter_accepted: bool | None = None
    # Minutes → the author's messages (this one included) within that many minutes up to this
    # one, across the workspace's channels: one entry per window a rule asks about.
    recent: dict[int, int] = field(default_factory=dict)


@dataclass
class Verdict:
    matched: bool
    # Why it matched, each a template and its values: English in the log, the reader's
    # language on the queue and dry-run pages.
    reasons: list[Problem] = field(default_factory=list)
    timed_out: bool = False  # the pattern ran out of time: a human decides


def _domain_matches(host: str, listed: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in listed)


class Compiled:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.words = WordList((w, w) for w in lines(rule.words)) if rule.words.strip() else None
        self.pattern = (
            regex.compile(rule.pattern, regex.IGNORECASE | regex.V1) if rule.pattern else None
        )
        self.denied = [d.lower().removeprefix("www.") for d in lines(rule.denied_domains)]
        self.allowed = [d.lower().removeprefix("www.") for d in lines(rule.allowed_domains)]
        self.channel_ids = {c.pk for c in rule.channels.all()} if rule.pk else set()

    def check(self, message: Message) -> Verdict:
        """All of the rule's set conditions must hold; the first that fails stops the check."""
        rule = self.rule
        reasons: list[Problem] = []
        if self.channel_ids and message.channel_id not in self.channel_ids:
            return Verdict(False)
        if rule.min_toxicity is not None:
            if message.toxicity < rule.min_toxicity:
                return Verdict(False)
            reasons.append(Problem(_("insult probability %(p).2f"), p=message.toxicity))
        if rule.min_spam is not None:
            if message.spam < rule.min_spam:
                return Verdict(False)
            reasons.append(Problem(_("spam probability %(p).2f"), p=message.spam))
        if self.words is not None:
            hits = self.words.find(message.text)
            if not hits:
                return Verdict(False)
            reasons.append(
                Problem(_("watched words: %(words)s"), words=", ".join(h.term for h in hits[:5]))
            )
        links = [m.group(0) for m in URL_RE.finditer(message.text)]
        if rule.min_links is not None:
            if len(links) < rule.min_links:
                return Verdict(False)
            reasons.append(Problem(_("%(n)s links"), n=len(links)))
        if self.denied:
            bad = [domain(u) for u in links if _domain_matches(domain(u), self.denied)]
            if not bad:
                return Verdict(False)
            reasons.append(Problem(_("denied domain: %(domain)s"), domain=bad[0]))
        if self.allowed:
            elsewhere = [domain(u) for u in links if not _domain_matches(domain(u), self.allowed)]
            if not elsewhere:
                return Verdict(False)
            reasons.append(
                Problem(_("link outside the allowed domains: %(domain)s"), domain=elsewhere[0])
            )
        if rule.min_mentions is not None:
            count = len(mentions(message.text))
            if count < rule.min_mentions:
                return Verdict(False)
            reasons.append(Problem(_("%(n)s mentions"), n=count))
        if rule.all_caps:
            letters = [c for c in message.text if c.isalpha()]
            if len(letters) < CAPS_MIN_LETTERS or sum(c.isupper() for c in letters) < 0.8 * len(
                letters
            ):
                return Verdict(False)
            reasons.append(Problem(_("written in capitals")))
        if rule.wave_size is not None:
            if message.wave < rule.wave_size:
                return Verdict(False)
            reasons.append(
                Problem(_("%(n)s near-identical messages within an hour"), n=message.wave)
            )
        if rule.new_member_days is not None:
            first = message.author_first_seen or message.occurred_at
            if message.occurred_at - first >= timedelta(days=rule.new_member_days):
                return Verdict(False)
            reasons.append(Problem(_("new member")))
        if rule.max_previous_messages is not None:
            if message.author_previous > rule.max_previous_messages:
                return Verdict(False)
            reasons.append(Problem(_("%(n)s earlier messages"), n=message.author_previous))
        if rule.up_to_level:
            if LEVELS.index(message.author_level) > LEVELS.index(rule.up_to_level):
                return Verdict(False)
            reasons.append(Problem(_("author's level: %(level)s"), level=message.author_level))
        if rule.segment_id is not None:
            if rule.segment_id not in message.author_segments:
                return Verdict(False)
            name = rule.segment.name if rule.segment else ""
            reasons.append(Problem(_("author in the segment %(name)s"), name=name))
        if rule.charter_not_accepted:
            if message.charter_accepted is not False:
                return Verdict(False)
            reasons.append(Problem(_("author has not accepted the current charter")))
        if rule.rate_messages is not None and rule.rate_minutes is not None:
            sent = message.recent.get(rule.rate_minutes, 1)
            if sent <= rule.rate_messages:
                return Verdict(False)
            reasons.append(
                Problem(
                    _("%(n)s messages within %(minutes)s minutes"),
                    n=sent,
                    minutes=rule.rate_minutes,
                )
            )
        if self.pattern is not None:
            try:
                found = self.pattern.search(message.text[:PATTERN_SCAN], timeout=PATTERN_TIMEOUT)
            except TimeoutError:
                # A pattern that backtracks for ever on this message must not hang the worker,
                # and must not let the message through unseen either: a person decides.
                return Verdict(
                    False, [*reasons, Problem(_("pattern ran out of time"))], timed_out=True
                )
            if found is None:
                return Verdict(False)
            reasons.append(Problem(_("pattern matched")))
        return Verdict(bool(reasons), reasons)
