"""Fills the space load bench's PostgreSQL database (run by bench/space_load.py in a process of
its own, with DATABASE_URL pointing at the database made for the run).

The space, its categories and members go through the ORM; topics and posts, by the hundred
thousand and the million, through COPY, whose rows still pass the database's triggers (the
search vector) and indexes like posts written by members. Bodies are a few hundred texts
rendered and folded by the real code, drawn at random. Prints what the load needs as JSON.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta

import django

WORDS = [
    "moka",
    "filtre",
    "piston",
    "torréfaction",
    "grain",
    "mouture",
    "arabica",
    "robusta",
    "crema",
    "tasse",
    "espresso",
    "lait",
    "mousse",
    "sucre",
    "l'été",
    "café",
    "chaud",
    "froid",
    "brew",
    "méthode",
    "recette",
    "question",
    "merci",
    "bonjour",
    "hello",
    "coffee",
    "roast",
    "grinder",
    "water",
    "temperature",
    "bean",
    "origin",
    "Éthiopie",
    "Brésil",
    "Colombie",
]
CATEGORIES = 10
ACCOUNTS = 1_000
BODIES = 300


def main() -> int:
    topics_wanted = int(sys.argv[1])
    replies_wanted = int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liant.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from liant.core.models import Organisation, Workspace
    from liant.space.markup import render
    from liant.space.models import Category, SpaceAccount
    from liant.space.posting import open_channel, space_of
    from liant.text import fold

    began = time.perf_counter()
    rng = random.Random(11)
    org = Organisation.objects.create(name="Bench", slug="bench-load")
    workspace = Workspace.objects.create(organisation=org, name="Bench", slug="bench-load")
    space = space_of(workspace)
    space.enabled, space.title = True, "Bench"
    space.save()
    open_channel(space)
    categories = [
        Category.objects.create(space=space, name=f"Catégorie {i}", position=i)
        for i in range(CATEGORIES)
    ]
    now = timezone.now()
    people = [
        SpaceAccount.objects.create(
            space=space,
            email=f"m{i}@example.org",
            display_name=f"Membre {i}",
            confirmed_at=now,
        )
        for i in range(ACCOUNTS)
    ]
    bodies = []
    for _ in range(BODIES):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
        html = render(text)
        bodies.append((text, html, fold(text)))

    # Replies per topic: most topics short, a few long (an exponential draw, mean as asked).
    mean = replies_wanted / max(1, topics_wanted)
    counts = [int(rng.expovariate(1 / mean)) if mean else 0 for _ in range(topics_wanted)]
    scale = replies_wanted / max(1, sum(counts))
    counts = [int(c * scale) for c in counts]
    counts[0] += replies_wanted - sum(counts)
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(1, topics_wanted + replies_wanted)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM space_topic")
        first_topic = cursor.fetchone()[0] + 1
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(
            "COPY space_topic (id, category_id, author_id, title, search_title, pinned,"
            " announcement, hidden, created_at, last_activity_at) FROM STDIN"
        ) as copy:
            for n in range(topics_wanted):
                title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()
                at = start + step * n * 11
                copy.write_row(
                    (
                        first_topic + n,
                        categories[n % CATEGORIES].pk,
                        people[rng.randrange(ACCOUNTS)].pk,
                        title,
                        fold(title)[:200],
                        False,
                        False,
                        False,
                        at,
                        at + step * 10 * counts[n],
                    )
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('space_topic', 'id'), %s)",
            [first_topic + topics_wanted],
        )
        with raw.copy(
            "COPY space_post (topic_id, author_id, body, body_html, search_text, hidden,"
            " idempotency_key, signed_by, created_at) FROM STDIN"
        ) as copy:
            for n in range(topics_wanted):
                at = start + step * n * 11
                for k in range(counts[n] + 1):  # the opening post, then the replies
                    text, html, folded = bodies[rng.randrange(BODIES)]
                    copy.write_row(
                        (
                            first_topic + n,
                            people[rng.randrange(ACCOUNTS)].pk,
                            text,
                            html,
                            folded,
                            False,
                            "",
                            "",
                            at + step * 10 * k,
                        )
                    )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM space_post")
        posts = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "slug": workspace.slug,
                "categories": [c.pk for c in categories],
                "first_topic": first_topic,
                "topics": topics_wanted,
                "posts": posts,
                "seconds": round(time.perf_counter() - began, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
