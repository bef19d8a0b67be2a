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
