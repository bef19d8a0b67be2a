"""Demo posts: what Maison Lumière published these last weeks, what is coming, and one
failure to show how it is explained and retried.

No demo server speaks Mastodon, so the demo's Mastodon account is shown disconnected: its
past posts are history, and a scheduled post that comes due while the demo runs fails with
"reconnect it", as it would for real. Connect a real account to publish for real."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from liant.channels.models import Channel, Health
from liant.core.models import User
from liant.demo.loader import DemoContext, step
from liant.publishing.models import Post, PublishingSettings, Transition, Variant
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
    context.notes.append(
        f"Publishing: {len(PAST)} past posts, {len(COMING)} coming, 1 failure to retry"
    )


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
