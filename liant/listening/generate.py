"""Generated but realistic French and English mentions of a café brand and its competitors,
for the demo (six months of Maison Lumière) and the ingestion benchmark. Deterministic: the same
seed gives the same stream."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from liant.listening.ingest import Incoming

BRANDS = {
    "brand": ["Maison Lumière", "#MaisonLumiere", "@maisonlumiere"],
    "rival1": ["Café du Coin", "#CafeDuCoin"],
    "rival2": ["Brûlerie Martin", "#BrulerieMartin"],
}
SUBJECTS_FR = [
    "le café",
    "le flat white",
    "la livraison",
    "le service",
    "la nouvelle torréfaction",
    "l'appli",
    "la boutique de Lyon",
    "le barista",
    "l'abonnement",
    "le croissant",
    "le cold brew",
]
SUBJECTS_EN = [
    "the coffee",
    "the flat white",
    "delivery",
    "the service",
    "the new roast",
    "the app",
    "the Lyon shop",
    "the barista",
    "the subscription",
    "the croissant",
    "the cold brew",
]
VERDICTS = {
    ("fr", "positive"): [
        "est vraiment excellent",
        "est parfait, merci !",
        "c'est pas mal du tout",
        "un régal comme toujours 😍",
        "au top, je recommande",
        "toujours aussi bon",
    ],
    ("fr", "neutral"): [
        "ouvre à 8 h ce samedi",
        "change de carte la semaine prochaine",
        "est disponible en grains",
        "sera fermé lundi",
        "arrive à Bordeaux",
    ],
    ("fr", "negative"): [
        "est pas terrible",
        "était froid, déçu",
        "est arrivé avec deux jours de retard",
        "franchement nul aujourd'hui 😡",
        "trop cher pour ce que c'est",
    ],
    ("en", "positive"): [
        "is amazing, thank you!",
        "not bad at all",
        "is my favourite, love it ❤️",
        "is perfect as always",
        "great stuff, highly recommend",
    ],
    ("en", "neutral"): [
        "opens at 8 on Saturday",
        "is changing its menu next week",
        "is available as beans",
        "will be closed on Monday",
    ],
    ("en", "negative"): [
        "is really disappointing",
        "was cold, so disappointed",
        "arrived two days late",
        "is way too expensive",
        "terrible today 😡",
    ],
}
AUTHORS = [
    f"{name}@{server}"
    for name in (
        "camille",
        "jose",
        "lea",
        "sam",
        "noor",
        "tom",
        "ines",
        "hugo",
        "maya",
        "alex",
        "zoe",
        "yann",
    )
    for server in ("piaille.fr", "mastodon.social", "bsky.social")
]
SOURCES = ("mastodon", "bluesky", "feed")
OPENERS = {
    "fr": [
        "",
        "",
        "Franchement, ",
        "Bon, ",
        "Honnêtement ",
        "Alors là, ",
        "Petit avis : ",
        "PSA : ",
    ],
    "en": ["", "", "Honestly, ", "OK so ", "Quick review: ", "PSA: ", "Well, "],
}
TAILS = {
    "fr": [
        "ce matin",
        "hier soir",
        "pour le brunch",
        "à Lyon",
        "à Paris",
        "avec les collègues",
        "en terrasse",
        "le dimanche",
        "au bureau",
        "après le sport",
        "entre midi et deux",
    ],
    "en": [
        "this morning",
        "last night",
        "for brunch",
        "in Lyon",
        "in Paris",
        "with friends",
        "on the terrace",
        "on Sunday",
        "at work",
        "after the gym",
        "at lunch",
    ],
}
EXTRAS = [
    "",
    "",
    "",
    " 😊",
    " ☕",
    " !!",
    " #lyon",
    " #coffee",
    " #café",
    " 👀",
    " (encore)",
    " 🙃",
]
CRISIS_FR = [
    "{brand} : café brûlé, imbuvable, {n}e fois cette semaine 🤢 #cafébrûlé",
    "Je confirme, le café de {brand} est brûlé aujourd'hui, c'est honteux",
    "RT: {brand} sert du café brûlé et s'en fiche. Boycott ? #cafébrûlé",
    "{brand} café brûlé encore, horrible, plus jamais",
]
CRISIS_EN = [
    "{brand} burnt coffee again, undrinkable, awful #burntcoffee",
    "Can confirm, {brand} coffee tastes burnt today. Terrible.",
]


def mention_text(rng: random.Random, who: str) -> tuple[str, str]:
    """A text about `who` (brand / rival1 / rival2) and its language."""
    language = "fr" if rng.random() < 0.65 else "en"
    # The brand is a little loved, the first rival a little less, the second a lot less.
    weights = {"brand": (55, 30, 15), "rival1": (45, 30, 25), "rival2": (35, 30, 35)}[who]
    mood = rng.choices(("positive", "neutral", "negative"), weights)[0]
    name = rng.choice(BRANDS[who])
    subject = rng.choice(SUBJECTS_FR if language == "fr" else SUBJECTS_EN)
    verdict = rng.choice(VERDICTS[(language, mood)])
    tail = rng.choice(TAILS[language])
    if language == "fr":
        forms = [f"{subject} de {name} {verdict}", f"{name} : {subject} {verdict}, {tail}"]
    else:
        forms = [f"{subject} at {name} {verdict}", f"{name}: {subject} {verdict}, {tail}"]
    text = rng.choice(OPENERS[language]) + rng.choice(forms) + rng.choice(EXTRAS)
    if rng.random() < 0.3:
        text += f" @{rng.choice(AUTHORS).split('@')[0]}"
    return text, language


def stream(
    start: datetime, days: int, per_day: int, seed: int = 7, prefix: str = "gen"
) -> Iterator[Incoming]:
    """Mentions spread over `days`, busier at lunch and in the evening, quieter on Sundays."""
    rng = random.Random(seed)
    n = 0
    for day in range(days):
        date = start + timedelta(days=day)
        count = int(per_day * (0.6 if date.weekday() == 6 else 1.0) * rng.uniform(0.8, 1.2))
        for _ in range(count):
            hour = rng.choices(
                range(24), [1] * 7 + [4, 6, 5, 4, 6, 8, 6, 4, 4, 5, 6, 7, 6, 4, 3, 2, 1]
            )[0]
            when = date.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
            who = rng.choices(("brand", "rival1", "rival2"), (50, 30, 20))[0]
            text, _language = mention_text(rng, who)
            n += 1
            yield Incoming(
                source=rng.choice(SOURCES),
                remote_id=f"{prefix}-{seed}-{n}",
                text=text,
                occurred_at=when,
                author_handle=rng.choice(AUTHORS),
                author_followers=min(int(rng.paretovariate(1.2) * 80), 5000),
            )


def crisis(at: datetime, hours: int = 6, seed: int = 11) -> Iterator[Incoming]:
    """A burnt-coffee complaint going viral: a first post by a well-followed account, then
    copies and pile-ons that grow for a few hours."""
    rng = random.Random(seed)
    yield Incoming(
        source="mastodon",
        remote_id=f"crisis-{seed}-0",
        text="Maison Lumière : café brûlé, imbuvable, 3e fois cette semaine 🤢 #cafébrûlé",
        occurred_at=at,
        author_handle="gourmet.lyon@piaille.fr",
        author_name="Gourmet Lyon",
        author_followers=48_000,
    )
    n = 0
    for hour in range(hours):
        for _ in range(int(8 * 1.8**hour)):
            n += 1
            french = rng.random() < 0.8
            template = rng.choice(CRISIS_FR if french else CRISIS_EN)
            yield Incoming(
                source=rng.choice(("mastodon", "bluesky")),
                remote_id=f"crisis-{seed}-{n}",
                text=template.format(brand="Maison Lumière", n=rng.randint(2, 4)),
                occurred_at=at + timedelta(hours=hour, minutes=rng.randrange(60)),
                author_handle=rng.choice(AUTHORS),
                author_followers=int(rng.paretovariate(1.3) * 60),
            )
