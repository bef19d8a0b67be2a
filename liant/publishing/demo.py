"""Demo posts: what Maison Lumière published these last weeks, what is coming, and one
failure to show how it is explained and retried.

No demo server speaks Mastodon, so the demo's Mastodon account is shown disconnected: its
past posts are history, and a scheduled post that comes due while the demo runs fails with
"reconnect it", as it would for real. Connect a real account to publish for real."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from liant.channels.models import Channel, Health
from liant.core.models import User
from liant.demo.loader import DemoContext, step
from liant.publishing.models import (
    Post,
    PublishingSettings,
    Transition,
    Variant,
    VariantMetrics,
)
from liant.publishing.queue import parse_slots, set_slots
from liant.publishing.states import State

INSTANCE = "https://mastodon.example"

PAST = [
    # (days ago, hour, title, pillar, text)
    (
        20,
        9,
        "Récolte Guji",
        "Origines",
        (
            "Nouvelle récolte : Éthiopie Guji lavé, notes de jasmin et de pêche. "
            "En boutique dès samedi !"
        ),
    ),
    (
        16,
        12,
        "Atelier latte art",
        "Ateliers",
        (
            "Atelier latte art jeudi 18 h : six places, deux baristas, beaucoup de "
            "lait. Inscriptions en boutique."
        ),
    ),
    (
        13,
        9,
        "Coulisses torréfaction",
        "Coulisses",
        (
            "Dans les coulisses : 14 minutes, 212 °C, et un nez collé au tambour. "
            "La torréfaction du mardi en images."
        ),
    ),
    (
        9,
        17,
        "Question moulin",
        "Conseils",
        (
            "Quelle mouture pour une cafetière italienne ? Un peu plus fine que "
            "pour un filtre, jamais poudreuse."
        ),
    ),
    (
        6,
        9,
        "Portes ouvertes",
        "Événements",
        "Portes ouvertes samedi à l'atelier : dégustation, visite du torréfacteur et café offert.",
    ),
    (
        2,
        12,
        "Retour clients",
        "Communauté",
        (
            "Merci pour vos 212 avis ce mois-ci ! Vous avez aimé le Guji, un peu "
            "moins les délais : on s'en occupe."
        ),
    ),
]
COMING = [
    # (days ahead, hour, title, pillar, text, state)
    (
        2,
        9,
        "Nouveau Colombie",
        "Origines",
        "Arrivée du Colombie Huila cette semaine : caramel, pomme rouge, et une acidité douce.",
        State.SCHEDULED,
    ),
    (
        5,
        12,
        "Atelier dégustation",
        "Ateliers",
        "Atelier dégustation samedi prochain : apprenez à reconnaître un café lavé d'un nature.",
        State.APPROVED,
    ),
    (
        8,
        9,
        "Abonnement",
        "Offres",
        "L'abonnement café revient : un paquet fraîchement torréfié chaque mois, sans engagement.",
        State.IN_REVIEW,
    ),
    (
        0,
        0,
        "Idée : série origines",
        "Origines",
        "Une série de portraits de producteurs, un par mois ?",
        State.IDEA,
    ),
]


# Three months of history before the hand-written posts above: three posts a week at the
# team's usual moments. The audience answers best on Tuesday morning and Thursday noon, less
# on Wednesday evening: best-time has a pattern to find, and the numbers come from here.
HISTORY_WEEKS = 10
HABITS = [
    # (weekday, hour, minute, typical interactions)
    (1, 9, 30, 22),
    (3, 12, 30, 18),
    (5, 10, 0, 13),
    (2, 18, 0, 8),
    (0, 8, 0, 6),
]
TOPICS = {
    "Origines": [
        "Cette semaine au moulin : {origin}, {notes}.",
        "Portrait de producteur : la coopérative qui nous envoie le {origin}.",
    ],
    "Ateliers": [
        "Atelier {method} samedi : quatre places, une heure, tout le matériel fourni.",
        "Ce qu'on a appris à l'atelier {method} : l'eau compte autant que le café.",
    ],
    "Coulisses": [
        "7 h 40, le torréfacteur chauffe : le {origin} sort dans douze minutes.",
        "On a réorganisé la boutique : les cafés filtres sont maintenant à gauche.",
    ],
    "Conseils": [
        "Un café trop amer ? Moulez un peu plus gros et gardez l'eau sous 94 °C.",
        "Conservez votre café à l'abri de l'air, pas au frigo.",
    ],
    "Communauté": [
        "Merci pour vos avis ce mois-ci ! Le {origin} arrive en tête.",
        "Le café du coin de la rue sert désormais notre {origin}. Allez le goûter !",
    ],
}
ORIGINS = [
    ("Éthiopie Guji", "jasmin et pêche"),
    ("Colombie Huila", "caramel et pomme rouge"),
    ("Kenya Nyeri", "cassis et pamplemousse"),
    ("Brésil Cerrado", "noisette et chocolat"),
]
METHODS = ["V60", "Chemex", "AeroPress", "latte art"]
QUEUE_SLOTS = "mar/jeu 9h30, sam 10h"


def at(day_offset: int, hour: int) -> datetime:
    local = timezone.localtime().replace(hour=hour, minute=30, second=0, microsecond=0)
    return local + timedelta(days=day_offset)


@step(120)
def posts(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    camille, ines = context.users["camille"], context.users["ines"]
    PublishingSettings.objects.get_or_create(workspace=workspace)
    mastodon, _ = Channel.objects.get_or_create(
        workspace=workspace,
        kind="mastodon",
        name="Maison Lumière (Mastodon)",
        defaults={
            "settings": {"instance_url": INSTANCE, "acct": "maisonlumiere"},
            "health": Health.DISCONNECTED,
            "last_error": (
                "Compte de démonstration : connectez un vrai compte Mastodon pour publier."
            ),
            "created_by": camille,
        },
    )
    if Post.objects.filter(workspace=workspace).exists():
        return  # loaded before: the demo is idempotent
    for n, (days, hour, title, pillar, text) in enumerate(PAST, start=1):
        when = at(-days, hour)
        post = Post.objects.create(
            workspace=workspace, owner=camille, title=title, pillar=pillar, state=State.PUBLISHED
        )
        remote = f"1134826{n:011d}"
        variant = Variant.objects.create(
            post=post,
            channel=mastodon,
            text=text,
            state=State.PUBLISHED,
            scheduled_at=when,
            due_at=when,
            published_at=when,
            attempts=1,
            remote_id=remote,
            remote_url=f"{INSTANCE}/@maisonlumiere/{remote}",
        )
        history(post, variant, when, camille)
    for days, hour, title, pillar, text, state in COMING:
        planned = at(days, hour) if days else None
        post = Post.objects.create(
            workspace=workspace, owner=ines, title=title, pillar=pillar, state=state
        )
        Variant.objects.create(
            post=post,
            channel=mastodon,
            text=text,
            state=State.SCHEDULED if state == State.SCHEDULED else State.DRAFT,
            scheduled_at=planned,
            due_at=planned if state == State.SCHEDULED else None,
        )
    # Yesterday's failure, with Mastodon's own words, waiting for a retry.
    when = at(-1, 18)
    post = Post.objects.create(
        workspace=workspace,
        owner=ines,
        title="Jeu concours",
        pillar="Communauté",
        state=State.SCHEDULED,
    )
    Variant.objects.create(
        post=post,
        channel=mastodon,
        text="",
        state=State.FAILED,
        scheduled_at=when,
        due_at=when,
        attempts=1,
        last_error="Validation failed: Text can't be blank",
        last_error_kind="permanent",
    )
    made = past_history(workspace, mastodon, camille)
    metrics_for_recent(mastodon)
    set_slots(mastodon, parse_slots(QUEUE_SLOTS))
    coming = upcoming(workspace, mastodon, ines)
    context.notes.append(
        f"Publishing: {len(PAST) + made} past posts with metrics, {len(COMING) + coming} coming, "
        "1 failure to retry, queue slots on Mastodon"
    )


def past_history(workspace, channel: Channel, actor: User) -> int:
    """Ten weeks of posts before the hand-written ones, each with the metrics Mastodon gave."""
    rng = random.Random(2026)  # the same history at every load
    zone = ZoneInfo(workspace.timezone)
    today = timezone.now().astimezone(zone).date()
    first_monday = today - timedelta(days=today.weekday() + 7 * (HISTORY_WEEKS + 3))
    made = 0
    for week in range(HISTORY_WEEKS):
        monday = first_monday + timedelta(weeks=week)
        for weekday, hour, minute, typical in rng.sample(HABITS, 3):
            when = datetime.combine(monday + timedelta(days=weekday), time(hour, minute), zone)
            pillar = rng.choice(list(TOPICS))
            origin, notes = rng.choice(ORIGINS)
            text = rng.choice(TOPICS[pillar]).format(
                origin=origin, notes=notes, method=rng.choice(METHODS)
            )
            post = Post.objects.create(
                workspace=workspace,
                owner=actor,
                title=text[:50],
                pillar=pillar,
                state=State.PUBLISHED,
            )
            made += 1
            remote = f"1129{post.pk:011d}"
            variant = Variant.objects.create(
                post=post,
                channel=channel,
                text=text,
                state=State.PUBLISHED,
                scheduled_at=when,
                due_at=when,
                published_at=when,
                attempts=1,
                remote_id=remote,
                remote_url=f"{INSTANCE}/@maisonlumiere/{remote}",
            )
            history(post, variant, when, actor)
            engagement = max(0, round(rng.gauss(typical, typical * 0.25)))
            store_metrics(variant, engagement, rng)
    return made


def store_metrics(variant: Variant, engagement: int, rng: random.Random) -> None:
    reblogs = engagement // 4
    replies = rng.randint(0, max(1, engagement // 6))
    favourites = max(0, engagement - reblogs - replies)
    values = {"favourites": favourites, "reblogs": reblogs, "replies": replies}
    VariantMetrics.objects.create(variant=variant, values=values, engagement=sum(values.values()))


def metrics_for_recent(channel: Channel) -> None:
    """The hand-written posts of the last weeks, measured the same way."""
    rng = random.Random(7)
    zone = ZoneInfo(channel.workspace.timezone)
    typical = {(d, h): t for d, h, _m, t in HABITS}
    for variant in Variant.objects.filter(
        channel=channel, state=State.PUBLISHED, metrics__isnull=True
    ):
        local = (variant.published_at or timezone.now()).astimezone(zone)
        store_metrics(variant, typical.get((local.weekday(), local.hour), 10), rng)


def upcoming(workspace, channel: Channel, actor: User) -> int:
    """Posts already placed on the queue's slots for the coming weeks; the last week is left
    with one post, so the calendar shows it below the rhythm."""
    zone = ZoneInfo(workspace.timezone)
    today = timezone.now().astimezone(zone).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    plan = [
        (0, 1, "Origines", "Le Kenya Nyeri arrive : cassis, pamplemousse, et beaucoup d'éclat."),
        (0, 3, "Conseils", "Filtre ou piston ? Notre guide en trois questions, en boutique."),
        (0, 5, "Coulisses", "Samedi, on ouvre la salle de torréfaction à 10 h : venez voir."),
        (1, 1, "Ateliers", "Atelier AeroPress jeudi 18 h : il reste deux places."),
        (1, 3, "Communauté", "Vos photos de tasses du week-end : on les affiche en boutique."),
        (2, 3, "Offres", "Les coffrets de fin d'année sont en boutique et en ligne."),
    ]
    slots = {1: time(9, 30), 3: time(9, 30), 5: time(10, 0)}
    for week, weekday, pillar, text in plan:
        day: date = monday + timedelta(weeks=week, days=weekday)
        when = datetime.combine(day, slots[weekday], zone)
        post = Post.objects.create(
            workspace=workspace, owner=actor, title=text[:50], pillar=pillar, state=State.SCHEDULED
        )
        Variant.objects.create(
            post=post,
            channel=channel,
            text=text,
            state=State.SCHEDULED,
            scheduled_at=when,
            due_at=when,
        )
    return len(plan)


def history(post: Post, variant: Variant, when: datetime, actor: User) -> None:
    """The path a published post took, so its page shows a real history."""
    steps = [
        (None, State.DRAFT, State.SCHEDULED, when - timedelta(days=2), actor),
        (variant, State.DRAFT, State.SCHEDULED, when - timedelta(days=2), actor),
        (variant, State.SCHEDULED, State.PUBLISHING, when, None),
        (variant, State.PUBLISHING, State.PUBLISHED, when + timedelta(seconds=1), None),
        (None, State.SCHEDULED, State.PUBLISHED, when + timedelta(seconds=1), None),
    ]
    Transition.objects.bulk_create(
        Transition(post=post, variant=v, from_state=a, to_state=b, at=t, actor=who)
        for v, a, b, t, who in steps
    )
