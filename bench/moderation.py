"""Moderation: how fast the worker judges generated FR/EN messages with the demo's 12 rules
and the classifiers, against liant.text.analyse() alone on the same messages (the classifiers
and language/sentiment, without the rules, the waves and the author history), measured in the
same run.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

N_MESSAGES = 5_000

INSULTS = [
    "Ta gueule espèce de connard",
    "You are a complete idiot",
    "Bande d'abrutis incompétents",
    "fuck you and your coffee",
    "T'es qu'un cr3tin fini",
]
SPAM = [
    "Gagnez 500€ par jour !!! Cliquez ici https://bit.ly/argent",
    "Earn $5000 a week from home, click here https://tinyurl.com/x",
    "@a @b @c @d @e @f regardez ma chaîne https://cutt.ly/zz",
]


def messages(n: int) -> list[str]:
    from bench.text import EN, FR, posts

    rng = random.Random(7)
    plain = posts(FR, n, 1) + posts(EN, n, 2)
    out = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.08:
            out.append(f"{rng.choice(INSULTS)} ({i})")
        elif roll < 0.13:
            out.append(f"{rng.choice(SPAM)} {i}")
        else:
            out.append(plain[rng.randrange(len(plain))])
    return out


def run(report: Callable[..., None]) -> None:
    from django.utils import timezone

    from liant.channels.models import Channel, Event
    from liant.core.models import Organisation, Workspace
    from liant.moderation import engine
    from liant.moderation.demo import RULES
    from liant.moderation.engine import moderate_new_events
    from liant.moderation.models import Item, ModerationState, Rule
    from liant.text import analyse

    texts = messages(N_MESSAGES)
    org = Organisation.objects.create(name="Bench", slug="bench-moderation")
    workspace = Workspace.objects.create(organisation=org, name="Bench", slug="bench-moderation")
    channel = Channel.objects.create(workspace=workspace, kind="email", name="Bench mailbox")
    for fields in RULES:
        Rule.objects.create(workspace=workspace, active=True, **fields)
    rules = list(Rule.objects.filter(workspace=workspace).prefetch_related("channels"))
    list(analyse(["Bonjour, ça marche ?", "Hello, you idiot"]))  # loads every model

    now = timezone.now()
    events = [
        Event(
            workspace=workspace,
            channel=channel,
            kind="comment",
            remote_id=f"m{i}",
            author_remote_id=f"author{i % 700}",
            text=text,
            occurred_at=now - timedelta(seconds=N_MESSAGES - i),
        )
        for i, text in enumerate(texts)
    ]
    t = time.perf_counter()
    Event.objects.bulk_create(events, batch_size=500)
    insert_rate = N_MESSAGES / (time.perf_counter() - t)
    stored = list(Event.objects.filter(workspace=workspace).order_by("pk"))

    t = time.perf_counter()
    list(analyse(texts))
    analyse_rate = N_MESSAGES / (time.perf_counter() - t)

    t = time.perf_counter()
    judged = engine.judge(workspace, stored, rules)
    judge_rate = N_MESSAGES / (time.perf_counter() - t)
    matched = sum(1 for j in judged if j.matched)
    by_rule = Counter(rule.name for j in judged for rule, _ in j.matched)

    ModerationState.objects.filter(workspace=workspace).delete()
    t = time.perf_counter()
    moderate_new_events(workspace)
    worker_rate = N_MESSAGES / (time.perf_counter() - t)
    items = Item.objects.filter(workspace=workspace).count()

    note = (
        f"{N_MESSAGES} generated FR/EN messages (8% insults, 5% spam), 12 rules, SQLite, "
        f"one process; {matched} matched a rule, {items} kept as items; per rule: "
        + ", ".join(f"{name} {n}" for name, n in by_rule.most_common())
    )
    report("analyse_rate", analyse_rate, "messages/s", note)
    report("judge_rate", judge_rate, "messages/s", "judge(): analyse + 12 rules + waves + history")
    report("judge_vs_analyse", judge_rate / analyse_rate, "ratio")
    report(
        "worker_rate",
        worker_rate,
        "messages/s",
        "moderate_new_events(): judge + items, log entries and (refused) e-mail actions stored",
    )
    report("worker_vs_raw_insert", worker_rate / insert_rate, "ratio")

    # --- Flood control and the charter condition: what they add to judge(), and what the
    # one-query-per-batch count saves over one COUNT query per message.
    from liant.moderation import report as moderation_report
    from liant.moderation.models import Charter

    Charter.objects.create(workspace=workspace, version=1, body_fr="## 1. Respect\n## 2. Pub")
    flood = Rule.objects.create(
        workspace=workspace, name="Flood", active=True, rate_messages=4, rate_minutes=60
    )
    unsigned = Rule.objects.create(
        workspace=workspace, name="Unsigned", active=True, charter_not_accepted=True, min_links=1
    )
    more = [*rules, flood, unsigned]
    # Measured again next to the one it is compared with: the first run above paid for
    # warming up caches.
    t = time.perf_counter()
    engine.judge(workspace, stored, rules)
    judge_rate = N_MESSAGES / (time.perf_counter() - t)
    t = time.perf_counter()
    judged = engine.judge(workspace, stored, more)
    more_rate = N_MESSAGES / (time.perf_counter() - t)
    flooding = sum(1 for j in judged if any(r.pk == flood.pk for r, _ in j.matched))

    t = time.perf_counter()
    for batch in range(0, N_MESSAGES, engine.EVENT_BATCH):
        engine._recent(workspace, stored[batch : batch + engine.EVENT_BATCH], [flood])
    batched = time.perf_counter() - t
    t = time.perf_counter()
    for event in stored:
        Event.objects.filter(
            workspace=workspace,
            author_remote_id=event.author_remote_id,
            occurred_at__gt=event.occurred_at - timedelta(minutes=60),
            occurred_at__lte=event.occurred_at,
        ).count()
    per_message = time.perf_counter() - t
    report(
        "judge_with_flood_and_charter_rate",
        more_rate,
        "messages/s",
        f"judge() with the 12 rules + flood control (>4 in 60 min) + 'has not accepted the "
        f"charter' (none of the 700 authors is a member); {flooding} messages flooding; "
        f"the 12 rules alone, measured again just before: {judge_rate:.0f} messages/s",
    )
    report("judge_with_flood_and_charter_vs_judge", more_rate / judge_rate, "ratio")
    report(
        "flood_counts_batched_vs_per_message_query",
        batched / per_message,
        "ratio",
        f"flood counts for {N_MESSAGES} messages: batches of {engine.EVENT_BATCH} (one query "
        f"each, {batched * 1000:.0f} ms) against one COUNT per message "
        f"({per_message * 1000:.0f} ms)",
    )

    start, end = moderation_report.week_of(workspace, timezone.now().date())
    t = time.perf_counter()
    moderation_report.build(workspace, start, end)
    report(
        "weekly_report_build",
        (time.perf_counter() - t) * 1000,
        "ms",
        f"report.build() for the week of those {N_MESSAGES} messages and {items} items",
    )
