"""Judging stored events with a workspace's rules, and acting on the verdict.

`judge()` is shared by the worker and the dry run: analyse the texts in one batch (language,
insult and spam probabilities), count near-identical messages of the last hour, look up each
author's history, then check every rule. `moderate_new_events()` runs in the worker after the
channels store events, moves a cursor on Event ids (the same way listening's ingestion does)
and applies what the rules decided through the channel's connector.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from liant.channels.models import Event
from liant.connectors.base import Problem
from liant.core.models import Workspace
from liant.moderation import actions
from liant.moderation.conditions import Compiled, Message
from liant.moderation.models import (
    Action,
    Charter,
    Item,
    ItemState,
    LogEntry,
    ModerationState,
    Outcome,
    Reason,
    Report,
    Rule,
)
from liant.text import analyse
from liant.text.duplicates import NearDuplicates

log = logging.getLogger(__name__)

MODERATED_KINDS = ("post", "comment", "mention", "direct_message")
EVENT_BATCH = 500
# Rules judge what was stored in the last day. When a workspace first turns moderation on, or
# connects a channel with months of history, nobody wants a ban for a message from March:
# the dry run is how a rule meets the past.
STORED_WITHIN = timedelta(days=1)
LOOKBACK = 2000  # event ids below the cursor read again for late commits
LATE_WINDOW = timedelta(minutes=10)  # a late commit is seconds late
WAVE_WINDOW = timedelta(hours=1)
WAVE_PRELOAD = 2000  # earlier events of the window loaded into the near-duplicate index
# Without any rule, the classifiers alone put a message in the queue from these probabilities
# (never remove it: a person decides).
FLAG_TOXICITY = 0.7
FLAG_SPAM = 0.8
# When several rules match, the stronger action wins between rules of the same severity.
STRENGTH = [
    Action.LABEL,
    Action.HOLD,
    Action.WARN,
    Action.HIDE,
    Action.DELETE,
    Action.MUTE,
    Action.BAN,
]
MAX_ID = 2**63  # above any event id: a bound for (time, id) searches
REMOVALS = ("hide", "delete", "ban", "mute", "remove", "remove_warn", "remove_mute")


@dataclass
class Judgement:
    event: Event
    message: Message
    matched: list[tuple[Rule, list[Problem]]] = field(default_factory=list)
    timed_out: list[Rule] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return any(rule.action == Action.ALLOW for rule, _ in self.matched)

    @property
    def deciding(self) -> Rule | None:
        acting = [rule for rule, _ in self.matched if rule.action != Action.ALLOW]
        if not acting:
            return None
        return max(acting, key=lambda r: (r.severity, STRENGTH.index(Action(r.action)), -r.pk))

    def reasons(self, rule: Rule) -> list[Problem]:
        return next((why for r, why in self.matched if r.pk == rule.pk), [])


def _author_history(
    workspace: Workspace, events: Sequence[Event]
) -> dict[str, tuple[datetime | None, int]]:
    """Per author: when first seen, and how many messages before this batch."""
    authors = {e.author_remote_id for e in events if e.author_remote_id}
    if not authors:
        return {}
    first_pk = min(e.pk for e in events)
    rows = (
        Event.objects.filter(workspace=workspace, author_remote_id__in=authors, pk__lt=first_pk)
        .values("author_remote_id")
        .annotate(first=Min("occurred_at"), n=Count("pk"))
    )
    return {r["author_remote_id"]: (r["first"], r["n"]) for r in rows}


def _members(
    workspace: Workspace, events: Sequence[Event], rules: Sequence[Rule]
) -> tuple[dict, dict]:
    """(network, author) -> the author's level, the rules' segments they are in and whether
    they accepted the current charter, read from Members in a few queries per batch (plus one
    per segment a rule names); and what an author Members does not know gets."""
    from liant.members import segments  # noqa: PLC0415 - members is read only when rules ask
    from liant.members.models import Identity, Member
    from liant.moderation.charter import latest_versions  # noqa: PLC0415 - reads members too

    wanted = [r for r in rules if r.up_to_level or r.segment_id is not None]
    charter = Charter.current(workspace) if any(r.charter_not_accepted for r in rules) else None
    # Somebody Members has never seen has not accepted anything.
    unknown = {"charter_accepted": False} if charter is not None else {}
    authors = {e.author_remote_id for e in events if e.author_remote_id}
    if not (wanted or charter) or not authors:
        return {}, unknown
    rows = Identity.objects.filter(workspace=workspace, remote_id__in=authors).values_list(
        "network", "remote_id", "member_id", "member__level", "member__merged_into_id"
    )
    merged = {r[4] for r in rows if r[4]}
    kept = dict(Member.objects.filter(pk__in=merged).values_list("pk", "level"))
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for network, remote_id, member_id, level, merged_into in rows:
        if merged_into:
            member_id, level = merged_into, kept.get(merged_into, level)
        found[(network, remote_id)] = (member_id, level)
    ids = {member_id for member_id, _level in found.values()}
    inside: dict[int, set[int]] = defaultdict(set)
    for rule in wanted:
        if rule.segment_id is None:
            continue
        for member_id in (
            segments.members_of(rule.segment).filter(pk__in=ids).values_list("pk", flat=True)
        ):
            inside[member_id].add(rule.segment_id)
    people: dict[tuple[str, str], dict] = {
        key: {"author_level": level, "author_segments": frozenset(inside.get(member_id, ()))}
        for key, (member_id, level) in found.items()
    }
    if charter is not None:
        versions = latest_versions(ids)
        for key, (member_id, _level) in found.items():
            version = versions.get(member_id, (None, None))[0]
            people[key]["charter_accepted"] = version == charter.version
    return people, unknown


def _recent(
    workspace: Workspace, events: Sequence[Event], rules: Sequence[Rule]
) -> dict[int, dict[int, int]]:
    """Event id → {minutes: the author's messages within that many minutes up to this one},
    for every window a flood-control rule names. One query per batch loads the authors' stored
    messages of the widest window; each count is then two binary searches in their sorted
    times, so a batch of 500 costs the same one query whether it holds 1 author or 500."""
    windows = sorted(
        {r.rate_minutes for r in rules if r.rate_messages is not None and r.rate_minutes}
    )
    authors = {e.author_remote_id for e in events if e.author_remote_id}
    if not windows or not authors:
        return {}
    spans = [timedelta(minutes=m) for m in windows]
    rows = Event.objects.filter(
        workspace=workspace,
        kind__in=MODERATED_KINDS,
        author_remote_id__in=authors,
        occurred_at__gte=min(e.occurred_at for e in events) - spans[-1],
        occurred_at__lte=max(e.occurred_at for e in events),
        # Stored later than this batch: judged with the next one, counted there.
        pk__lte=max(e.pk for e in events),
    ).values_list("author_remote_id", "occurred_at", "pk")
    # Sorted by (time, id): two messages of the same second count in the order they came.
    times: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for author, occurred, pk in rows:
        times[author].append((occurred, pk))
    for found in times.values():
        found.sort()
    counts: dict[int, dict[int, int]] = {}
    for event in events:
        mine = times.get(event.author_remote_id)
        if not mine:
            continue
        upto = bisect_right(mine, (event.occurred_at, event.pk))
        counts[event.pk] = {
            minutes: upto - bisect_right(mine, (event.occurred_at - span, MAX_ID))
            for minutes, span in zip(windows, spans, strict=True)
        }
    return counts


def message_of(remote_id: str, raw: object) -> str:
    """What message an event is a version of: an edit stored as its own event names the
    message it changes in `raw["edit_of"]` (the community space's edits)."""
    edit_of = raw.get("edit_of") if isinstance(raw, dict) else None
    return str(edit_of or remote_id)


def _wave_index(
    workspace: Workspace, events: Sequence[Event]
) -> tuple[NearDuplicates, dict, dict[Hashable, tuple[int, str]]]:
    index = NearDuplicates()
    when: dict[int, datetime] = {}
    # Event id → (channel, message it is a version of): an edit is near-identical to the
    # message it changes, which is no wave.
    versions: dict[Hashable, tuple[int, str]] = {}
    start = min(e.occurred_at for e in events) - WAVE_WINDOW
    earlier = (
        Event.objects.filter(
            workspace=workspace,
            kind__in=MODERATED_KINDS,
            occurred_at__gte=start,
            pk__lt=min(e.pk for e in events),
        )
        .order_by("-pk")
        .values_list("pk", "text", "occurred_at", "channel_id", "remote_id", "raw")[:WAVE_PRELOAD]
    )
    for pk, text, occurred, channel_id, remote_id, raw in reversed(list(earlier)):
        index.add(pk, text[:2000])
        when[pk] = occurred
        versions[pk] = (channel_id, message_of(remote_id, raw))
    return index, when, versions


def judge(workspace: Workspace, events: Sequence[Event], rules: Sequence[Rule]) -> list[Judgement]:
    """The verdict of `rules` on each event, in order (events sorted by id)."""
    if not events:
        return []
    compiled = [Compiled(rule) for rule in rules]
    analyses = list(analyse([e.text for e in events]))
    history = _author_history(workspace, events)
    people, unknown = _members(workspace, events, rules)
    recent = _recent(workspace, events, rules)
    seen_in_batch: dict[str, int] = defaultdict(int)
    first_in_batch: dict[str, datetime] = {}
    needs_wave = any(rule.wave_size is not None for rule in rules)
    index, when, versions = _wave_index(workspace, events) if needs_wave else (None, {}, {})
    judgements = []
    for event, result in zip(events, analyses, strict=True):
        author = event.author_remote_id
        first, before = history.get(author, (None, 0))
        if author:
            first = first or first_in_batch.get(author)
            first_in_batch.setdefault(author, event.occurred_at)
        wave = 1
        if index is not None:
            found = index.add(event.pk, event.text[:2000])
            when[event.pk] = event.occurred_at
            same = versions[event.pk] = (event.channel_id, message_of(event.remote_id, event.raw))
            near = [k for k in found if event.occurred_at - when[k] <= WAVE_WINDOW]
            wave += len([k for k in near if versions.get(k) != same])
        message = Message(
            text=event.text,
            channel_id=event.channel_id,
            occurred_at=event.occurred_at,
            toxicity=result.toxicity or 0.0,
            spam=result.spam or 0.0,
            language=result.language,
            author_first_seen=first,
            author_previous=before + seen_in_batch[author],
            wave=wave,
            recent=recent.get(event.pk, {}),
            **people.get((event.channel.kind, author), unknown),
        )
        if author:
            seen_in_batch[author] += 1
        judgement = Judgement(event, message)
        for rule in compiled:
            verdict = rule.check(message)
            if verdict.matched:
                judgement.matched.append((rule.rule, verdict.reasons))
            elif verdict.timed_out:
                judgement.timed_out.append(rule.rule)
        judgements.append(judgement)
    return judgements


def author_removals(workspace: Workspace, author: str) -> int:
    if not author:
        return 0
    return LogEntry.objects.filter(
        workspace=workspace,
        author_remote_id=author,
        action__in=REMOVALS,
        outcome=Outcome.APPLIED,
    ).count()


def risk(
    severity: int, toxicity: float, spam: float, reporter_weight: float, removals: int
) -> float:
    """0 … 1, highest first in the queue: the chance that any of the signals is right, each
    taken as independent evidence (rule severity, classifier, reporter's record, author's)."""
    parts = [
        severity / 4 * 0.9,
        max(toxicity, spam),
        reporter_weight,
        min(removals, 5) / 5 * 0.6,
    ]
    doubt = 1.0
    for p in parts:
        doubt *= 1.0 - max(0.0, min(p, 1.0))
    return round(1.0 - doubt, 4)


def refresh_risk(item: Item) -> None:
    reports = list(item.reports.all())
    weight = max((Report.accuracy(item.workspace, r.reporter) for r in reports), default=0.0)
    item.risk = risk(
        item.severity,
        item.toxicity,
        item.spam,
        weight,
        author_removals(item.workspace, item.author_remote_id),
    )
    item.save(update_fields=["risk"])


def _item(judgement: Judgement, reason: str, rule: Rule | None, why: list[Problem]) -> Item:
    event, message = judgement.event, judgement.message
    severity = rule.severity if rule else 0
    return Item(
        workspace_id=event.workspace_id,
        event=event,
        channel_id=event.channel_id,
        reason=reason,
        why="; ".join(w.message for w in why),
        why_detail=[w.detail() for w in why],
        rule=rule,
        matched_rules=[r.pk for r, _ in judgement.matched],
        text=event.text,
        language=message.language,
        toxicity=message.toxicity,
        spam=message.spam,
        severity=severity,
        risk=risk(
            severity,
            message.toxicity,
            message.spam,
            0.0,
            author_removals(event.workspace, event.author_remote_id),
        ),
        author_remote_id=event.author_remote_id,
        author_handle=event.author_handle,
    )


def act_on(judgement: Judgement) -> Item | None:
    """Apply the verdict: nothing, an item in the queue, or an action through the network."""
    event, message = judgement.event, judgement.message
    if judgement.allowed:
        return None
    rule = judgement.deciding
    if rule is None:
        if judgement.timed_out:
            names = ", ".join(r.name for r in judgement.timed_out)
            item = _item(
                judgement,
                Reason.HELD,
                judgement.timed_out[0],
                [
                    Problem(
                        _("a rule's pattern ran out of time (%(rules)s): a person decides"),
                        rules=names,
                    )
                ],
            )
            item.save()
            return item
        if message.toxicity >= FLAG_TOXICITY or message.spam >= FLAG_SPAM:
            item = _item(
                judgement,
                Reason.FLAGGED,
                None,
                [
                    Problem(
                        _("insult probability %(toxicity).2f, spam %(spam).2f"),
                        toxicity=message.toxicity,
                        spam=message.spam,
                    )
                ],
            )
            item.save()
            return item
        return None
    reasons = judgement.reasons(rule)
    item = _item(judgement, Reason.HELD, rule, reasons)
    if rule.action == Action.LABEL:
        item.state, item.reason, item.label = ItemState.DONE, Reason.LABELLED, rule.label
    item.save()
    if rule.action in (Action.HOLD, Action.LABEL):
        actions.log(
            event,
            rule.action,
            actions.Result(Outcome.RECORDED),
            text=event.text,
            rule=rule,
            article=rule.article,
            item_id=item.pk,
        )
        return item
    entry = actions.apply(
        event,
        rule.action,
        text=event.text,
        rule=rule,
        article=rule.article,
        warning=rule.warning,
        mute_minutes=rule.mute_minutes,
        item_id=item.pk,
    )
    if entry.outcome == Outcome.APPLIED:
        item.state, item.reason = ItemState.DONE, Reason.ACTED
        item.decided_at = entry.created_at
    else:
        item.reason = Reason.NOT_APPLIED
        item.why = f"{item.why} — {entry.detail}"
        item.why_detail = [*_as_list(item.why_detail), *_as_list(entry.detail_json)]
    item.save(update_fields=["state", "reason", "decided_at", "why", "why_detail"])
    return item


def _as_list(detail: object) -> list:
    if isinstance(detail, list):
        return detail
    return [detail] if isinstance(detail, dict) else []


def active_rules(workspace: Workspace) -> list[Rule]:
    return list(
        Rule.objects.filter(workspace=workspace, active=True)
        .select_related("segment")
        .prefetch_related("channels")
    )


@dataclass
class EvaluationReport:
    seen: int = 0
    items: int = 0


def moderate_new_events(workspace: Workspace) -> EvaluationReport:
    """Everything stored since the last run, in id order. The cursor moves before the actions
    (a network action is not undone by a rollback): a crash mid-batch leaves its remaining
    events unjudged rather than acted on twice. Then one look back below the cursor for
    events committed late (PostgreSQL gives ids at insert, not at commit)."""
    total = EvaluationReport()
    rules = active_rules(workspace)
    recent = Event.objects.filter(
        workspace=workspace,
        kind__in=MODERATED_KINDS,
        fetched_at__gte=timezone.now() - STORED_WITHIN,
    ).select_related("channel", "workspace")
    while True:
        state = ModerationState.of(workspace)
        last = state.last_event_id
        events = list(recent.filter(pk__gt=last).order_by("pk")[:EVENT_BATCH])
        if not events:
            break
        with transaction.atomic():
            moved = ModerationState.objects.filter(pk=state.pk, last_event_id=last).update(
                last_event_id=events[-1].pk
            )
        if not moved:
            return total  # another worker took this batch
        _judge_and_act(workspace, events, rules, total)
    if last:
        # An event judged before has its Item (unique per event), so two workers looking
        # back at once cannot both act: the second one's Item is refused before any action.
        late = recent.filter(
            pk__gt=max(0, last - LOOKBACK),
            pk__lte=last,
            fetched_at__gte=timezone.now() - LATE_WINDOW,
            moderation__isnull=True,
        ).order_by("pk")
        _judge_and_act(workspace, list(late), rules, total)
    return total


def _judge_and_act(
    workspace: Workspace, events: list[Event], rules: list[Rule], total: EvaluationReport
) -> None:
    already = set(Item.objects.filter(event__in=events).values_list("event_id", flat=True))
    fresh = [e for e in events if e.pk not in already and e.text]
    for judgement in judge(workspace, fresh, rules):
        try:
            if act_on(judgement) is not None:
                total.items += 1
        except Exception:  # one message must not stop the others being judged
            log.exception("moderating event %s failed", judgement.event.pk)
    total.seen += len(events)
