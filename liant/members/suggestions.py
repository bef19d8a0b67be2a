"""Who might be the same person: merge suggestions with a confidence, for a human to decide.

- the same e-mail address on both (0.95 when one side verified it, else 0.85);
- the same handle on two networks ("lea" on Mastodon, "lea.bsky.social" on Bluesky): 0.6,
  0.8 with a similar name as well;
- similar names (≥ 0.9 similar once folded) with another matching attribute: 0.45, plus 0.25
  for a shared website domain in their profile links, 0.15 for the same city (custom field),
  0.05 each for the same language and country — weak clues where most members share them.
Only pairs at MINIMUM or above are suggested: a common name in one country is not a clue.
Pairs are only compared within small blocks (same e-mail, same handle stem, same first name
token), so the work grows with the members, not with their square.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher
from itertools import combinations
from urllib.parse import urlsplit

from liant.members.models import Identity, Kind, Member, MergeSuggestion
from liant.text.normalise import fold

BLOCK_LIMIT = 50  # a block this big is a common name, not a clue
MINIMUM = 0.6
CITY_FIELDS = ("city", "ville")


def handle_stem(handle: str) -> str:
    """'@lea@piaille.fr' -> 'lea'; 'lea.bsky.social' -> 'lea'; '@lea:matrix.org' -> 'lea'."""
    stem = handle.strip().lstrip("@").lower()
    for sep in ("@", ":"):
        stem = stem.split(sep)[0]
    if stem.endswith(".bsky.social"):
        stem = stem[: -len(".bsky.social")]
    return stem


def name_key(name: str) -> str:
    return " ".join(fold(name).split())


def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, name_key(a), name_key(b)).ratio() if a and b else 0.0


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


class Profile:
    def __init__(self, member: Member):
        self.member = member
        self.emails: set[str] = {member.email.lower()} if member.email else set()
        self.verified: set[str] = set()
        self.stems: dict[str, set[str]] = defaultdict(set)  # stem -> networks
        self.domains: set[str] = set()

    def add(self, identity: Identity) -> None:
        if identity.email:
            self.emails.add(identity.email.lower())
            if identity.email_verified:
                self.verified.add(identity.email.lower())
        if identity.handle and identity.network != "email":
            self.stems[handle_stem(identity.handle)].add(identity.network)
        if identity.url and identity.network not in ("mastodon", "bluesky"):
            self.domains.add(_domain(identity.url))


def score_pair(a: Profile, b: Profile) -> tuple[float, list[str]]:
    reasons: list[str] = []
    confidence = 0.0
    shared_email = a.emails & b.emails
    if shared_email:
        verified = bool(shared_email & (a.verified | b.verified))
        confidence = max(confidence, 0.95 if verified else 0.85)
        reasons.append("same_verified_email" if verified else "same_email")
    name_similarity = similar(a.member.name, b.member.name)
    for stem in set(a.stems) & set(b.stems):
        if len(stem) >= 3 and a.stems[stem] != b.stems[stem]:
            confidence = max(confidence, 0.8 if name_similarity >= 0.8 else 0.6)
            reasons.append("same_handle")
            break
    if name_similarity >= 0.9:
        clues = {
            "same_website": 0.25 if a.domains & b.domains else 0,
            "same_city": 0.15 if _city(a.member) and _city(a.member) == _city(b.member) else 0,
            "same_language": 0.05
            if a.member.language and a.member.language == b.member.language
            else 0,
            "same_country": 0.05
            if a.member.country and a.member.country == b.member.country
            else 0,
        }
        found = [name for name, weight in clues.items() if weight]
        if found:
            confidence = max(confidence, min(0.75, 0.45 + sum(clues.values())))
            reasons += ["similar_name", *found]
    return confidence, reasons


def _city(member: Member) -> str:
    fields = member.custom_fields or {}
    return next((fold(str(fields[k])) for k in CITY_FIELDS if fields.get(k)), "")


def candidates(workspace_id: int) -> Iterable[tuple[Member, Member, float, list[str]]]:
    members = Member.objects.filter(
        workspace_id=workspace_id,
        merged_into__isnull=True,
        erased_at__isnull=True,
        kind=Kind.PERSON,
    )
    profiles = {m.pk: Profile(m) for m in members}
    for identity in Identity.objects.filter(member_id__in=list(profiles)):
        profiles[identity.member_id].add(identity)
    blocks: dict[str, set[int]] = defaultdict(set)
    for pk, p in profiles.items():
        for email in p.emails:
            blocks[f"e:{email}"].add(pk)
        for stem in p.stems:
            if len(stem) >= 3:
                blocks[f"h:{stem}"].add(pk)
        first = name_key(p.member.name).split(" ")[0] if p.member.name else ""
        if len(first) >= 2:
            blocks[f"n:{first}"].add(pk)
    seen: set[tuple[int, int]] = set()
    for block in blocks.values():
        if len(block) < 2 or len(block) > BLOCK_LIMIT:
            continue
        for x, y in combinations(sorted(block), 2):
            if (x, y) in seen:
                continue
            seen.add((x, y))
            confidence, reasons = score_pair(profiles[x], profiles[y])
            if confidence >= MINIMUM:
                yield profiles[x].member, profiles[y].member, confidence, reasons


def suggest(workspace_id: int) -> int:
    """Store new suggestions; a pair once dismissed or merged is not suggested again."""
    known = set(
        MergeSuggestion.objects.filter(workspace_id=workspace_id).values_list(
            "first_id", "second_id"
        )
    )
    new = [
        MergeSuggestion(
            workspace_id=workspace_id,
            first=a,
            second=b,
            confidence=round(confidence, 2),
            reasons=reasons,
        )
        for a, b, confidence, reasons in candidates(workspace_id)
        if (a.pk, b.pk) not in known
    ]
    MergeSuggestion.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
